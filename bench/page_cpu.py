"""The browser's CPU for one dashboard page: Chromium's own task time (CDP Performance.getMetrics
TaskDuration) to load the page and sit 5 s, then for one learning-rate run. Pass two checkouts to compare
them in one run: `.venv/bin/python bench/page_cpu.py OLD_CHECKOUT NEW_CHECKOUT`."""
from __future__ import annotations

import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT)]

from playwright.sync_api import sync_playwright  # noqa: E402

import servers  # noqa: E402
from widgets.shell.app import PANELS  # noqa: E402

ALL_PANELS = "names => names.every(n => document.querySelector('.tp-panel-' + n))"
LR_DONE = ("() => document.querySelector('.tp-panel-lr').innerText.includes('about right')"
           " && document.querySelector('.tp-status').innerText.trim() === 'Ready.'")


def task_seconds(cdp) -> float:
    return next(m["value"] for m in cdp.send("Performance.getMetrics")["metrics"] if m["name"] == "TaskDuration")


def one_page(browser, url) -> tuple[float, float, int]:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    cdp = page.context.new_cdp_session(page)
    cdp.send("Performance.enable")
    page.goto(url + "/", timeout=300_000)
    page.wait_for_function(ALL_PANELS, arg=list(PANELS), timeout=300_000)
    page.wait_for_timeout(5000)
    load = task_seconds(cdp)
    page.click(".tp-panel-lr .tp-run")
    page.wait_for_function(LR_DONE, timeout=300_000)
    run = task_seconds(cdp) - load
    drawn = page.evaluate("() => document.querySelectorAll('.js-plotly-plot').length")
    page.close()
    return load, run, drawn


def main(checkouts):
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=servers.CHROMIUM, args=servers.CHROMIUM_ARGS)
        for checkout in checkouts:
            servers.ROOT = pathlib.Path(checkout).resolve()  # Voila serves that checkout's app.ipynb
            with servers.voila() as server:
                for _ in range(2):
                    load, run, drawn = one_page(browser, server.url)
                    print(f"{checkout}: load {load:.2f} s, one LR run {run:.2f} s of renderer tasks; "
                          f"{drawn} plots drawn", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:] or [str(ROOT)])
