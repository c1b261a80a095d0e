"""The same notebook in Notebook 7: it opens, Run All executes every cell, and a panel trains and draws."""
import pytest
from playwright.sync_api import expect, sync_playwright

from servers import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, notebook7

pytestmark = pytest.mark.browser

KERNEL = "window.jupyterapp?.shell.currentWidget?.sessionContext?.session?.kernel"
# the kernel is idle, or Notebook asks which kernel to start ("Select Kernel"): whichever comes first
IDLE_OR_ASKED = ("() => document.querySelector('.jp-Dialog .jp-mod-accept') ? 'asked'"
                 f" : ({KERNEL}?.status === 'idle' ? 'idle' : null)")


def test_notebook_runs_and_a_panel_trains_in_notebook_7():
    with notebook7() as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(server.url + "/notebooks/app.ipynb", timeout=180_000)
        page.wait_for_selector(".jp-Notebook", timeout=180_000)
        title = page.locator(".jp-MarkdownCell .jp-RenderedMarkdown").first
        expect(title).to_contain_text("Training Playground", timeout=180_000)
        assert "tp-panels-missing" not in title.inner_text()  # the Voila page's own script stays hidden
        if page.wait_for_function(IDLE_OR_ASKED, timeout=180_000).json_value() == "asked":
            page.locator(".jp-Dialog .jp-mod-accept").first.click()  # take Notebook's default kernel
            page.wait_for_function(f"() => {KERNEL}?.status === 'idle'", timeout=180_000)
        # what the Run menu's "Run All Cells" does, without hunting for the menu on screen
        page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
        # the last panel exists once every cell has run; off-screen cells are not painted, so "attached"
        page.wait_for_selector(".tp-panel-gpu", state="attached", timeout=180_000)
        page.locator(".tp-panel-lr").scroll_into_view_if_needed()  # plots draw once they are on screen
        page.wait_for_selector(".tp-panel-lr .js-plotly-plot", timeout=180_000)
        assert page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").count() == 0
        assert "Traceback" not in page.inner_text(".jp-Notebook")
        page.locator(".tp-panel-lr .tp-run").click()
        page.wait_for_function("() => document.querySelector('.tp-panel-lr .js-plotly-plot')?"
                               ".data[1].y.length === 154", timeout=120_000)
        page.wait_for_function("() => document.querySelector('.tp-panel-lr .tp-panel-status').innerText.trim()"
                               " === 'Ready.'", timeout=60_000)
        page.locator(".tp-panel-lr").screenshot(path=str(ARTIFACTS / "08-notebook7-lr.png"))
        browser.close()
