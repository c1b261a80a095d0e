"""Browser-side figures: time to first plot (cold and preheated), update rate, and Stop latency."""
from __future__ import annotations

import time

from playwright.sync_api import sync_playwright

from servers import CHROMIUM, CHROMIUM_ARGS, voila

FIRST_PLOT = "() => { const d = document.querySelector('.tp-panel-lr .js-plotly-plot'); return !!(d && d.data); }"
COUNT_UPDATES = """() => { const d = document.querySelectorAll('.tp-panel-lr .js-plotly-plot')[0];
  window.__updates = 0; d.on('plotly_afterplot', () => { window.__updates += 1; }); }"""
STOP = """async () => {
  const t0 = performance.now();
  document.querySelector('.tp-panel-lr .tp-stop').click();
  while (!document.querySelector('.tp-status').innerText.includes('Stopped'))
    await new Promise((r) => setTimeout(r, 2));
  return (performance.now() - t0) / 1000; }"""


def time_to_first_plot(browser, url) -> float:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    start = time.perf_counter()
    page.goto(url, timeout=180_000)
    page.wait_for_function(FIRST_PLOT, timeout=180_000, polling=20)
    seconds = time.perf_counter() - start
    page.close()
    return seconds


def updates_and_stop(browser, url):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(url + "/?epochs=200", timeout=180_000)
    page.wait_for_selector(".tp-panel-gpu", timeout=180_000)
    page.wait_for_function(FIRST_PLOT, timeout=180_000)
    page.evaluate(COUNT_UPDATES)
    page.click(".tp-panel-lr .tp-run")
    page.wait_for_function("() => window.__updates > 0", timeout=30_000)
    first = page.evaluate("() => window.__updates")
    time.sleep(3.0)
    hz = (page.evaluate("() => window.__updates") - first) / 3.0
    latency = page.evaluate(STOP)
    page.close()
    return hz, latency


def measure_browser() -> dict:
    result = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        with voila() as server:  # a fresh server: the kernel starts when the page asks
            result["tti_cold_s"] = time_to_first_plot(browser, server.url)
            result["update_hz"], result["stop_latency_s"] = updates_and_stop(browser, server.url)
        with voila(extra=("--preheat_kernel=True", "--pool_size=1")) as server:
            time.sleep(20)  # let the pool kernel execute the notebook before the learner arrives
            result["tti_preheated_s"] = time_to_first_plot(browser, server.url)
        browser.close()
    return result
