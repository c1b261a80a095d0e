"""Click → finished p95 with the class record on vs off, in one run (issue 26: within 10 %).

n simulated learners (class_load.py's Learner) load the page and click the learning-rate panel's Run at once,
on a fresh class server with --no-record, then on one with the record; each finished run posts its summary,
so the second server takes 4·n writes while the learners' runs end. Run through class_load.py:

    .venv/bin/python bench/class_load.py --learners 6 --record-ratio [--rounds 2]
"""
from __future__ import annotations

import asyncio
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.class_load import POOL, a_class, quantiles
from classroom import class_server, wait_for_log


def measure_record(n: int, rounds: int = 1) -> dict:
    """Click → finished p95 of n learners at once on a class server with the class record off, then on (each
    round a fresh server of each, off first), and their ratio (medians over rounds): issue 26 asks ≤ 1.10."""
    p95 = {"off": [], "on": []}
    lost, kept = 0, []
    for _ in range(rounds):
        for mode in ("off", "on"):
            tmp = Path(tempfile.mkdtemp(prefix=f"tp-class-record-{mode}-"))
            with class_server(tmp, size=max(n, 1), pool=POOL, name=f"class-record-{mode}", record=mode == "on") as server:
                wait_for_log(server, r"Kernel pool of app\.ipynb is filled")
                learners, errors, _, _ = asyncio.run(a_class(server, n))
                done = [learner for learner, e in zip(learners, errors) if e is None]
                lost += n - len(done)
                p95[mode].append(quantiles([learner.finished - learner.clicked for learner in done])["p95"])
                if mode == "on":  # what reached the record (the posts go after the run; give them a moment)
                    kept.append(runs_kept(tmp / "data" / "class.sqlite", 4 * len(done)))
    off, on = statistics.median(p95["off"]), statistics.median(p95["on"])
    return {"learners": n, "rounds": rounds, "click_to_finished_p95_off_s": p95["off"],
            "click_to_finished_p95_on_s": p95["on"], "ratio_on_off": on / off, "runs_kept": kept,
            "runs_expected": 4 * n, "lost": lost, "load_average": os.getloadavg()[0],
            "date": time.strftime("%Y-%m-%d %H:%M"), "command": " ".join([".venv/bin/python", *sys.argv])}


def runs_kept(path: Path, expected: int, timeout: float = 30) -> int:
    """Runs in the record's file, read with sqlite3 once `expected` are there (or after `timeout` s)."""
    deadline = time.monotonic() + timeout
    while True:
        with sqlite3.connect(path) as db:
            count = db.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
        if count >= expected or time.monotonic() > deadline:
            return count
        time.sleep(0.5)
