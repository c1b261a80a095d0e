"""Class capacity without a browser per learner: N simulated learners against `make class`'s server.

Each learner does what Voila 0.5.13's page JavaScript does (its lab template and widgets-manager8): GET the
page and read the kernel id from `jupyter-config-data`, GET /api/kernels/<id>, open the kernel's websocket
with JupyterLab's v1 subprotocol and ask kernel_info, then open the widget manager's
`jupyter.widget.control` comm and ask `request_states`. In the states it finds the learning-rate panel
(`tp-panel-lr`) and its controls by CSS class (Run is `tp-run`), clicks Run with a browser's comm message,
and reads what comes back until the panel's table shows the four runs' fingerprints. Any message on one of
the panel's plot comms counts as an update, whatever its format. A learner can also type its own rate and
add its curve (`add_curve`), as tests/test_class.py's learners do. Leaving sends the page's "tab closed" beacon.

Warm (the default): the class server preheats one kernel per seat, as `make class` does; the bench waits for its
"class: N seats ready" line before the learners arrive. `--cold`: no pool, each page starts its own kernel.
Besides the page and click timings it measures the memory the whole class holds: the PSS of the server and
of every process below it (each kernel), summed, so pages shared between processes count once.

    .venv/bin/python bench/class_load.py --learners 30          # or: make bench-class N=30
    .venv/bin/python bench/class_load.py --learners 30 --cold
    .venv/bin/python bench/class_load.py --learners 6 --record-ratio [--together]  # click → finished p95, record on/off
"""
from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import re
import sys
import tempfile
import time
import uuid
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench"), str(ROOT / "tests"), str(ROOT / "class")]

import psutil  # noqa: E402
from jupyter_client.session import Session  # noqa: E402
from jupyter_server.services.kernels.connection.base import (  # noqa: E402
    deserialize_msg_from_ws_v1, serialize_msg_to_ws_v1)
from tornado.httpclient import AsyncHTTPClient, HTTPRequest  # noqa: E402
from tornado.websocket import websocket_connect  # noqa: E402

from bench_kernel import smaps_mb  # noqa: E402
from classroom import SEATS_READY, class_server, kernel_pid, log_text, rss_mb, wait_for_log  # noqa: E402
from servers import descendant_pids  # noqa: E402
from widgets.shell.app import PANELS  # noqa: E402
from widgets.shell.plotly_js import PLOTLY_FILE  # noqa: E402

WS_PROTOCOL = "v1.kernel.websocket.jupyter.org"
CONFIG = re.compile(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', re.S)
# a row of the panel's table: rate, regime, final loss, fingerprint
ROW = re.compile(r"<tr><td>(lr=[^<]*)</td><td><b>([^<]*)</b>.*?</td><td>([^<]*)</td><td><code>([0-9a-f]+)</code></td></tr>")
CONTROLS = ("@jupyter-widgets/controls", "@jupyter-widgets/base", "@jupyter-widgets/output")  # not plots
POOL = None  # `make class`'s pool: class/serve.py's default, one warm kernel per seat
LOAD_TIMEOUT, RUN_TIMEOUT = 300.0, 300.0  # a page not ready in five minutes has lost its learner
WARMED_IN = re.compile(r"class: \d+ seats? ready in (\d+) s")
WARMING_TIMEOUT = 1200.0  # thirty kernels warmed on two busy cores
LATEST = ROOT / "bench" / "latest.json"


class Learner:
    """One learner's page, spoken over HTTP and the kernel websocket; times are seconds of time.monotonic()."""

    def __init__(self, url: str, cookies: str = ""):
        """`cookies`: an earlier page's (Learner.cookies), as a reload sends them back."""
        self.url = url
        self.session = Session(username="learner", key=b"")  # jupyter_client's message format, unsigned
        self.cookies, self.xsrf, self.ws, self.kernel_id = cookies, "", None, None
        self.anywhere = {}  # CSS class -> model id, in the whole page (the header's name box, exercise blocks)
        self.plot_comms, self.controls = set(), {}  # the LR panel's plots; its controls by CSS class
        self.inbox, self.reader = asyncio.Queue(), None  # (arrival time, raw message), read as they come
        self.first_lesson = self.ready = self.clicked = self.first_update = self.finished = None
        # wall clock of the click and the date in the first update's header (when the kernel made the message,
        # before its IOPub thread sent it): the click's wait split into the kernel's handler and the way back
        # (the kernel's IOPub thread, ZeroMQ, the server's relay, this process's own loop)
        self.clicked_wall = self.first_update_dated = None
        self.slots, self.slot_boxes = {}, {}  # lesson -> its slot's signal; slot box -> lesson (panel_slot.py)
        self.updates, self.rows = 0, []

    async def load(self) -> None:
        """Everything the page does until its widgets are live: the first lesson's at once, the others' once
        the page has asked for them (panel_slot.py); the page is then ready."""
        http = AsyncHTTPClient()
        page = await http.fetch(self.url + "/", request_timeout=LOAD_TIMEOUT, connect_timeout=LOAD_TIMEOUT,
                                headers={"Cookie": self.cookies} if self.cookies else None)
        jar = SimpleCookie(self.cookies)
        for header in page.headers.get_list("Set-Cookie"):
            jar.load(header)
        self.cookies = "; ".join(f"{k}={m.value}" for k, m in jar.items())
        self.xsrf = jar["_xsrf"].value if "_xsrf" in jar else ""
        self.kernel_id = json.loads(CONFIG.search(page.body.decode()).group(1))["kernelId"]
        # the page's first lines fetch plotly.js as a file while the widgets load (plot.py); the first plot needs it
        plotly = asyncio.ensure_future(http.fetch(f"{self.url}/voila/files/{PLOTLY_FILE}", request_timeout=LOAD_TIMEOUT,
                                                  headers={"Cookie": self.cookies}))
        await http.fetch(f"{self.url}/api/kernels/{self.kernel_id}", headers={"Cookie": self.cookies})
        ws_url = self.url.replace("http", "ws", 1) + f"/api/kernels/{self.kernel_id}/channels?session_id={uuid.uuid4()}"
        self.ws = await websocket_connect(HTTPRequest(ws_url, headers={"Cookie": self.cookies}),
                                          subprotocols=[WS_PROTOCOL], max_message_size=256 * 1024 ** 2)
        self.reader = asyncio.create_task(self.read_forever())
        info = self.send("kernel_info_request", {})
        await self.until(lambda msg: msg["msg_type"] == "kernel_info_reply" and msg["parent_header"].get("msg_id") == info)
        control = uuid.uuid4().hex
        self.send("comm_open", {"comm_id": control, "target_name": "jupyter.widget.control", "data": {}},
                  metadata={"version": "1.0.0"})
        self.send("comm_msg", {"comm_id": control, "data": {"method": "request_states"}})
        reply = await self.until(lambda msg: msg["msg_type"] == "comm_msg" and msg["content"]["comm_id"] == control)
        self.send("comm_close", {"comm_id": control, "data": {}})
        self.find_widgets(reply["content"]["data"]["states"])
        await plotly
        self.first_lesson = time.monotonic()  # the first lesson's widgets are live: its Run works
        await self.fill_slots()
        self.ready = time.monotonic()  # every lesson's panel is live

    async def fill_slots(self) -> None:
        """As the page does once it has drawn the first plot: ask for each lesson's panel still in its slot
        (widgets/shell/panel_slot.py), then wait until every slot holds its panel."""
        def custom(signal, event):
            self.send("comm_msg", {"comm_id": signal, "data": {"method": "custom", "content": {"event": event}}})

        for signal in self.slots.values():
            custom(signal, "drawn")
        signals, waiting = set(self.slots.values()), set(self.slot_boxes)
        while waiting:
            msg = (await self.receive())[1]
            if msg["msg_type"] != "comm_msg":
                continue
            comm_id, data = msg["content"]["comm_id"], msg["content"]["data"]
            if comm_id in waiting and "children" in data.get("state", {}):
                waiting.discard(comm_id)
            elif comm_id in signals and data.get("content", {}).get("event") == "widgets":
                custom(comm_id, "received")  # a pooled kernel's panel, in one message (held_back.py)

    def find_widgets(self, states: dict) -> None:
        """The LR panel's Run button and plot comms, found by CSS class in the widget tree."""
        def classes(mid):
            return states[mid]["state"].get("_dom_classes", [])

        self.anywhere = {c: mid for mid in states for c in classes(mid) if c.startswith("tp-")}
        panels = {c.removeprefix("tp-panel-"): mid for mid in states for c in classes(mid) if c.startswith("tp-panel-")}
        self.slot_boxes = {mid: c.removeprefix("tp-slot-") for mid in states for c in classes(mid)
                           if c.startswith("tp-slot-") and c != "tp-slot-note"}
        self.slots = {lesson: ref.removeprefix("IPY_MODEL_") for mid, lesson in self.slot_boxes.items()
                      for ref in states[mid]["state"].get("children", [])}  # a slot's signal: its one child
        missing = [p for p in PANELS if p not in panels and p not in self.slots]
        if missing:
            raise RuntimeError(f"page without panels {missing}")
        todo = [panels["lr"]]
        while todo:  # the panel's subtree, through every container's children
            mid = todo.pop()
            todo += [ref.removeprefix("IPY_MODEL_") for ref in states[mid]["state"].get("children", [])]
            self.controls.update((c, mid) for c in classes(mid) if c.startswith("tp-"))
            if states[mid]["model_module"] not in CONTROLS:
                self.plot_comms.add(mid)
        if "tp-run" not in self.controls or not self.plot_comms:
            raise RuntimeError("no Run button or no plot in the learning-rate panel")

    def send(self, msg_type: str, content: dict, metadata: dict | None = None) -> str:
        msg = self.session.msg(msg_type, content, metadata=metadata)
        self.ws.write_message(serialize_msg_to_ws_v1(msg, "shell", self.session.pack), binary=True)
        return msg["header"]["msg_id"]

    async def read_forever(self) -> None:
        """Drain the socket as a browser does: tornado's client holds one unread message and, past it, stops
        answering the server's pings, which closes an idle learner's socket after 90 s."""
        while (raw := await self.ws.read_message()) is not None:
            self.inbox.put_nowait((time.monotonic(), raw))
        self.inbox.put_nowait((time.monotonic(), None))

    async def receive(self) -> tuple[float, dict]:
        """The next message and when it arrived."""
        arrived, raw = await self.inbox.get()
        if raw is None:
            raise ConnectionError("the kernel websocket closed")
        _channel, parts = deserialize_msg_from_ws_v1(raw)
        return arrived, self.session.deserialize([b"", *parts])  # no signature on the websocket

    async def until(self, wanted) -> dict:
        while not wanted(msg := (await self.receive())[1]):
            pass
        return msg

    def click(self, css: str) -> None:
        self.send("comm_msg", {"comm_id": self.controls[css], "data": {"method": "custom", "content": {"event": "click"}}})

    def type_in(self, css: str, text: str) -> None:
        """A text box's new value, as the page sends it when the learner presses Enter."""
        self.send("comm_msg", {"comm_id": self.controls[css],
                               "data": {"method": "update", "state": {"value": text}, "buffer_paths": []}})

    def set_name(self, name: str) -> None:
        """Type a display name into the header's box (there on a class server that keeps a record)."""
        self.send("comm_msg", {"comm_id": self.anywhere["tp-record-name"],
                               "data": {"method": "update", "state": {"value": name}, "buffer_paths": []}})

    def predict(self, exercise_id: str, value) -> None:
        """Commit a prediction on the learning-rate lesson's exercise card, as block.js sends it."""
        block = next(mid for c, mid in self.controls.items() if c == "tp-exercises-block")
        self.send("comm_msg", {"comm_id": block, "data": {"method": "custom", "content": {
            "type": "predict", "id": exercise_id, "value": value}}})

    async def run_presets(self) -> None:
        """Click Run; read updates until the panel's table lists four runs with fingerprints."""
        self.clicked, self.clicked_wall = time.monotonic(), time.time()
        self.click("tp-run")
        self.rows, self.finished = await self.table_of(4)

    async def add_curve(self, rate: str) -> None:
        """Type a rate into the custom box, click Add curve, read until the table lists its run too."""
        self.type_in("tp-lr", rate)
        self.click("tp-lr-add")
        self.rows, _ = await self.table_of(len(self.rows) + 1)

    async def table_of(self, runs: int) -> tuple[list, float]:
        """Read messages until the panel's table lists `runs` runs; counts plot updates on the way."""
        since = time.monotonic()
        while True:
            arrived, msg = await self.receive()
            if arrived < since or msg["msg_type"] != "comm_msg":  # before the click: not this run's
                continue
            if msg["content"]["comm_id"] in self.plot_comms:
                self.updates += 1
                if self.first_update is None:
                    self.first_update, self.first_update_dated = arrived, msg["header"]["date"].timestamp()
                continue
            value = msg["content"]["data"].get("state", {}).get("value")
            if isinstance(value, str) and "tp-lr-table" in value and len(rows := ROW.findall(value)) == runs:
                return rows, arrived

    def disconnect(self) -> None:
        """Close the websocket only, as a tab that vanished (no beacon): the kernel keeps the learner's seat."""
        if self.ws is not None:
            self.ws.close()
            self.reader.cancel()

    async def leave(self) -> None:
        """Close the tab: the websocket, then the beacon that shuts the kernel down (as the page does)."""
        self.disconnect()
        if self.kernel_id:
            await AsyncHTTPClient().fetch(f"{self.url}/voila/api/shutdown/{self.kernel_id}", method="POST",
                                          body=urlencode({"_xsrf": self.xsrf}), headers={"Cookie": self.cookies},
                                          raise_error=False)


def quantiles(values) -> dict:
    """p50, p95 (nearest rank) and max of a list; None where nothing was measured."""
    if not values:
        return {"p50": None, "p95": None, "max": None}
    ordered = sorted(values)
    rank = lambda q: ordered[max(0, math.ceil(q * len(ordered)) - 1)]  # noqa: E731
    return {"p50": rank(0.5), "p95": rank(0.95), "max": ordered[-1]}


async def attempt(learners, step, timeout):
    """Run step(learner) for all at once; return each learner's error (None when it went through)."""
    async def one(learner):
        try:
            await asyncio.wait_for(step(learner), timeout)
        except Exception as exc:  # a learner that fails is counted as lost, the others go on
            return f"{step.__name__}: {type(exc).__name__} {exc}"[:200]
    return await asyncio.gather(*(one(learner) for learner in learners))


def class_pss_mb(server) -> float:
    """The whole class's memory: PSS of the server and of every process below it, summed (a page shared by
    several processes is split between them, so it counts once in the sum)."""
    total = 0.0
    for pid in [server.proc.pid, *descendant_pids(server.proc.pid)]:
        try:
            total += smaps_mb(pid)["pss"]
        except OSError:  # a process that ended meanwhile holds nothing
            pass
    return total


def cpu_now(pids) -> dict:
    """pid -> CPU seconds (user + system, all threads) used so far, for the processes that are still there."""
    used = {}
    for pid in pids:
        try:
            times = psutil.Process(pid).cpu_times()
        except psutil.Error:  # the kernel is gone: its learner is counted as lost
            continue
        used[pid] = times.user + times.system
    return used


def _kernel_pid(server, kernel_id: str) -> int | None:
    try:
        return kernel_pid(server, kernel_id)
    except (LookupError, OSError):  # the kernel is gone: its learner is already counted as lost
        return None


def kernel_rss_mb(server, kernel_id: str) -> float | None:
    try:
        return rss_mb(kernel_pid(server, kernel_id))
    except (LookupError, OSError):  # the kernel is gone: its learner is already counted as lost
        return None


async def a_class(server, n: int, run_timeout: float = RUN_TIMEOUT) -> tuple[list, list, float, dict]:
    """n learners load at once, then click Run at once; returns learners, errors, seconds until all were ready
    (or had failed), and what was measured on the way (seconds to each page ready, memory)."""
    AsyncHTTPClient.configure(None, max_clients=2 * n + 4)
    learners = [Learner(server.url) for _ in range(n)]
    start = time.monotonic()
    errors = await attempt(learners, Learner.load, LOAD_TIMEOUT + 30)  # the page's own GET times out first
    all_ready = time.monotonic() - start
    ready = [learner for learner, error in zip(learners, errors) if error is None]
    # CPU seconds the clicks cost, whatever else runs on the machine: each kernel's from its click to its table
    # (it is idle before and after), and the server's for relaying them all
    kernels = [pid for learner in ready if (pid := _kernel_pid(server, learner.kernel_id))]
    cpu_before = cpu_now([server.proc.pid, *kernels])
    run_errors = await attempt(ready, Learner.run_presets, run_timeout)
    cpu_after = cpu_now([server.proc.pid, *kernels])
    for learner, error in zip(ready, run_errors):
        errors[learners.index(learner)] = error
    measured = {"page_ready_s": [learner.ready - start for learner in ready],
                "first_lesson_s": [learner.first_lesson - start for learner in ready],
                "kernel_rss_mb": [mb for learner in ready if (mb := kernel_rss_mb(server, learner.kernel_id))],
                "server_rss_mb": rss_mb(server.proc.pid), "class_pss_mb": class_pss_mb(server),
                "load_average": os.getloadavg()[0],  # the machine's 1-minute load as the runs end: how busy it was
                "kernel_cpu_s": [cpu_after[pid] - cpu_before[pid] for pid in kernels if pid in cpu_after],
                "server_cpu_s": cpu_after[server.proc.pid] - cpu_before[server.proc.pid]}
    await asyncio.gather(*(learner.leave() for learner in learners), return_exceptions=True)  # measured already
    return learners, errors, all_ready, measured


def measure(n: int, cold: bool = False) -> dict:
    """One learner alone (the reference), then n at once, on a fresh class server with `make class`'s settings
    for a class of n: warm (a pool of n, the learners come once the server says the seats are ready) or cold
    (no pool)."""
    with class_server(Path(tempfile.mkdtemp(prefix="tp-class-load-")), size=max(n, 1), pool=0 if cold else None,
                      name="class-load") as server:
        seats_ready_s = None
        if not cold:  # the teacher starts the server before class and waits for its line
            wait_for_log(server, SEATS_READY, timeout=WARMING_TIMEOUT)
            seats_ready_s = float(WARMED_IN.search(log_text(server)).group(1))  # as the server measured it
        (alone,), (error,), _, _ = asyncio.run(a_class(server, 1))
        if error is not None:
            raise RuntimeError(f"one learner alone failed: {error}")
        if not cold:
            wait_for_log(server, SEATS_READY, count=2, timeout=WARMING_TIMEOUT)  # its seat is warm again
        load_before = os.getloadavg()[0]
        learners, errors, all_ready, measured = asyncio.run(a_class(server, n))
    same = [e is None and learner.rows == alone.rows for learner, e in zip(learners, errors)]
    done = [learner for learner, e in zip(learners, errors) if e is None]
    return {
        "learners": n, "warm": not cold, "pool": 0 if cold else n, "seats_ready_s": seats_ready_s,
        "all_pages_ready_s": all_ready,
        "page_ready_s": quantiles(measured["page_ready_s"]),
        "first_lesson_ready_s": quantiles(measured["first_lesson_s"]),
        "click_to_first_update_s": quantiles([learner.first_update - learner.clicked for learner in done]),
        "click_to_first_update_dated_s": quantiles([learner.first_update_dated - learner.clicked_wall
                                                    for learner in done]),
        "click_to_finished_s": quantiles([learner.finished - learner.clicked for learner in done]),
        "alone_click_to_first_update_s": alone.first_update - alone.clicked,
        "alone_click_to_finished_s": alone.finished - alone.clicked,
        "plot_updates_per_run": quantiles([learner.updates for learner in done]),
        "kernel_cpu_per_click_s": quantiles(measured["kernel_cpu_s"]), "server_cpu_s": measured["server_cpu_s"],
        "kernel_rss_mb": quantiles(measured["kernel_rss_mb"]), "server_rss_mb": measured["server_rss_mb"],
        "class_pss_mb": measured["class_pss_mb"],
        "load_average": measured["load_average"], "load_average_before": load_before,
        "finished_same_as_alone": sum(same), "lost": n - sum(same),
        "alone_fingerprints": [fingerprint for *_, fingerprint in alone.rows],
        "errors": sorted({e for e in errors if e}),
        "date": time.strftime("%Y-%m-%d %H:%M"), "command": " ".join([".venv/bin/python", *sys.argv]),
    }


def summary(f: dict) -> str:
    """One paragraph a teacher can read (the goals are bench/measures.py's, in docs/performance.md's table)."""
    def spread(q, unit="s", digits=2):
        return " / ".join("—" if q[k] is None else f"{q[k]:.{digits}f}" for k in ("p50", "p95", "max")) + " " + unit

    warm = f.get("warm")
    how = ("warm: the server's pool of " + f"{f['pool']} said its seats were ready in {f['seats_ready_s']:.0f} s"
           if warm else "cold: no pool" if warm is not None else f"pool {f.get('pool', '?')}")
    return (f"{f['learners']} learners, {how} (p50 / p95 / max): page ready {spread(f['page_ready_s'], digits=1)}"
            + (f" (its first lesson {spread(f['first_lesson_ready_s'], digits=1)})" if "first_lesson_ready_s" in f else "")
            + ", "
            f"all in {f['all_pages_ready_s']:.1f} s; click → first update {spread(f['click_to_first_update_s'])}"
            + (f" (dated by the kernel {spread(f['click_to_first_update_dated_s'])} after the click)"
               if "click_to_first_update_dated_s" in f else "") + "; "
            f"click → finished {spread(f['click_to_finished_s'])}; "
            f"one learner alone {f['alone_click_to_first_update_s']:.2f} / {f['alone_click_to_finished_s']:.2f} s; "
            + (f"CPU a click costs its kernel {spread(f['kernel_cpu_per_click_s'])}, the server "
               f"{f['server_cpu_s']:.2f} s for all; plot updates a run {spread(f['plot_updates_per_run'], '', 0)}; "
               if "kernel_cpu_per_click_s" in f else "") +
            f"kernel RSS {spread(f['kernel_rss_mb'], 'MB', 0)}; server {f['server_rss_mb']:.0f} MB"
            + (f"; the whole class (server + kernels, PSS summed) {f['class_pss_mb']:.0f} MB"
               if "class_pss_mb" in f else "")
            + f"; same fingerprints as alone: {f['finished_same_as_alone']} of {f['learners']}; "
            f"machine load {f.get('load_average_before', f['load_average']):.1f} → {f['load_average']:.1f} "
            f"on {os.cpu_count()} cores" + (f"; errors: {f['errors']}" if f["errors"] else ""))


def entry(figures: dict) -> str:
    """The figures' key in bench/latest.json's "class" entry: "30" warm, "30-cold"."""
    return f"{figures['learners']}{'' if figures.get('warm', True) else '-cold'}"


def with_earlier(figures: dict) -> dict:
    """bench/latest.json's "class" entry with these figures put under their entry (the others kept)."""
    earlier = json.loads(LATEST.read_text()).get("class", {}) if LATEST.exists() else {}
    return {**earlier, entry(figures): figures}


def named_figures(figures: dict) -> dict:
    """The figures bench/measures.py names (goals for thirty learners), e.g. class_30_warm_page_ready_p95_s."""
    n, kind = figures["learners"], "warm" if figures["warm"] else "cold"
    named = {f"class_{n}_{kind}_page_ready_p50_s": figures["page_ready_s"]["p50"],
             f"class_{n}_{kind}_page_ready_p95_s": figures["page_ready_s"]["p95"]}
    if "first_lesson_ready_s" in figures:
        named[f"class_{n}_{kind}_first_lesson_p95_s"] = figures["first_lesson_ready_s"]["p95"]
    if figures["warm"]:  # the clicks and the memory of a class as `make class` serves it
        named.update({f"class_{n}_warm_seats_ready_s": figures["seats_ready_s"],
                      f"class_{n}_first_update_p95_s": figures["click_to_first_update_s"]["p95"],
                      f"class_{n}_finished_p95_s": figures["click_to_finished_s"]["p95"],
                      f"class_{n}_total_mb": figures["class_pss_mb"]})
        if "kernel_cpu_per_click_s" in figures:  # (entries from before it was measured have no CPU figures)
            named.update({f"class_{n}_kernel_cpu_per_click_s": figures["kernel_cpu_per_click_s"]["p50"],
                          f"class_{n}_server_cpu_per_click_s": figures["server_cpu_s"] / n})
    return {key: value for key, value in named.items() if value is not None}


def record(result: dict, figures: dict) -> dict:
    """bench/latest.json's content with these figures: the class entry, the named figures, when and how."""
    result["class"] = with_earlier(figures)
    result.update(named_figures(figures))
    result.setdefault("measured", {})[f"class_{figures['learners']}_{'warm' if figures['warm'] else 'cold'}"] = {
        "date": figures["date"], "command": figures["command"],
        "load_average": [round(figures["load_average_before"], 1), round(figures["load_average"], 1)]}
    return result


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--learners", type=int, nargs="+", default=[30], help="class sizes, one after another")
    p.add_argument("--cold", action="store_true", help="no warm pool: each page starts its own kernel")
    p.add_argument("--record-ratio", action="store_true",
                   help="measure click → finished p95 with the class record off and on, and their ratio")
    p.add_argument("--rounds", type=int, default=1, help="with --record-ratio: off/on pairs (default 1)")
    p.add_argument("--together", action="store_true",
                   help="with --record-ratio: both servers at once, their learners clicking together")
    args = p.parse_args(argv)
    if min(args.learners) < 1:
        p.error("--learners must be at least 1")
    return args


def main(argv=None):
    args = parse_args(argv)
    if args.record_ratio:
        from bench.record_ratio import measure_record  # its own file: the record's bench (issue 26)

        for n in args.learners:
            print(f"class record on/off: {n} learners …", flush=True)
            figures = measure_record(n, args.rounds, args.together)
            result = json.loads(LATEST.read_text()) if LATEST.exists() else {}
            result.setdefault("class_record", {})[str(n)] = figures
            LATEST.write_text(json.dumps(result, indent=1, sort_keys=True))
            print(f"{n} learners: click → finished p95 off {figures['click_to_finished_p95_off_s']} s, "
                  f"on {figures['click_to_finished_p95_on_s']} s; on/off {figures['ratio_on_off']:.3f} "
                  f"(goal ≤ 1.10); runs kept {figures['runs_kept']} of {figures['runs_expected']}; "
                  f"lost {figures['lost']}; load {figures['load_average']:.1f}", flush=True)
        return
    for n in args.learners:
        print(f"class load: {n} learners, {'cold' if args.cold else 'warm'} …", flush=True)
        figures = measure(n, cold=args.cold)
        result = json.loads(LATEST.read_text()) if LATEST.exists() else {}
        LATEST.write_text(json.dumps(record(result, figures), indent=1, sort_keys=True))
        print(summary(figures), flush=True)


if __name__ == "__main__":
    main()
