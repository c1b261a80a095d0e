"""What one click on the LR panel's Run costs its kernel, in CPU time of the kernel's thread: in a class thirty
kernels share two cores, so these seconds, not one learner's wall clock, decide how long the others wait.

Headless (`App(lessons="lr").panel("lr")`, torch on one thread, the run in the caller's thread), each widget
message serialised as the kernel's session would (jupyter_client's json_packer). Per click: CPU time to the
first plot message, to the last message (the table), the plot updates sent and the CPU they took, and the
messages by widget kind. "alone": the run's clock is the wall clock; "class": the run's wall clock goes 15
times as fast as its CPU time (one kernel's share of two cores among thirty), as bench/class_load.py's learners
see it. Medians of REPEATS clicks after a first one.
Usage: .venv/bin/python bench/click_cpu.py [CHECKOUT ...]  (several: each in a fresh process, alternately)."""
from __future__ import annotations

import statistics
import sys
import time

from checkouts import measure_checkouts

REPEATS = 5
SHARE = 15  # thirty kernels, two cores


def measure(root: str) -> str:
    sys.path[:0] = [root]
    import torch

    torch.set_num_threads(1)
    from ipywidgets import Widget
    from jupyter_client.session import json_packer

    from widgets.shell import runner
    from widgets.shell.app import App

    sent = []  # (thread CPU time, widget kind) per message
    send = Widget._send

    def counted(widget, msg, buffers=None):
        json_packer(msg)  # the kernel serialises each message before it leaves
        sent.append((time.thread_time(), widget))
        return send(widget, msg, buffers)

    Widget._send = counted
    flush_cpu = []
    flush = runner.BackgroundRun._flush

    def timed_flush(job):
        start = time.thread_time()
        flush(job)
        flush_cpu.append(time.thread_time() - start)

    runner.BackgroundRun._flush = timed_flush
    lines = [root]
    for mode in ("alone", "class"):
        if mode == "class":  # the run's wall clock runs SHARE times as fast as its work
            fake = lambda: SHARE * time.thread_time()  # noqa: E731
            runner.BackgroundRun.wall_clock = staticmethod(fake)
            runner.time = type("Clock", (), {"perf_counter": staticmethod(fake)})  # a checkout without wall_clock
        panel = App(lessons="lr").panel("lr")  # a page of its own: its first click is a learner's first
        plots = {panel.loss_fig.widget, panel.finder_fig.widget}
        rows = []
        for i in range(REPEATS + 1):
            sent.clear(), flush_cpu.clear()
            start = time.thread_time()
            panel.run.click()
            first = next(t for t, w in sent if w in plots) - start
            kinds = {}
            for _, w in sent:
                kind = "plot" if w in plots else type(w).__name__
                kinds[kind] = kinds.get(kind, 0) + 1
            rows.append((first, sent[-1][0] - start, len(flush_cpu), sum(flush_cpu), kinds))
        first_click, repeated = rows[0], rows[1:]
        med = lambda k: statistics.median(r[k] for r in repeated)  # noqa: E731
        lines.append(f"  {mode}: first click → first plot message {first_click[0] * 1e3:.1f} ms; repeated click → "
                     f"first plot message {med(0) * 1e3:.1f} ms, → last message {med(1) * 1e3:.0f} ms; "
                     f"updates a run {med(2):.0f} taking {med(3) * 1e3:.1f} ms; messages {repeated[-1][4]}")
    return "\n".join(lines)


if __name__ == "__main__":
    measure_checkouts(measure, __file__)
