"""Readable for a beginner, where only a browser can tell: a disabled Stop looks disabled (computed style), and at
150 % zoom (a 1366×768 window at device scale 1.5) no control or label is cut off, in both languages."""
import pytest

from servers import ACTION_TIMEOUT_MS, ARTIFACTS
from widgets.shell.app import PANELS

pytestmark = pytest.mark.browser
LOAD_TIMEOUT_MS = 180_000

# Elements cut off: content wider than a box that hides or ellipsizes it, or a control reaching past its panel.
CLIPPED = """() => {
  const cut = [];
  for (const el of document.querySelectorAll('.tp-panel *')) {
    if (el.offsetParent === null || el.closest('.tp-plot') || el.clientWidth === 0) continue;
    const cs = getComputedStyle(el);
    const hidden = ['hidden', 'clip'].includes(cs.overflowX) || cs.textOverflow === 'ellipsis';
    if (hidden && el.scrollWidth > el.clientWidth + 1) cut.push((el.innerText || el.value || el.className).slice(0, 60));
  }
  for (const panel of document.querySelectorAll('.tp-panel')) {
    const right = panel.getBoundingClientRect().right;
    for (const el of panel.querySelectorAll('button, input, select, .widget-label')) {
      if (el.offsetParent !== null && el.getBoundingClientRect().right > right + 1) cut.push('past the panel: ' +
        (el.innerText || el.value || el.className).slice(0, 60));
    }
  }
  return cut;
}"""


def open_page(browser, server, lang, **size):
    page = browser.new_page(**size)
    page.set_default_timeout(ACTION_TIMEOUT_MS)
    page.goto(f"{server.url}/?lang={lang}", timeout=LOAD_TIMEOUT_MS)
    page.wait_for_selector(f".tp-panel-{list(PANELS)[-1]}", timeout=LOAD_TIMEOUT_MS)
    return page


def test_a_disabled_stop_looks_disabled_and_an_enabled_one_does_not(browser, server):
    page = open_page(browser, server, "en", viewport={"width": 1366, "height": 768})
    style = """(sel) => { const b = document.querySelector(sel), s = getComputedStyle(b);
                          return [b.disabled, s.backgroundColor, s.color, s.cursor, s.opacity]; }"""
    stop = page.evaluate(style, ".tp-panel-lr .tp-stop")
    plain = page.evaluate(style, ".tp-panel-lr .tp-overlay-clear")  # a grey button, disabled before any run
    run = page.evaluate(style, ".tp-panel-lr .tp-run")
    assert stop[0] and plain[0] and not run[0]
    assert stop[1:] == plain[1:]  # disabled looks the same whatever the button's colour
    r, g, b = (int(v) for v in stop[1][stop[1].index("(") + 1:-1].split(",")[:3])
    assert r == g == b and stop[3] == "not-allowed" and stop[4] == "1"  # flat grey, not a faded orange
    page.click(".tp-panel-lr .tp-run")
    page.wait_for_function("() => !document.querySelector('.tp-panel-lr .tp-stop').disabled || "
                           "document.querySelector('.tp-panel-lr .tp-run').disabled === false")
    page.wait_for_function("() => document.querySelector('.tp-panel-lr .tp-stop').disabled")
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator(".tp-panel-lr .tp-run").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "readable-stop-disabled.png"))
    page.close()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_at_150_percent_zoom_nothing_is_cut_off(browser, server, lang):
    page = open_page(browser, server, lang, viewport={"width": 911, "height": 512}, device_scale_factor=1.5)
    assert page.evaluate(CLIPPED) == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"readable-150-{lang}.png"))
    page.close()
