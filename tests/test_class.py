"""A class on one machine: `make class`'s server (class/serve.py) with ten learners at once.

Ten browser contexts load the dashboard from ONE class server (preheated pool, memory-capped kernels),
each types its own custom learning rate, runs the learning-rate panel and adds its curve. Each must
get the right curves from its own kernel. Then: an eleventh learner gets the "class is full" page;
a page's websocket cannot make its kernel run code; closing a tab frees the seat at once.

The helpers here (class_server, kernel_id, kernel_pid, …) are shared with test_class_faults.py.
"""
from __future__ import annotations

import asyncio
import json
import os
import re
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from servers import (ACTION_TIMEOUT_MS, ARTIFACTS, BIN, ROOT, VOILA_READY, Server, command_line, descendant_pids,
                     free_port)

pytestmark = pytest.mark.browser
SERVE = ROOT / "class" / "serve.py"
LOAD_TIMEOUT_MS = 240_000
LEARNERS = 10
POOL = 3

# The four presets finished: three full curves, the diverging one cut short, labels drawn, status Ready.
PRESETS_DONE = """() => {
    const plot = document.querySelectorAll('.tp-panel-lr .js-plotly-plot')[0];
    if (!plot || !plot.data) return false;
    const n = Array.from(plot.data).slice(0, 4).map(t => (t.y ? t.y.length : 0));
    return n[0] === 154 && n[1] === 154 && n[2] === 154 && n[3] > 0
        && document.querySelector('.tp-status').innerText.trim() === 'Ready.'
        && document.querySelector('.tp-panel-lr').innerText.includes('about right');
}"""


# -- helpers shared with test_class_faults.py -----------------------------------------------------
def class_server(tmp: Path, size: int, pool: int, idle_seconds: float = 600, memory: str = "4G",
                 env: dict | None = None, name: str = "class", seats_per_client: int = 0,
                 unconnected_seconds: float = 600) -> Server:
    """class/serve.py on a free loopback port, its kernel spec written under tmp. Every test learner comes
    from 127.0.0.1, so the per-client seat limit is off unless a test sets it; and ten Chromium pages on
    two busy cores can take minutes to open their websockets (a learner's own browser takes seconds),
    so the unconnected cull waits as long as the idle cull unless a test sets it."""
    port = free_port()
    argv = [str(BIN / "python"), str(SERVE), f"--size={size}", f"--pool={pool}", f"--idle-seconds={idle_seconds}",
            f"--memory={memory}", "--host=127.0.0.1", f"--port={port}", f"--kernel-dir={tmp / 'kernels'}",
            f"--seats-per-client={seats_per_client}", f"--unconnected-seconds={unconnected_seconds}"]
    return Server(argv, f"http://127.0.0.1:{port}", VOILA_READY, env=env, log_name=f"{name}-{port}")


def log_text(server: Server) -> str:
    server.log.flush()
    return server.log_path.read_text(errors="replace")


def wait_for_log(server: Server, pattern: str, count: int = 1, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while len(re.findall(pattern, log_text(server))) < count:
        assert time.monotonic() < deadline, f"{pattern!r} not seen {count}× in {server.log_path}"
        time.sleep(0.5)


def http_status(url: str) -> tuple[int, str, dict]:
    """(status, first 20 kB of the body, headers) of a GET; a 4xx/5xx is an answer, not an error."""
    try:
        with urllib.request.urlopen(url, timeout=60) as r:
            return r.status, r.read(20_000).decode(errors="replace"), dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, e.read(20_000).decode(errors="replace"), dict(e.headers)


def kernel_id(page) -> str:
    return page.evaluate("() => JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId")


def kernel_exists(server: Server, kid: str) -> bool:
    return http_status(f"{server.url}/api/kernels/{kid}")[0] == 200


def kernel_pid(server: Server, kid: str) -> int:
    """The kernel's process, found in /proc: below the server, its command line names its connection file."""
    for pid in descendant_pids(server.proc.pid):
        if f"kernel-{kid}.json".encode() in command_line(pid):
            return pid
    raise LookupError(f"no process for kernel {kid}")


def kernel_connection(pid: int) -> dict:
    """The connection file a kernel process was started with (`-f <file>` on its command line)."""
    argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")
    return json.loads(Path(argv[argv.index("-f") + 1]).read_text())


def assert_listens_on_private_files(pid: int) -> None:
    """voila.json's KernelManager.transport: IPC files in the server's own 0700 folder, no TCP port to take or reach."""
    connection = kernel_connection(pid)
    assert connection["transport"] == "ipc", connection
    assert os.stat(Path(connection["ip"]).parent).st_mode & 0o077 == 0


def proc_field(pid: int, field: str) -> str:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return line.split(":", 1)[1].strip()
    raise KeyError(field)


def rss_mb(pid: int) -> float:
    return int(proc_field(pid, "VmRSS").split()[0]) / 1024


def address_space_limit(pid: int) -> str:
    for line in Path(f"/proc/{pid}/limits").read_text().splitlines():
        if line.startswith("Max address space"):
            return line.split()[3]
    raise KeyError("Max address space")


def open_dashboard(browser, server: Server):
    """A new browser context (a learner of their own) with the dashboard loaded."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    page = context.new_page()
    page.goto(server.url + "/", timeout=LOAD_TIMEOUT_MS)
    page.wait_for_selector(".tp-panel-gpu", timeout=LOAD_TIMEOUT_MS)
    page.wait_for_selector(".tp-panel-lr .js-plotly-plot", timeout=LOAD_TIMEOUT_MS)
    return page


def curve_lengths(page, panel="lr", index=0):
    return page.evaluate(
        """([panel, index]) => Array.from(document.querySelectorAll(`.tp-panel-${panel} .js-plotly-plot`)[index].data)
               .map(t => (t.y ? t.y.length : 0))""", [panel, index])


def status(page) -> str:
    return page.inner_text(".tp-status").strip()


def wait_status(page, *fragments, timeout=60_000):
    page.wait_for_function("frags => frags.some(f => document.querySelector('.tp-status').innerText.includes(f))",
                           arg=list(fragments), timeout=timeout)


def set_box(page, selector, text):
    box = page.locator(selector)
    box.fill(text)
    box.press("Enter")


def add_custom_curve(page, lr_text, slot=4, timeout=60_000):
    """Type a rate into the LR panel's custom box, press Add curve, wait until its run (in trace `slot`:
    4, 5, 6 for the first, second, third custom curve) ends."""
    set_box(page, ".tp-panel-lr .tp-lr input", lr_text)
    page.click(".tp-panel-lr >> text=Add curve")
    page.wait_for_function("slot => document.querySelector('.tp-panel-lr .js-plotly-plot')?.data[slot].y.length"
                           " > 0 && document.querySelector('.tp-status').innerText.trim() === 'Ready.'",
                           arg=slot, timeout=timeout)


# -- ten learners -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with class_server(tmp_path_factory.mktemp("class"), size=LEARNERS, pool=POOL) as srv:
        wait_for_log(srv, r"Kernel pool of app\.ipynb is filled")  # the teacher starts it before class
        yield srv


@pytest.fixture(scope="module")
def classroom(server, browser):
    """Ten learners, each in a browser context of their own, loading the page at the same time; each
    types its own custom rate, runs the four presets, then adds its custom curve. Pages stay open."""
    lrs = [f"0.0{11 + i}" for i in range(LEARNERS)]  # 0.011 … 0.020: each learner's own rate
    contexts = [browser.new_context(viewport={"width": 1280, "height": 900}) for _ in range(LEARNERS)]
    pages = [c.new_page() for c in contexts]
    console = [[] for _ in pages]  # each page's console errors, printed if something fails
    for log, page in zip(console, pages):
        page.on("console", lambda msg, log=log: log.append(msg.text[:300]) if msg.type == "error" else None)
        page.on("pageerror", lambda exc, log=log: log.append(f"pageerror: {exc}"[:300]))
    try:
        result = _ten_learners(server, pages, lrs)
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
    yield {**result, "pages": pages, "contexts": contexts, "lrs": lrs}
    for context in contexts:
        context.close()


def _ten_learners(server, pages, lrs):
    started = time.monotonic()
    for page in pages:  # all ten requests go out before any page is waited for
        page.goto(server.url + "/", wait_until="commit", timeout=LOAD_TIMEOUT_MS)
    for page in pages:
        page.wait_for_selector(".tp-panel-gpu", timeout=LOAD_TIMEOUT_MS)
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
            }, 100);  // ten pages each laying out their panel: every 100 ms, not 20
        }""", PRESETS_DONE)
    for page in pages:  # ten clicks within a fraction of a second: the runs overlap
        page.click(".tp-panel-lr .tp-run")
    for page in pages:
        page.wait_for_function("() => window.tpTimes.done !== null", timeout=240_000, polling=100)
    seconds = [page.evaluate("() => (window.tpTimes.done - window.tpTimes.clicked) / 1000") for page in pages]
    for page in pages:
        page.click(".tp-panel-lr >> text=Add curve")
    for page in pages:
        page.wait_for_function("() => document.querySelector('.tp-panel-lr .js-plotly-plot')?.data[4].y.length"
                               " === 154 && document.querySelector('.tp-status').innerText.trim() === 'Ready.'",
                               timeout=240_000)
    kernels = [kernel_id(page) for page in pages]
    pids = [kernel_pid(server, kid) for kid in kernels]
    print(f"\n{LEARNERS} learners on one class server (pool {POOL}): all pages loaded in {all_loaded_s:.1f} s; "
          f"click-to-curves (four presets, runs overlapping) slowest {max(seconds):.2f} s, "
          f"median {sorted(seconds)[LEARNERS // 2]:.2f} s; each: {', '.join(f'{s:.2f}' for s in seconds)}")
    print(f"kernel resident memory after load + runs: {', '.join(f'{rss_mb(p):.0f}' for p in pids)} MB; "
          f"server {rss_mb(server.proc.pid):.0f} MB")
    return {"kernels": kernels, "pids": pids, "seconds": seconds}


def test_ten_learners_each_get_correct_curves(classroom):
    for page in classroom["pages"]:
        lengths = curve_lengths(page)
        assert lengths[:3] == [154, 154, 154] and 0 < lengths[3] < 154, lengths  # the diverging run ends early
        assert lengths[4] == 154 and lengths[5:] == [0, 0]  # exactly one custom curve: its own
        text = page.inner_text(".tp-panel-lr")
        for regime in ("too small", "about right", "too large", "diverged"):
            assert regime in text
        body = page.inner_text("body")
        assert "Traceback" not in body and "went wrong" not in body and status(page) == "Ready."
    assert len(classroom["seconds"]) == LEARNERS and all(s > 0 for s in classroom["seconds"])


def test_no_cross_talk_each_page_has_its_own_kernel_and_its_own_rate(classroom):
    kernels, pids = classroom["kernels"], classroom["pids"]
    assert len(set(kernels)) == LEARNERS and len(set(pids)) == LEARNERS
    for page, lr in zip(classroom["pages"], classroom["lrs"]):
        names = page.evaluate("() => Array.from(document.querySelector('.tp-panel-lr .js-plotly-plot').data)"
                              ".map(t => t.name || '')")
        assert names[4].startswith(f"lr={float(lr):g} "), names
        table = page.inner_text(".tp-panel-lr .tp-lr-table")
        others = [f"lr={float(o):g}" for o in classroom["lrs"] if o != lr]
        assert f"lr={float(lr):g}" in table and not any(o in table for o in others), table
        assert page.input_value(".tp-panel-lr .tp-lr input") == lr
    # Same seed and settings in ten separate kernels: the preset curves agree to the bit.
    curves = [page.evaluate("() => Array.from(document.querySelector('.tp-panel-lr .js-plotly-plot').data)"
                            ".slice(0, 3).map(t => Array.from(t.y))") for page in classroom["pages"]]
    assert all(c == curves[0] for c in curves)


def test_every_kernel_runs_under_the_memory_cap_with_one_thread_on_private_files(classroom):
    for pid in classroom["pids"]:
        assert_listens_on_private_files(pid)
        assert address_space_limit(pid) == str(4 * 1024 ** 3)
        environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        assert b"OMP_NUM_THREADS=1" in environ and b"MALLOC_ARENA_MAX=2" in environ
        assert os.readlink(f"/proc/{pid}/exe").startswith("/")  # started by its absolute path


def test_an_eleventh_learner_gets_the_class_is_full_page(classroom, server):
    wait_for_log(server, r"Kernel started: ", LEARNERS + POOL)  # ten learners' kernels and a refilled pool
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
    deadline = time.monotonic() + 60
    while kernel_exists(server, kid):
        assert time.monotonic() < deadline, "the closed tab's kernel is still running"
        time.sleep(0.3)
    assert http_status(server.url + "/")[0] == 200
