"""Start and stop a Voila, JupyterLab or Notebook 7 server on a free loopback port, by PID, for browser tests."""
from __future__ import annotations

import contextlib
import os
import queue
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
ARTIFACTS = ROOT / "test-artifacts"
VOILA_READY = "/voila/templates/lab/static/index.css"  # answers once Voila listens; "/" would start a kernel
ACTION_TIMEOUT_MS = 120_000  # a hang guard: on two loaded cores a click's answer can take over 30 s
# A Voila page builds its first lesson's panel at once and each other once the page has drawn its slot
# (widgets/shell/panel_slot.py); the page guard marks <body data-tp-panels="built"> when every one is there.
EVERY_PANEL = "() => document.body?.dataset.tpPanels === 'built'"


# What a page that never got every panel shows instead: each lesson still a slot, and its note
PANELS_NOT_BUILT = """() => ({
    slots: Array.from(document.querySelectorAll(".tp-slot-note")).filter((note) => note.offsetParent !== null)
        .map((note) => [[...note.closest(".tp-slot").classList].find((c) => c.startsWith("tp-slot-")),
                        note.innerText.trim()]),
    banner: document.querySelector(".tp-panels-missing")?.innerText ?? null,
    status: document.querySelector(".tp-status")?.innerText ?? null,
})"""


def wait_for_every_panel(page, timeout: float) -> None:
    """Wait until a Voila page shows every lesson on its path as a built panel (not a slot); if it never does, fail
    saying which lessons are still slots."""
    from playwright.sync_api import TimeoutError as PageTimeout

    try:
        page.wait_for_function(EVERY_PANEL, timeout=timeout, polling=50)
    except PageTimeout as timed_out:
        raise AssertionError(f"not every panel was built in {timeout / 1000:.0f} s: "
                             f"{page.evaluate(PANELS_NOT_BUILT)}") from timed_out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer in {timeout} s")


class Server:
    """A server process in its own process group, stopped by PID (the whole group) on exit."""

    def __init__(self, argv, url, ready_path="", env=None, log_name="server"):
        self.argv, self.url, self.ready_path = argv, url, ready_path
        self.env = {**os.environ, **(env or {})}
        ARTIFACTS.mkdir(exist_ok=True)
        self.log_path = ARTIFACTS / f"{log_name}.log"

    def __enter__(self):
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(self.argv, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT,
                                     env=self.env, start_new_session=True)
        try:
            wait_http(self.url + self.ready_path, self.proc)
        except Exception:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc):
        # kernels run in sessions of their own (jupyter_client starts them so): found before the server stops,
        # killed after, so a server that did not shut its kernels down in time leaves none running
        descendants = {pid: command_line(pid) for pid in descendant_pids(self.proc.pid)}
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        for pid, argv in descendants.items():
            if argv and command_line(pid) == argv:  # still that process, not a new one given its number
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        self.log.close()


def command_line(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def descendant_pids(root: int) -> list[int]:
    """Every process below `root` (children, their children, …), read from /proc."""
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                ppid = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def kernels_by_age(server: Server) -> list[tuple[int, str]]:
    """(pid, kernel id) of every kernel process below the server, oldest first (by start time in /proc)."""
    found = []
    for pid in descendant_pids(server.proc.pid):
        named = re.search(rb"kernel-([0-9a-f-]{36})\.json", command_line(pid))
        with contextlib.suppress(OSError, ValueError, IndexError):
            started = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19])
            if named:
                found.append((started, pid, named.group(1).decode()))
    return [(pid, kid) for _started, pid, kid in sorted(found)]


def shut_down_all_but_the_newest_kernel(server: Server, timeout: float = 60.0) -> int:
    """Between test modules on a shared pooled Voila: shut down, as a closed tab's beacon does, every kernel
    but the newest, which is the pool's (pool=1: taking a kernel starts the next one, so every older kernel
    belongs to a page the tests are done with); wait for each to exit. Returns how many were shut down."""
    olds = kernels_by_age(server)[:-1]
    for _pid, kid in olds:  # Tornado takes any _xsrf that the cookie and the header agree on
        request = urllib.request.Request(f"{server.url}/voila/api/shutdown/{kid}", method="POST", data=b"",
                                         headers={"Cookie": "_xsrf=sweep", "X-XSRFToken": "sweep"})
        with contextlib.suppress(OSError):
            urllib.request.urlopen(request, timeout=timeout).close()
    deadline = time.monotonic() + timeout
    for pid, _kid in olds:  # a pidfd becomes readable when its process exits: an event, not a poll interval
        with contextlib.suppress(ProcessLookupError):
            fd = os.pidfd_open(pid)
            try:
                select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
            finally:
                os.close(fd)
    return len(olds)


def voila(port=None, extra=(), pool=0, notebook="app.ipynb") -> Server:
    """`voila app.ipynb` (or another notebook); with a pool, `pool` kernels are kept preheated as `make app` keeps one: a page
    then opens on a notebook already run, and the next kernel is made ready while a test uses the page."""
    port = port or free_port()
    preheat = ("--preheat_kernel=True", f"--pool_size={pool}") if pool else ()
    argv = [str(BIN / "voila"), notebook, "--no-browser", "--Voila.ip=127.0.0.1", f"--port={port}", *preheat,
            *extra]
    return Server(argv, f"http://127.0.0.1:{port}", VOILA_READY, log_name=f"voila-{port}")


def lab_folder() -> Path:
    """A scratch folder that links the app in: JupyterLab saves notebooks it runs, and must not touch the repo's."""
    folder = Path(tempfile.mkdtemp(prefix="tp-lab-"))
    shutil.copy(ROOT / "app.ipynb", folder / "app.ipynb")
    for package in ("core", "widgets", "locales"):
        (folder / package).symlink_to(ROOT / package)
    return folder


def jupyter(app: str, ready_path: str, port=None) -> Server:
    """`jupyter lab` or `jupyter notebook` (Notebook 7) on a free port over lab_folder(), no token, with the
    front end's application object on `window.jupyterapp` so a test can run its commands."""
    port = port or free_port()
    expose = {"lab": "LabApp", "notebook": "JupyterNotebookApp"}[app]
    argv = [str(BIN / "jupyter"), app, "--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
            "--ServerApp.token=", "--ServerApp.password=", "--ServerApp.disable_check_xsrf=True",
            "--allow-root", f"--{expose}.expose_app_in_browser=True", "--ServerApp.root_dir=" + str(lab_folder())]
    return Server(argv, f"http://127.0.0.1:{port}", ready_path,
                  env={"JUPYTER_CONFIG_DIR": str(ARTIFACTS / "jupyter")}, log_name=f"{app}-{port}")


def jupyterlab(port=None) -> Server:
    return jupyter("lab", "/lab", port)


def notebook7(port=None) -> Server:
    return jupyter("notebook", "/tree", port)


@contextlib.contextmanager
def kernel_client():
    """A real Python kernel started in the repo (as a page's would be), and a client with its channels open."""
    from jupyter_client import KernelManager

    km = KernelManager(kernel_name="python3")
    km.start_kernel(cwd=str(ROOT))
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=120)
        yield kc
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def drain(kc, msg_id) -> list:
    """The IOPub messages up to the kernel's idle after `msg_id` (or up to 10 s of silence: a dropped idle)."""
    messages = []
    while True:
        try:
            message = kc.get_iopub_msg(timeout=10)
        except queue.Empty:
            return messages
        messages.append(message)
        if (message["msg_type"] == "status" and message["parent_header"].get("msg_id") == msg_id
                and message["content"]["execution_state"] == "idle"):
            return messages
