"""The class server (class/serve.py) for tests and the class bench: start it, read its log, find a kernel's
process and what it runs under, and the steps a learner's page takes on it."""
from __future__ import annotations

import json
import os
import re
import time
import urllib.error
import urllib.request
from pathlib import Path

from servers import (ACTION_TIMEOUT_MS, BIN, ROOT, VOILA_READY, Server, command_line, descendant_pids, free_port,
                     wait_for_every_panel)

SERVE = ROOT / "class" / "serve.py"
LOAD_TIMEOUT_MS = 240_000


def class_server(tmp: Path, size: int, pool: int | None, idle_seconds: float = 600, memory: str = "4G",
                 env: dict | None = None, name: str = "class", seats_per_client: int = 0,
                 unconnected_seconds: float = 600, record: bool = True, warm_starts: int | None = None) -> Server:
    """class/serve.py on a free loopback port, its kernel spec written under tmp. Every test learner comes
    from 127.0.0.1, so the per-client seat limit is off unless a test sets it; and ten pages opened at once
    on two busy cores took up to 47 s to open their websockets (a learner's own browser takes seconds),
    so the unconnected cull waits as long as the idle cull unless a test sets it. The class record (and the
    teacher's token) live in tmp/data; record=False serves without them (--no-record). pool=None,
    warm_starts=None: class/serve.py's defaults (a pool the size of the class)."""
    port = free_port()
    argv = [str(BIN / "python"), str(SERVE), f"--size={size}", f"--idle-seconds={idle_seconds}",
            f"--memory={memory}", "--host=127.0.0.1", f"--port={port}", f"--kernel-dir={tmp / 'kernels'}",
            f"--seats-per-client={seats_per_client}", f"--unconnected-seconds={unconnected_seconds}",
            f"--data={tmp / 'data'}" if record else "--no-record",
            *([] if pool is None else [f"--pool={pool}"]),
            *([] if warm_starts is None else [f"--warm-starts={warm_starts}"])]
    return Server(argv, f"http://127.0.0.1:{port}", VOILA_READY, env=env, log_name=f"{name}-{port}")


def log_text(server: Server) -> str:
    server.log.flush()
    return server.log_path.read_text(errors="replace")


# class/serve.py's warm pool (class/warm_pool.py) says when its kernels wait for their pages
SEATS_READY = r"class: (\d+) seats? ready in \d+ s(?: \((\d+) taken\))?"


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


def wait_until_gone(server: Server, kid: str, timeout: float = 180) -> None:
    """Until the server no longer lists the kernel: Jupyter logs "Kernel shutdown" when it begins shutting one
    down and removes it from /api/kernels only once its process has gone."""
    deadline = time.monotonic() + timeout
    while kernel_exists(server, kid):
        assert time.monotonic() < deadline, f"kernel {kid} is still listed after {timeout:g} s"
        time.sleep(0.3)


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


def open_dashboard(browser, server: Server, loaded: bool = True):
    """A new browser context (a learner of their own) with the dashboard loaded; with loaded=False, as soon
    as the server has begun to answer (its kernel is taken), and wait_for_dashboard(page) waits for the rest."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    page = context.new_page()
    page.goto(server.url + "/", timeout=LOAD_TIMEOUT_MS, wait_until="load" if loaded else "commit")
    if loaded:
        wait_for_dashboard(page)
    return page


def wait_for_dashboard(page) -> None:
    wait_for_every_panel(page, LOAD_TIMEOUT_MS)
    page.wait_for_selector(".tp-panel-lr .js-plotly-plot", timeout=LOAD_TIMEOUT_MS)


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
