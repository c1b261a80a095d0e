"""make bench: what learners feel, measured side by side in one run; prints a table, writes bench/latest.json."""
from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench"), str(ROOT / "tests")]

import torch  # noqa: E402

from bare import bare_loop  # noqa: E402
from core import LR_PRESETS, RunConfig, train  # noqa: E402
from core.engine.optimizers import SGD  # noqa: E402
from measures import FORKED_CLASS, verdict  # noqa: E402


def machine() -> str:
    """The CPU model, cores and torch threads: figures from different machines are not comparable."""
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines() if Path("/proc/cpuinfo").exists() else []
    model = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")),
                 platform.machine())
    return f"{model}, {os.cpu_count()} cores, {torch.get_num_threads()} torch threads"


def median_time(fn, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def paired(a, b, repeats=7):
    """Median seconds of a and of b, measured alternately so machine noise hits both alike."""
    ta, tb = [], []
    for _ in range(repeats):
        ta.append(median_time(a, 1))
        tb.append(median_time(b, 1))
    return statistics.median(ta), statistics.median(tb)


def overhead(result):
    cfg = RunConfig()  # the default: 3 epochs of digits, statistics every 10 steps
    sink = []
    train(cfg)
    bare_loop(cfg)  # warm both paths
    instrumented, bare = paired(lambda: train(cfg, callbacks=[sink.append]), lambda: bare_loop(cfg))
    result.update(overhead_ratio=instrumented / bare, train_seconds=instrumented, bare_seconds=bare)
    # core.train steps with its own SGD (core/engine/optimizers.py: torch.optim's arithmetic without its per-step
    # bookkeeping); against a bare loop with that same optimizer the ratio is the cost of the statistics,
    # the callback and the history alone.
    instrumented, bare = paired(lambda: train(cfg, callbacks=[sink.append]), lambda: bare_loop(cfg, SGD))
    result.update(overhead_ratio_same_optimizer=instrumented / bare)


def sweep(result):
    from widgets.shell.app import App

    panel = App().panel("lr")  # headless: the click runs inline, figure updates included
    base = panel.base
    four_bare = lambda: [bare_loop(base.replace(lr=lr)) for lr in LR_PRESETS.values()]  # noqa: E731
    panel.run.click()
    sweep_s, bare_s = paired(panel.run.click, four_bare, repeats=5)
    result.update(sweep_seconds=sweep_s, sweep_ratio=sweep_s / bare_s, four_bare_seconds=bare_s)


def growth(result):
    base = RunConfig(epochs=1)
    train(base)
    result["seconds_vs_epochs"] = {e: median_time(lambda: train(base.replace(epochs=e)), 3) for e in (1, 2, 4, 8)}
    result["seconds_vs_width"] = {w: median_time(lambda: train(base.replace(hidden=(w,))), 3)
                                  for w in (32, 64, 256, 1024, 4096)}


def cuda(result):
    if not torch.cuda.is_available():
        result["cuda"] = "not measured: no CUDA GPU on this machine"
        return
    cfg = RunConfig(model="cnn", hidden=(32, 64), device="cuda", epochs=2)
    steps = train(cfg).steps
    instrumented, bare = paired(lambda: train(cfg), lambda: bare_loop(cfg), repeats=3)
    result.update(cuda_device=torch.cuda.get_device_name(0), cuda_steps_per_s_instrumented=steps / instrumented,
                  cuda_steps_per_s_bare=steps / bare, cuda_instrumented_vs_bare=bare / instrumented)


def browser(result):
    from bench_browser import measure_browser

    result.update(measure_browser(("tti",)))


def paths(result):
    """The LR lesson's first plot on its own page (?lesson=lr) beside the whole page's, cold, same server."""
    from bench_browser import measure_browser

    result.update(measure_browser(("paths",)))


def live(result):
    """Long runs in the page: update rate, Stop latency, bytes late vs early; then with both cores busy."""
    from bench_browser import measure_browser

    result.update(measure_browser(("live",)))


def kernel(result):
    from bench_kernel import LR_LESSON, forked_class, kernel_rss_mb, lr_lesson_memory_mb

    result["kernel_rss_mb"] = kernel_rss_mb()
    fresh = lr_lesson_memory_mb()
    result.update(kernel_fresh_private_mb=fresh["private"], kernel_fresh_pss_mb=fresh["pss"])
    forked = forked_class(FORKED_CLASS, LR_LESSON)  # `make class` forks its kernels (class/serve.py --fork)
    result.update(kernel_private_mb=forked["private"], kernel_pss_mb=forked["pss"], kernel_lesson_rss_mb=forked["rss"],
                  zygote_private_mb=forked["zygote"]["private"], forked_class_total_mb=forked["total_pss"])


def class_load(result):
    from class_load import measure, record, summary

    figures = measure(10)  # warm, as `make class` serves; `make bench-class N=30` adds a larger class
    record(result, figures)
    print(summary(figures), flush=True)


def main():
    result = {"machine": machine(), "torch": torch.__version__, "date": time.strftime("%Y-%m-%d")}
    parts = sys.argv[1:] or ["overhead", "sweep", "growth", "cuda", "kernel", "browser", "paths", "live",
                             "class_load"]
    out = ROOT / "bench" / "latest.json"
    if sys.argv[1:] and out.exists():  # some parts only: the others keep their last figures
        result = {**json.loads(out.read_text()), **result}
    for name in parts:
        print(f"measuring {name} …", flush=True)
        before = os.getloadavg()[0]
        globals()[name](result)
        result.setdefault("measured", {})[name] = {  # when and how each part's figures were taken
            "date": time.strftime("%Y-%m-%d %H:%M"), "load_average": [round(before, 1), round(os.getloadavg()[0], 1)],
            "command": " ".join([".venv/bin/python bench/run.py", *sys.argv[1:]])}
    out.write_text(json.dumps(result, indent=1, sort_keys=True))
    print(f"\n{'measure':28} {'value':>10}  goal")
    for key, value in sorted(result.items()):
        if isinstance(value, float):
            print(f"{key:28} {value:10.3f}  {verdict(key, value)}")
        elif not isinstance(value, dict):  # nested figures (the class's) printed their own summary
            print(f"{key:28} {value}")
    print(f"\nwritten to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
