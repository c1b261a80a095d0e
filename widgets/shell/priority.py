"""A class kernel steps back for the server that relays its messages.

Linux schedules a session's processes as one group (autogroup), and every kernel runs in a session of its own: each
weighs as much as the whole Voila server. Thirty kernels training at once left the server a thirty-first of the
CPU, and a click's first plot update waited in its queue: p95 0.65–0.72 s after the click, though the kernels had
sent it within 0.19 s (`bench/class_load.py --learners 30`, docs/performance.md). A class's kernel spec sets
TP_KERNEL_NICE (class/serve.py); such a kernel raises its group's nice value to it. Raising needs no privilege and
costs the kernels nothing among themselves (each steps back alike); the server relays at once.
"""
from __future__ import annotations

import contextlib
import os
from pathlib import Path

AUTOGROUP = Path("/proc/self/autogroup")


def step_back_for_the_server() -> None:
    """Raise this process's nice value to TP_KERNEL_NICE, if set (never lower it): its session's group's where the
    process leads a session of its own (a kernel always does: raising a shared session's would lower the
    server's priority too), else its own thread's (the threads it starts later inherit it)."""
    try:
        nice = int(os.environ.get("TP_KERNEL_NICE", ""))
    except ValueError:
        return
    if os.getsid(0) == os.getpid():
        with contextlib.suppress(OSError, ValueError, IndexError):  # no autogroups: /proc/self/autogroup is missing
            AUTOGROUP.write_text(str(max(nice, int(AUTOGROUP.read_text().split()[-1]))))  # "/autogroup-7 nice 0"
            return
    with contextlib.suppress(OSError):
        os.setpriority(os.PRIO_PROCESS, 0, max(nice, os.getpriority(os.PRIO_PROCESS, 0)))
