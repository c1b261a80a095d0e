"""The same notebook in JupyterLab: Run All executes it and the widgets render (plots included)."""
import time

import pytest
from playwright.sync_api import sync_playwright

from servers import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, jupyterlab

pytestmark = pytest.mark.browser


def test_notebook_runs_and_renders_in_jupyterlab():
    with jupyterlab() as lab, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(lab.url + "/lab/tree/app.ipynb", timeout=180_000)
        page.wait_for_selector(".jp-Notebook", timeout=180_000)
        page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=180_000)
        page.click("text=Run", timeout=30_000)
        page.click("text=Run All Cells", timeout=30_000)
        page.wait_for_selector(".tp-panel-lr .js-plotly-plot", timeout=180_000)
        page.wait_for_selector(".tp-panel-gpu", timeout=180_000)
        assert page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").count() == 0
        assert "Traceback" not in page.inner_text(".jp-Notebook")
        page.locator(".tp-panel-lr .tp-run").click()
        page.wait_for_function("() => document.querySelectorAll('.tp-panel-lr .js-plotly-plot')[0]"
                               ".data[1].y.length === 154", timeout=60_000)
        time.sleep(0.5)
        page.locator(".tp-panel-lr").screenshot(path=str(ARTIFACTS / "07-jupyterlab-lr.png"))
        browser.close()
