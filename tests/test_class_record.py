"""The class record on a real class server and a real SQLite file: simulated learners (bench/class_load.py's
Learner) answer and run, the teacher's API sees it, no one posts for another seat, a reload keeps the seat, and
`kill -9` of the server loses nothing that was committed."""
from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sqlite3
import time
import urllib.error
import urllib.request

import pytest

from bench.class_load import Learner
from core import LR_PRESETS
from classroom import class_server, http_status, log_text, wait_for_log
from servers import descendant_pids

pytestmark = pytest.mark.server
HOSTILE = '<img src=x onerror=alert(1)>'
FORMULA = '=HYPERLINK("http://x","y")'


def token(tmp) -> str:
    return (tmp / "data" / "teacher-token").read_text().strip()


def state(server, tmp) -> dict:
    with urllib.request.urlopen(f"{server.url}/teacher/api/state?token={token(tmp)}", timeout=60) as r:
        return json.loads(r.read())


def wait_state(server, tmp, wanted, timeout=180) -> dict:
    """The teacher's snapshot once `wanted(snapshot)` holds (the kernels post in the background)."""
    deadline = time.monotonic() + timeout
    while not wanted(snap := state(server, tmp)):
        assert time.monotonic() < deadline, f"the record never got there: {json.dumps(snap)[:2000]}"
        time.sleep(0.5)
    return snap


def post(server, headers: dict, body: bytes = b'{"kind": "name", "name": "forged"}') -> tuple[int, bytes]:
    request = urllib.request.Request(f"{server.url}/class/record", data=body, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


async def learners_work(url):
    """Two learners: the first names itself hostilely, answers an exercise and runs; the second runs."""
    first, second = Learner(url), Learner(url)
    await asyncio.gather(first.load(), second.load())
    first.set_name(HOSTILE)
    first.predict("lr-diverges", 1)
    await asyncio.gather(first.run_presets(), second.run_presets())
    return first, second


async def reload_and_run(url, cookies):
    again = Learner(url, cookies=cookies)
    await again.load()
    await again.run_presets()
    await again.leave()


async def load_and_leave(learner):
    await learner.load()
    await learner.leave()


def kill_9(server) -> None:
    """SIGKILL the server, then its kernels (found first: once it is dead they are no longer below it)."""
    kernels = descendant_pids(server.proc.pid)
    os.kill(server.proc.pid, signal.SIGKILL)
    server.proc.wait()
    for pid in kernels:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def lasting(snap: dict) -> dict:
    """What a restart must keep: everything but the clock and who is connected now."""
    learners = [{k: v for k, v in row.items() if k != "connected"} for row in snap["learners"]]
    return {"class_started": snap["class_started"], "learners": learners, "exercises": snap["exercises"],
            "lr_runs": snap["lr_runs"], "reproducibility": snap["reproducibility"], "total": snap["seats"]["total"]}


def test_the_record_of_a_class_reaches_the_teacher_and_survives_kill_9(tmp_path):
    with class_server(tmp_path, size=6, pool=1, name="class-record") as server:
        first, second = asyncio.run(learners_work(server.url))
        assert f"/teacher?token={token(tmp_path)}" in log_text(server)  # what `make class` prints for the teacher
        snap = wait_state(server, tmp_path, lambda s: sum(r["runs"] for r in s["learners"]) == 8
                          and any(r["name"] for r in s["learners"])
                          and sum(e["answered"] for e in s["exercises"]) == 1)
        assert snap["seats"] == {"connected": 2, "total": 2}
        assert sorted(r["name"] or "" for r in snap["learners"]) == ["", HOSTILE]  # text, kept as typed
        diverges = next(e for e in snap["exercises"] if e["exercise"] == "lr-diverges")
        assert diverges["predictions"] == [{"value": 1, "count": 1}] and len(diverges["measured"]) == 1
        rates = sorted(r["lr"] for r in snap["lr_runs"] if r["number"] == 1)
        assert sorted((r["number"], r["lr"]) for r in snap["lr_runs"]) == [(n, lr) for n in (1, 2) for lr in rates]
        assert rates == sorted(LR_PRESETS.values())
        # the same four seeded configs on both seats: two learners, two identical fingerprints each
        assert [(r["learners"], r["fingerprints"], r["identical"]) for r in snap["reproducibility"]] == [(2, 1, 2)] * 4
        fingerprints = {f for *_, f in first.rows}
        assert fingerprints == {f for *_, f in second.rows}
        seat_ids_never_leave = json.dumps(snap) + http_status(f"{server.url}/teacher/api/record.csv?token="
                                                              f"{token(tmp_path)}")[1]
        ids = [row[0] for row in sqlite3.connect(tmp_path / "data" / "class.sqlite").execute("SELECT seat FROM seats")]
        assert ids and not any(seat in seat_ids_never_leave for seat in ids)

        # a reload (the page's seat cookie sent back) keeps the seat: its runs add to the same learner
        asyncio.run(reload_and_run(server.url, first.cookies))
        snap = wait_state(server, tmp_path, lambda s: sum(r["runs"] for r in s["learners"]) == 12)
        assert snap["seats"]["total"] == 2
        assert sorted(r["runs"] for r in snap["learners"]) == [4, 8]

        # no key, a made-up key, a key with the wrong scheme: 403 and nothing else
        for headers in ({}, {"Authorization": "token made-up"}, {"Authorization": "Bearer x"},
                        {"Cookie": first.cookies}):
            assert post(server, headers) == (403, b"")
        # a seat cookie this server did not sign gets a seat of its own, never the one it names
        seat_part = first.cookies.split("tp_seat=")[1].split(".")[0]
        asyncio.run(load_and_leave(Learner(server.url, cookies=f"tp_seat={seat_part}.{'0' * 32}")))
        assert wait_state(server, tmp_path, lambda s: s["seats"]["total"] == 3)["seats"]["total"] == 3

        # the teacher's API: wrong or missing token, 403 with an empty body, whatever the route
        for route in ("teacher", "teacher/api/state", "teacher/api/record.csv"):
            for query in ("", "?token=", "?token=wrong", f"?token={token(tmp_path)[:-1]}"):
                code, body, _ = http_status(f"{server.url}/{route}{query}")
                assert (code, body) == (403, ""), (route, query)
        before = lasting(state(server, tmp_path))
        kill_9(server)

    with class_server(tmp_path, size=6, pool=1, name="class-record-again") as server:
        wait_for_log(server, r"Kernel pool of app\.ipynb is filled")
        after = state(server, tmp_path)
        assert lasting(after) == before
        assert after["seats"]["connected"] == 0
