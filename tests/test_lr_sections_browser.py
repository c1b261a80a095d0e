"""End to end: the learning-rate panel's new sections run from their buttons in Voila and draw."""
import pytest

from servers import ARTIFACTS, wait_for_every_panel

pytestmark = pytest.mark.browser
LOAD_TIMEOUT_MS = 180_000


PLOT = "document.querySelectorAll('.tp-panel-lr .tp-plot')[i].querySelector('.js-plotly-plot')"  # null till drawn


def plot_data(page, index):
    """Each trace's point count in the LR panel's index-th plot, as the browser holds it."""
    return page.evaluate(f"""(i) => Array.from({PLOT}.data)
                               .map(t => (t.z ? t.z.length : (t.y ? t.y.length : 0)))""", index)


def ready(page, index=None, timeout=240_000):
    """Wait until the panel is idle again and, if given, the index-th plot (scrolled to: a plot is drawn only on
    screen) has a first trace drawn."""
    if index is not None:
        page.locator(".tp-panel-lr .tp-plot").nth(index).scroll_into_view_if_needed()
    page.wait_for_function(f"""(i) => {{
        const plot = i === null ? null : {PLOT};
        const drawn = i === null || (plot && plot.data && plot.data[0] && (plot.data[0].z || plot.data[0].y || []).length > 0);
        return drawn && document.querySelector('.tp-status').innerText.trim() === 'Ready.'
            && !document.querySelector('.tp-panel-lr .tp-run').disabled; }}""", arg=index, timeout=timeout)


def test_band_schedule_and_grid_run_from_their_buttons_and_draw(browser, server):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(server.url + "/?epochs=1", timeout=LOAD_TIMEOUT_MS)
    wait_for_every_panel(page, LOAD_TIMEOUT_MS)
    page.wait_for_selector(".tp-panel-lr .tp-lr-band-run", timeout=LOAD_TIMEOUT_MS)
    plots = page.locator(".tp-panel-lr .tp-plot")
    band_index, schedule_index, grid_index = 3, 4, 5  # after the race, the finder and the surface

    try:
        ready(page)  # the kernel has applied the page's settings and says so: a click now is a learner's click
        page.click(".tp-panel-lr .tp-lr-band-run")
        page.wait_for_selector(".tp-panel-lr .tp-lr-band-table", timeout=240_000)
    except Exception:  # keep what the page showed (a lost click was a plot as scroll anchor: test_browser.py)
        page.screenshot(path=str(ARTIFACTS / "07-lr-band-never-drawn.png"), full_page=True)
        raise AssertionError("the band never came; the status line read: " + page.inner_text(".tp-status"))
    ready(page, band_index)
    assert "were put back" in page.inner_text(".tp-panel-lr .tp-lr-band-restored")
    counts = plot_data(page, band_index)
    assert counts[0] == counts[1] == counts[2] > 10 and counts[3:] == [5, 5, 5]  # band, median, 5 seeds a rule
    plots.nth(band_index).screenshot(path=str(ARTIFACTS / "07-lr-band.png"))

    page.click(".tp-panel-lr .tp-lr-schedule-run")
    ready(page, schedule_index)
    counts = plot_data(page, schedule_index)
    assert counts[0] == counts[1] > 10  # the loss and the rate it used, step for step
    plots.nth(schedule_index).screenshot(path=str(ARTIFACTS / "08-lr-schedule.png"))

    page.fill(".tp-panel-lr .tp-lr-grid-batches input", "32, 128")
    page.fill(".tp-panel-lr .tp-lr-grid-rates input", "0.01, 0.1, 1")
    page.click(".tp-panel-lr .tp-lr-grid-run")
    ready(page, grid_index)
    assert plot_data(page, grid_index)[0] == 2  # two rows of cells
    plots.nth(grid_index).screenshot(path=str(ARTIFACTS / "09-lr-grid.png"))
    plots.nth(2).scroll_into_view_if_needed()
    page.wait_for_function(f"i => {PLOT} !== null", arg=2)
    plots.nth(2).screenshot(path=str(ARTIFACTS / "10-lr-surface.png"))
    assert "Traceback" not in page.inner_text("body")
    page.close()
