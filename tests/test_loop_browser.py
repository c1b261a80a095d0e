"""End to end: the Loop panel in Voila — tick a mistake beside its line, run both loops from tp-run, read the
sentence with this run's numbers and the live curves."""
import pytest

from servers import ARTIFACTS

pytestmark = pytest.mark.browser
LOAD_TIMEOUT_MS = 180_000


def test_a_mistake_switched_on_runs_beside_the_correct_loop(browser, server):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(server.url + "/", timeout=LOAD_TIMEOUT_MS)
    page.locator(".tp-panel-loop .tp-plot").first.scroll_into_view_if_needed(timeout=LOAD_TIMEOUT_MS)
    page.wait_for_selector(".tp-panel-loop .js-plotly-plot", timeout=LOAD_TIMEOUT_MS)  # drawn on screen only
    page.click(".tp-panel-loop .tp-loop-mistake-no_eval_mode input")
    page.click(".tp-panel-loop .tp-run")
    page.wait_for_function("() => document.querySelector('.tp-loop-effects').innerText.includes('train mode')",
                           timeout=180_000)
    page.wait_for_function("() => !document.querySelector('.tp-panel-loop .tp-run').disabled", timeout=60_000)
    lengths = page.evaluate("""() => Array.from(document.querySelectorAll('.tp-panel-loop .js-plotly-plot')[0].data)
                                  .map(t => (t.y ? t.y.length : 0))""")
    assert len(lengths) == 2 and min(lengths) > 100  # 3 epochs of 77 steps, both loops
    text = page.inner_text(".tp-loop-effects")
    assert "The same model validated in train mode" in text and "in eval mode" in text
    assert "Traceback" not in page.inner_text("body")
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator(".tp-panel-loop").screenshot(path=str(ARTIFACTS / "loop-panel.png"))
    page.close()
