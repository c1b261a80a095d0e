"""The same notebook in JupyterLab: Run All executes it and the widgets render (plots included)."""
import time

import pytest
from playwright.sync_api import expect, sync_playwright

from servers import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, jupyterlab

pytestmark = pytest.mark.browser


def test_notebook_runs_and_renders_in_jupyterlab():
    with jupyterlab() as lab, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(lab.url + "/lab/tree/app.ipynb", timeout=180_000)
        page.wait_for_selector(".jp-Notebook", timeout=180_000)
        # the first Markdown cell carries the Voila page's own script: Lab shows its title and nothing of the script
        title = page.locator(".jp-MarkdownCell .jp-RenderedMarkdown").first
        expect(title).to_contain_text("Training Playground", timeout=180_000)  # Lab fills a cell after showing it
        text = title.inner_text()
        assert text.startswith("Training Playground") and "训练游乐场" in text and "Run All Cells" in text
        assert "function" not in text and "tp-panels-missing" not in text and "_xsrf" not in text
        title.screenshot(path=str(ARTIFACTS / "07-jupyterlab-title.png"))
        accept = page.locator(".jp-Dialog .jp-mod-accept")  # "Select Kernel" when Lab asks: take its default
        deadline = time.monotonic() + 180
        while not page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").count():
            if accept.count():
                accept.first.click()
            assert time.monotonic() < deadline, "the kernel never became idle"
            time.sleep(0.2)
        # what the Run menu's "Run All Cells" does, without hunting for the menu on screen
        page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell.currentWidget"
                               " && window.jupyterapp.shell.currentWidget.sessionContext.session?.kernel",
                               timeout=180_000)
        page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
        # the last panel exists once every cell has run; off-screen cells are not painted, so "attached"
        page.wait_for_selector(".tp-panel-gpu", state="attached", timeout=180_000)
        page.locator(".tp-panel-lr").scroll_into_view_if_needed()  # plots draw once they are on screen
        page.wait_for_selector(".tp-panel-lr .js-plotly-plot", timeout=180_000)
        assert page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").count() == 0
        assert "Traceback" not in page.inner_text(".jp-Notebook")
        # an output cannot be fixed to Lab's window: the status line stays in flow, under the language switch
        assert page.evaluate("getComputedStyle(document.querySelector('.tp-status')).position") != "fixed"
        page.locator(".tp-panel-lr .tp-run").click()
        page.wait_for_function("() => document.querySelector('.tp-panel-lr .js-plotly-plot')?"
                               ".data[1].y.length === 154", timeout=60_000)
        # the page's line is out of view up here; the panel's own line says it, beside the buttons
        page.wait_for_function("() => document.querySelector('.tp-panel-lr .tp-panel-status').innerText.trim()"
                               " === 'Ready.'", timeout=60_000)
        time.sleep(0.5)
        page.locator(".tp-panel-lr").screenshot(path=str(ARTIFACTS / "07-jupyterlab-lr.png"))
        browser.close()
