"""A class on one machine: `make class`'s server (class/serve.py) with ten learners at once.

Ten learners load the dashboard from ONE class server (preheated pool, memory-capped kernels) at the same
time; each types its own custom learning rate, runs the learning-rate panel and adds its curve. Three of them
do it in browser contexts of their own, as a learner clicks; seven speak the page's protocol to the server
(bench/class_load.py's Learner: the same page GET, kernel websocket, widget states and clicks, no browser), so
the server carries ten learners while two cores draw three pages. Each must get the right curves from its
own kernel. Then: an eleventh learner gets the "class is full" page; a page's websocket cannot make its
kernel run code; closing a tab frees the seat at once.
"""
from __future__ import annotations

import asyncio
import json
import os
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bench.class_load import Learner
from classroom import (address_space_limit, assert_listens_on_private_files, class_server, curve_lengths, http_status,
                       kernel_exists, kernel_id, kernel_pid, LOAD_TIMEOUT_MS, log_text, rss_mb, set_box, status,
                       wait_for_log, wait_until_gone)
from servers import ARTIFACTS, wait_for_every_panel

pytestmark = pytest.mark.browser
LEARNERS = 10  # at once on one class server
IN_BROWSERS = 3  # of them; the others speak the protocol
POOL = 3
PRESETS = ("too small", "about right", "too large", "diverged")  # the four preset runs' regimes, in order

# The four presets finished: three full curves, the diverging one cut short, labels drawn, status Ready.
PRESETS_DONE = """() => {
    const plot = document.querySelectorAll('.tp-panel-lr .js-plotly-plot')[0];
    if (!plot || !plot.data) return false;
    const n = Array.from(plot.data).slice(0, 4).map(t => (t.y ? t.y.length : 0));
    return n[0] === 154 && n[1] === 154 && n[2] === 154 && n[3] > 0
        && document.querySelector('.tp-status').innerText.trim() === 'Ready.'
        && document.querySelector('.tp-panel-lr').innerText.includes('about right');
}"""


# -- ten learners -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with class_server(tmp_path_factory.mktemp("class"), size=LEARNERS, pool=POOL) as srv:
        wait_for_log(srv, r"Kernel pool of app\.ipynb is filled")  # the teacher starts it before class
        yield srv


@pytest.fixture(scope="module")
def classroom(server, browser):
    """Ten learners loading the page at the same time, three in browser contexts of their own and seven
    speaking the protocol; each types its own custom rate, runs the four presets, then adds its custom
    curve. Pages and kernels stay."""
    lrs = [f"0.0{11 + i}" for i in range(LEARNERS)]  # 0.011 … 0.020: each learner's own rate
    contexts = [browser.new_context(viewport={"width": 1280, "height": 900}) for _ in range(IN_BROWSERS)]
    pages = [c.new_page() for c in contexts]
    console = [[] for _ in pages]  # each page's console errors, printed if something fails
    for log, page in zip(console, pages):
        page.on("console", lambda msg, log=log: log.append(msg.text[:300]) if msg.type == "error" else None)
        page.on("pageerror", lambda exc, log=log: log.append(f"pageerror: {exc}"[:300]))
    with ThreadPoolExecutor(1) as pool:  # the protocol learners' own event loop: Playwright's holds this thread
        spoken = pool.submit(asyncio.run, _spoken_learners(server, lrs[IN_BROWSERS:]))
        try:
            result = _browser_learners(server, pages, lrs[:IN_BROWSERS])
        except Exception:
            ARTIFACTS.mkdir(exist_ok=True)
            for i, page in enumerate(pages):  # what each learner saw, for the CI artifacts
                page.screenshot(path=str(ARTIFACTS / f"09-class-learner{i}-failed.png"), full_page=True)
                print(f"learner {i}:", page.evaluate("""() => {
                    const plot = document.querySelectorAll('.tp-panel-lr .js-plotly-plot')[0];
                    return {status: (document.querySelector('.tp-status') || {}).innerText, times: window.tpTimes,
                            lengths: plot && plot.data ? Array.from(plot.data).map(t => (t.y ? t.y.length : 0)) : null};
                }"""), "console errors:", console[i][:5])
            raise
        learners = spoken.result()
    kernels = result["kernels"] + [learner.kernel_id for learner in learners]
    pids = [kernel_pid(server, kid) for kid in kernels]
    print(f"kernel resident memory after load + runs: {', '.join(f'{rss_mb(p):.0f}' for p in pids)} MB; "
          f"server {rss_mb(server.proc.pid):.0f} MB")
    yield {**result, "pages": pages, "learners": learners, "lrs": lrs, "kernels": kernels, "pids": pids}
    for context in contexts:
        context.close()


async def _spoken_learners(server, lrs) -> list:
    """Protocol learners: load at once, type their rates, run the presets at once, add their curves. They do
    not leave: their kernels hold their seats, as the browser learners' tabs do."""
    learners = [Learner(server.url) for _ in lrs]
    for step in (Learner.load, Learner.run_presets):
        await asyncio.gather(*(asyncio.wait_for(step(learner), LOAD_TIMEOUT_MS / 1000) for learner in learners))
    await asyncio.gather(*(asyncio.wait_for(learner.add_curve(lr), LOAD_TIMEOUT_MS / 1000)
                           for learner, lr in zip(learners, lrs)))
    for learner in learners:
        learner.disconnect()
    return learners


def _browser_learners(server, pages, lrs):
    started = time.monotonic()
    for page in pages:  # all requests go out before any page is waited for
        page.goto(server.url + "/", wait_until="commit", timeout=LOAD_TIMEOUT_MS)
    for page in pages:
        wait_for_every_panel(page, LOAD_TIMEOUT_MS)
        page.wait_for_selector(".tp-panel-lr .js-plotly-plot", timeout=LOAD_TIMEOUT_MS)
    all_loaded_s = time.monotonic() - started
    for page, lr in zip(pages, lrs):
        set_box(page, ".tp-panel-lr .tp-lr input", lr)
        # the page times itself: from the click to the four finished curves
        page.evaluate("""done => {
            window.tpTimes = {clicked: null, done: null};
            document.querySelector('.tp-panel-lr .tp-run').addEventListener('click',
                () => { window.tpTimes.clicked = performance.now(); }, true);
            const check = new Function('return (' + done + ')()');
            const timer = setInterval(() => {
                if (window.tpTimes.clicked !== null && check()) { window.tpTimes.done = performance.now(); clearInterval(timer); }
            }, 100);
        }""", PRESETS_DONE)
    for page in pages:  # clicks within a fraction of a second: the runs overlap
        page.click(".tp-panel-lr .tp-run")
    for page in pages:
        page.wait_for_function("() => window.tpTimes.done !== null", timeout=240_000, polling=100)
    seconds = [page.evaluate("() => (window.tpTimes.done - window.tpTimes.clicked) / 1000") for page in pages]
    for page in pages:
        page.click(".tp-panel-lr .tp-lr-add")
    for page in pages:
        page.wait_for_function("() => document.querySelector('.tp-panel-lr .js-plotly-plot')?.data[4].y.length"
                               " === 154 && document.querySelector('.tp-status').innerText.trim() === 'Ready.'",
                               timeout=240_000)
    print(f"\n{LEARNERS} learners on one class server (pool {POOL}, {IN_BROWSERS} in browsers): the pages loaded in "
          f"{all_loaded_s:.1f} s; click-to-curves (four presets, runs overlapping): {', '.join(f'{s:.2f}' for s in seconds)} s")
    return {"kernels": [kernel_id(page) for page in pages], "seconds": seconds}


def table_rows(page) -> list:
    """The LR panel's table as the page shows it: (rate, regime, final loss, fingerprint) per run."""
    return page.evaluate("""() => Array.from(document.querySelectorAll('.tp-panel-lr .tp-lr-table tr')).slice(1)
        .map(row => Array.from(row.cells).map(cell => cell.innerText.trim()))""")


def every_table(classroom) -> list:
    """Each learner's table, browser learners first: [(rate, regime, final loss, fingerprint), …] per learner."""
    shown = [[tuple(row) for row in table_rows(page)] for page in classroom["pages"]]
    return shown + [[tuple(row) for row in learner.rows] for learner in classroom["learners"]]


def test_ten_learners_each_get_correct_curves(classroom):
    for page in classroom["pages"]:
        lengths = curve_lengths(page)
        assert lengths[:3] == [154, 154, 154] and 0 < lengths[3] < 154, lengths  # the diverging run ends early
        assert lengths[4] == 154 and not any(lengths[5:])  # exactly one custom curve, its own (the rest: spares)
        text = page.inner_text(".tp-panel-lr")
        for regime in PRESETS:
            assert regime in text
        body = page.inner_text("body")
        assert "Traceback" not in body and "went wrong" not in body and status(page) == "Ready."
    tables = every_table(classroom)
    assert len(tables) == LEARNERS
    for table in tables:  # four presets in their regimes, then the learner's own curve
        assert len(table) == 5, table
        assert [regime.split(" at step")[0] for _rate, regime, _final, _fp in table[:4]] == list(PRESETS), table
    assert all(s > 0 for s in classroom["seconds"])


def test_no_cross_talk_each_page_has_its_own_kernel_and_its_own_rate(classroom):
    kernels, pids = classroom["kernels"], classroom["pids"]
    assert len(set(kernels)) == LEARNERS and len(set(pids)) == LEARNERS
    for page, lr in zip(classroom["pages"], classroom["lrs"]):
        names = page.evaluate("() => Array.from(document.querySelector('.tp-panel-lr .js-plotly-plot').data)"
                              ".map(t => t.name || '')")
        assert names[4].startswith(f"lr={float(lr):g} "), names
        assert page.input_value(".tp-panel-lr .tp-lr input") == lr
    for table, lr in zip(every_table(classroom), classroom["lrs"]):  # its own rate, and no one else's
        rates = [rate for rate, *_ in table]
        assert rates[4] == f"lr={float(lr):g}" and not any(f"lr={float(o):g}" in rates for o in classroom["lrs"]
                                                              if o != lr), rates
    # Same seed and settings in ten separate kernels: the preset runs agree to the bit.
    curves = [page.evaluate("() => Array.from(document.querySelector('.tp-panel-lr .js-plotly-plot').data)"
                            ".slice(0, 3).map(t => Array.from(t.y))") for page in classroom["pages"]]
    assert all(c == curves[0] for c in curves)
    fingerprints = [[fp for *_, fp in table[:4]] for table in every_table(classroom)]
    assert all(f == fingerprints[0] for f in fingerprints), fingerprints


def test_every_kernel_runs_under_the_memory_cap_with_one_thread_on_private_files(classroom):
    for pid in classroom["pids"]:
        assert_listens_on_private_files(pid)
        assert address_space_limit(pid) == str(4 * 1024 ** 3)
        environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        assert b"OMP_NUM_THREADS=1" in environ and b"MALLOC_ARENA_MAX=2" in environ
        assert os.readlink(f"/proc/{pid}/exe").startswith("/")  # started by its absolute path


def test_an_eleventh_learner_gets_the_class_is_full_page(classroom, server):
    # ten learners' kernels, the pool's three among them: warm kernels and taken seats never exceed the class
    wait_for_log(server, r"Kernel started: ", LEARNERS)
    code, body, headers = http_status(server.url + "/")
    assert code == 503 and headers.get("Retry-After") == "60"
    assert "The class is full — try again in a minute." in body and "课堂已满" in body
    assert "font-family: system-ui" in body and "refusal.css" not in body  # the shared look is put in
    assert "Traceback" not in body and "kernel" not in body.lower()


async def _send_over_websocket(url: str, marker: Path) -> list:
    """Connect to a kernel's channels as a page does; send an execute_request, then a kernel_info_request.
    Returns the (msg_type, parent msg_id) of every JSON message received until the kernel_info_reply."""
    from tornado.websocket import websocket_connect

    ws = await websocket_connect(url)
    session = uuid.uuid4().hex

    def message(msg_type, content):
        msg_id = uuid.uuid4().hex
        return msg_id, json.dumps({
            "header": {"msg_id": msg_id, "msg_type": msg_type, "username": "learner", "session": session,
                       "date": "2025-01-01T00:00:00.000Z", "version": "5.3"},
            "parent_header": {}, "metadata": {}, "content": content, "channel": "shell", "buffers": []})

    code = f"open({str(marker)!r}, 'w').write('a learner ran code')"
    execute_id, execute = message("execute_request", {"code": code, "silent": False, "store_history": False,
                                                      "user_expressions": {}, "allow_stdin": False})
    info_id, info = message("kernel_info_request", {})
    await ws.write_message(execute)
    await ws.write_message(info)
    seen = []
    try:
        while True:
            raw = await asyncio.wait_for(ws.read_message(), timeout=60)
            assert raw is not None, "the websocket closed"
            if isinstance(raw, bytes):
                continue  # a binary widget update from the page's own runs
            msg = json.loads(raw)
            parent = msg.get("parent_header", {}).get("msg_id")
            seen.append((msg["header"]["msg_type"], parent))
            if msg["header"]["msg_type"] == "kernel_info_reply" and parent == info_id:
                return [(t, "execute" if p == execute_id else p) for t, p in seen]
    finally:
        ws.close()


def test_a_page_cannot_make_its_kernel_run_code(classroom, server, tmp_path):
    """Voila forwards only widget (comm), kernel_info and shutdown messages: an execute_request sent over
    the page's own websocket is dropped, while a kernel_info_request on the same socket is answered."""
    kid = classroom["kernels"][0]
    marker = tmp_path / "ran.txt"
    url = server.url.replace("http://", "ws://") + f"/api/kernels/{kid}/channels?session_id={uuid.uuid4().hex}"
    with ThreadPoolExecutor(1) as pool:  # its own event loop: Playwright's sync API holds this thread's
        seen = pool.submit(asyncio.run, _send_over_websocket(url, marker)).result()
    assert not marker.exists()
    assert not any(parent == "execute" for _, parent in seen), seen  # no execute_input/reply/stream for it
    assert "Received message of type \"execute_request\", which is not allowed" in log_text(server)
    assert kernel_exists(server, kid)


def test_closing_a_tab_frees_its_seat_at_once(classroom, server):
    """A tab closed normally tells Voila (beforeunload beacon): the kernel is shut down, the seat is free."""
    page, kid = classroom["pages"][0], classroom["kernels"][0]
    assert http_status(server.url + "/")[0] == 503
    page.close(run_before_unload=True)
    wait_until_gone(server, kid, timeout=60)
    assert http_status(server.url + "/")[0] == 200
