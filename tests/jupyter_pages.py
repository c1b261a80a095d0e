"""What a browser test does with app.ipynb open in JupyterLab or Notebook 7 (the same front-end pieces):
start the kernel, run every cell, press the learning-rate panel's Run."""
import contextlib

from playwright.sync_api import expect, sync_playwright

from servers import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS

KERNEL = "window.jupyterapp?.shell.currentWidget?.sessionContext?.session?.kernel"
ACCEPT = ".jp-Dialog .jp-mod-accept"  # "Select Kernel", when the front end asks: take its default
# the kernel is idle, or the front end asks which kernel to start: whichever comes first
IDLE_OR_ASKED = f"() => document.querySelector('{ACCEPT}') ? 'asked' : ({KERNEL}?.status === 'idle' ? 'idle' : null)"


@contextlib.contextmanager
def opened(server, path: str):
    """A browser page showing server's `path` (app.ipynb in Lab or Notebook), closed afterwards."""
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(server.url + path, timeout=180_000)
            yield page
        finally:
            browser.close()


def lesson_title(page):
    """The first Markdown cell, once shown: it carries the Voila page's own script, and the front end must
    show its title and how to start, and nothing of that script."""
    page.wait_for_selector(".jp-Notebook", timeout=180_000)
    title = page.locator(".jp-MarkdownCell .jp-RenderedMarkdown").first
    expect(title).to_contain_text("Training Playground", timeout=180_000)  # a cell is filled after it is shown
    text = title.inner_text()
    assert text.startswith("Training Playground") and "训练游乐场" in text and "Run All Cells" in text
    assert "function" not in text and "tp-panels-missing" not in text and "_xsrf" not in text
    return title


def run_all_cells(page):
    """Wait for the kernel, run every cell as the Run menu's "Run All Cells" does, and wait until the last
    panel exists and the learning-rate panel's plot is drawn; no cell may write to stderr."""
    if page.wait_for_function(IDLE_OR_ASKED, timeout=180_000).json_value() == "asked":
        page.locator(ACCEPT).first.click()
        page.wait_for_function(f"() => {KERNEL}?.status === 'idle'", timeout=180_000)
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    # the last panel exists once every cell has run; off-screen cells are not painted, so "attached"
    page.wait_for_selector(".tp-panel-gpu", state="attached", timeout=180_000)
    page.locator(".tp-panel-lr").scroll_into_view_if_needed()  # plots draw once they are on screen
    page.wait_for_selector(".tp-panel-lr .js-plotly-plot", timeout=180_000)
    assert page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").count() == 0
    assert "Traceback" not in page.inner_text(".jp-Notebook")


def train_lr_presets(page, screenshot: str):
    """Press the learning-rate panel's Run; wait for its four curves (154 steps each) and its 'Ready.'."""
    page.locator(".tp-panel-lr .tp-run").click()
    page.wait_for_function("() => document.querySelector('.tp-panel-lr .js-plotly-plot')?"
                           ".data[1].y.length === 154", timeout=120_000)
    # the page's line is out of view up here; the panel's own line says it, beside the buttons
    page.wait_for_function("() => document.querySelector('.tp-panel-lr .tp-panel-status').innerText.trim()"
                           " === 'Ready.'", timeout=60_000)
    page.locator(".tp-panel-lr").screenshot(path=str(ARTIFACTS / screenshot))
