"""Browser-side figures: time to first plot (cold and preheated; one lesson's page beside the whole page), update rate, Stop latency and bytes received
in long runs, and the same with both cores kept busy by two other training processes."""
from __future__ import annotations

import statistics
import subprocess
import sys
import time
from contextlib import contextmanager

from playwright.sync_api import sync_playwright

from servers import CHROMIUM, CHROMIUM_ARGS, ROOT, voila, wait_for_every_panel

FIRST_PLOT = "() => { const d = document.querySelector('.tp-panel-lr .js-plotly-plot'); return !!(d && d.data); }"
ANY_PLOT = "() => { const d = document.querySelector('.js-plotly-plot'); return !!(d && d.data); }"
# the yardstick page: one cell that imports torch and shows one plotly figure, served by the same Voila
ONE_CELL = "bench/one_cell.ipynb"
TTI_PAIRS = 3  # page and yardstick, alternately, per state (cold, preheated)
COUNT_UPDATES = """() => { const d = document.querySelectorAll('.tp-panel-lr .js-plotly-plot')[0];
  window.__redraws = [];  // redraws with points: the run's start (clearing, building the runs) does not count
  d.on('plotly_afterplot', () => { if (d.data.some((t) => t.y && t.y.length)) window.__redraws.push(performance.now()); });
}"""
# every message the page's websockets receive, as (time ms, bytes): what the kernel sends a learner
COUNT_BYTES = """(() => {
  window.__received = [];
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (e) => window.__received.push(
        [performance.now(), typeof e.data === "string" ? e.data.length : (e.data.byteLength || e.data.size || 0)]));
    }
  };
})();"""
STOP = """async ([panel, said]) => {
  const t0 = performance.now();
  document.querySelector(`.tp-panel-${panel} .tp-stop`).click();
  while (!document.querySelector('.tp-status').innerText.includes(said))
    await new Promise((r) => setTimeout(r, 2));
  return (performance.now() - t0) / 1000; }"""
RATE_WINDOW = 3.0  # seconds of redraws counted for the update rate, just before Stop
BYTES_WINDOW = 10.0  # seconds of received bytes early in a long run and just before its Stop
# two processes training without end, as two other learners' kernels would
BUSY = "from core import RunConfig, train\nwhile True:\n    train(RunConfig(epochs=20))\n"


def time_to_first_plot(browser, url, plotted=FIRST_PLOT, every_panel=None) -> float:
    """Seconds from navigation to the first plot; `every_panel` (a list): also appends the seconds until every
    panel on the page's path is built (panel_slot.py)."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    start = time.perf_counter()
    page.goto(url, timeout=180_000)
    page.wait_for_function(plotted, timeout=180_000, polling=20)
    seconds = time.perf_counter() - start
    if every_panel is not None:
        wait_for_every_panel(page, 180_000)
        every_panel.append(time.perf_counter() - start)
    page.close()
    return seconds


def open_page(browser, url, epochs):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.add_init_script(COUNT_BYTES)
    page.goto(f"{url}/?epochs={epochs}", timeout=180_000)
    wait_for_every_panel(page, 180_000)
    page.wait_for_function(FIRST_PLOT, timeout=180_000)
    return page


def lr_run(browser, url, epochs, stop_after) -> dict:
    """The LR panel's four presets at `epochs`, stopped `stop_after` s after the first redraw."""
    page = open_page(browser, url, epochs)
    page.evaluate(COUNT_UPDATES)
    page.click(".tp-panel-lr .tp-run")
    page.wait_for_function("() => window.__redraws.length > 0", timeout=60_000)
    first = page.evaluate("() => window.__redraws[0]")
    page.wait_for_timeout(stop_after * 1000)
    latency = page.evaluate(STOP, ["lr", "Stopped"])
    redraws, received = page.evaluate("() => [window.__redraws, window.__received]")
    page.close()
    stop_at = first + stop_after * 1000

    def rate(start, end, series, weight=lambda item: 1):
        return sum(weight(item) for item in series if start <= (item[0] if isinstance(item, list) else item) < end) \
            / ((end - start) / 1000)

    result = {"update_hz": rate(stop_at - RATE_WINDOW * 1000, stop_at, redraws), "stop_latency_s": latency}
    if stop_after >= 2 * BYTES_WINDOW:
        size = lambda item: item[1]  # noqa: E731
        early = rate(first, first + BYTES_WINDOW * 1000, received, size)
        late = rate(stop_at - BYTES_WINDOW * 1000, stop_at, received, size)
        result.update(bytes_per_s_early=early, bytes_per_s_late=late, update_bytes_late_vs_early=late / early)
    return result


def train_run(browser, url, epochs, stop_after=None) -> dict:
    """The Training panel on digits: wall time from Play to its result ÷ the training time it reports,
    or (stop_after) the seconds from Stop to "Paused"."""
    page = open_page(browser, url, epochs)
    start = time.perf_counter()
    page.click(".tp-panel-train .tp-run")
    if stop_after is not None:
        page.wait_for_timeout(stop_after * 1000)
        latency = page.evaluate(STOP, ["train", "Paused"])
        page.close()
        return {"stop_latency_s": latency}
    page.wait_for_function("() => document.querySelector('.tp-status').innerText.includes('test accuracy')",
                           timeout=600_000, polling=20)
    wall = time.perf_counter() - start
    info = page.inner_text(".tp-panel-train .tp-train-info")
    seconds = float(next(part for part in info.split(" · ") if part.endswith(" s"))[:-2])
    page.close()
    return {"wall_s": wall, "train_s": seconds, "wall_vs_train": wall / seconds}


@contextmanager
def busy_cores(n=2):
    """n processes training on the machine's cores for as long as the block runs (ended by their PIDs)."""
    procs = [subprocess.Popen([sys.executable, "-c", BUSY], cwd=ROOT) for _ in range(n)]
    try:
        time.sleep(5)  # past their imports: training
        yield
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()


def measure_live(browser, url) -> dict:
    result = {}
    for epochs, stop_after in ((200, 4.0), (1000, 60.0)):
        run = lr_run(browser, url, epochs, stop_after)
        result[f"update_hz_{epochs}"] = run.pop("update_hz")
        result[f"stop_latency_s_{epochs}"] = run.pop("stop_latency_s")
        result.update(run)
    idle = train_run(browser, url, 30)
    with busy_cores():
        lr_busy = lr_run(browser, url, 200, 4.0)
        train_busy = train_run(browser, url, 1000, stop_after=4.0)
        busy = train_run(browser, url, 30)
    result.update(update_hz_busy=lr_busy["update_hz"],
                  stop_latency_busy_s=max(lr_busy["stop_latency_s"], train_busy["stop_latency_s"]),
                  stop_latency_busy_lr_s=lr_busy["stop_latency_s"],
                  stop_latency_busy_train_s=train_busy["stop_latency_s"],
                  wall_vs_train=idle["wall_vs_train"], wall_vs_train_busy=busy["wall_vs_train"],
                  train_seconds_busy_vs_idle=busy["train_s"] / idle["train_s"])
    return result


def first_plot_seconds(browser, notebook, plotted, preheated) -> float:
    """Seconds from opening a fresh server's page to its first plot; preheated: a pool kernel has run it already."""
    extra = ("--preheat_kernel=True", "--pool_size=1") if preheated else ()
    with voila(extra=extra, notebook=notebook) as server:
        if preheated:
            wait_until_idle(server.proc.pid)  # the pool kernel has executed the notebook: the learner arrives now
        return time_to_first_plot(browser, server.url, plotted)


def lesson_path_first_plot(browser, repeats=3) -> dict:
    """Seconds to the LR lesson's first plot, cold, on a page of that lesson alone (?lesson=lr: the other six
    lessons are never built) and on the whole page: alternately on one server, medians and their ratio."""
    path, full, built = [], [], []
    with voila() as server:
        for _ in range(repeats):
            path.append(time_to_first_plot(browser, f"{server.url}/?lesson=lr"))
            full.append(time_to_first_plot(browser, server.url, every_panel=built))
    lesson, page = statistics.median(path), statistics.median(full)
    return dict(tti_lesson_lr_s=lesson, tti_full_page_s=page, tti_lesson_lr_vs_full=lesson / page,
                tti_full_page_built_s=statistics.median(built))


def wait_until_idle(server_pid, quiet_seconds=2.0, timeout=300.0):
    """Wait until the server has a kernel and none of its processes has used CPU for quiet_seconds."""
    import psutil

    server = psutil.Process(server_pid)
    deadline, quiet_since, last = time.monotonic() + timeout, None, None
    while time.monotonic() < deadline:
        processes = [server, *server.children(recursive=True)]
        used = sum(sum(p.cpu_times()[:2]) for p in processes if p.is_running())
        now = time.monotonic()
        if len(processes) > 1 and used == last:
            quiet_since = quiet_since or now
            if now - quiet_since >= quiet_seconds:
                return
        else:
            quiet_since, last = None, used
        time.sleep(0.2)
    raise TimeoutError("the preheated kernel did not finish executing the notebook")


def measure_browser(parts=("tti", "live")) -> dict:
    result = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        if "tti" in parts:
            # the dashboard and the one-cell yardstick, each cold (the kernel starts when the page asks) and
            # preheated, in the same run: their ratios compare across machines, the seconds do not. Medians of
            # TTI_PAIRS alternating pairs: one pair's ratio moved between 0.97 and 1.24 on this VM, same code
            for state, preheated in (("cold", False), ("preheated", True)):
                apps, yardsticks = [], []
                for _ in range(TTI_PAIRS):
                    apps.append(first_plot_seconds(browser, "app.ipynb", FIRST_PLOT, preheated))
                    yardsticks.append(first_plot_seconds(browser, ONE_CELL, ANY_PLOT, preheated))
                app, yardstick = statistics.median(apps), statistics.median(yardsticks)
                result[f"tti_{state}_s"], result[f"tti_{state}_one_cell_s"] = app, yardstick
                result[f"tti_{state}_ratio"] = app / yardstick
        if "paths" in parts:
            result.update(lesson_path_first_plot(browser))
        if "live" in parts:
            with voila() as server:
                result.update(measure_live(browser, server.url))
        browser.close()
    return result
