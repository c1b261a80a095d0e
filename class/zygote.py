"""The zygote: one warmed parent that forks a learner's kernel in a moment and shares its pages with it.

It imports torch, numpy, ipykernel, ipywidgets, plotly and the app once, freezes the objects it holds (so a
child's reference counting and garbage collection never write to their pages), and then forks one child per
kernel on request. A child shares every page it does not write with the zygote and its siblings
(copy-on-write), so a learner costs only what their own kernel changed (docs/fork.md has the figures).

Nothing may run in a thread before a fork (a child would inherit a lock held by a thread it does not have):
the zygote checks it has one thread only, and torch's intra-op pool starts in the child, on its first run.

Protocol, one JSON line each way over a Unix socket (zygote_provisioner.py speaks it):
  {"op": "spawn", "argv": [the kernel's command line], "env": {...}, "cwd": "...", "memory": bytes} -> {"pid": N}
  {"op": "status", "pid": N} -> {"returncode": null | int}     (null: still running)

    .venv/bin/python class/zygote.py SOCKET_PATH [ROOM]   # started by the provisioner, with the kernel spec's env;
                                                          # ROOM: a long argument, room for a child's command line
"""
from __future__ import annotations

import contextlib
import ctypes
import gc
import json
import os
import resource
import selectors
import signal
import socket
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# What every kernel of the app imports; the notebook's own `from widgets.shell.app import App` then costs nothing.
PRELOAD = ("numpy", "torch", "ipykernel.kernelapp", "ipykernel.ipkernel", "ipywidgets", "plotly.graph_objects",
           "IPython.display", "widgets.shell.app")


def threads() -> int:
    """How many threads this process runs (the kernel's count, not Python's: native threads included)."""
    return len(os.listdir("/proc/self/task"))


def preload():
    """Import what every kernel imports, then freeze it: nothing started, one thread."""
    sys.path[0] = str(ROOT)  # the app's folder, not class/ (this script's): a kernel imports core/ and widgets/
    for name in PRELOAD:
        __import__(name)
    import torch

    if threads() != 1 or torch.cuda.is_initialized():  # a child would inherit locks (or a CUDA context) it can't use
        raise RuntimeError(f"zygote: {threads()} threads, CUDA initialised: {torch.cuda.is_initialized()}; "
                           "forking would be unsafe")
    gc.collect()
    gc.freeze()  # the objects imported so far leave the collector's lists: no writes to their pages in a child


def show_as(words: list):
    """Write the kernel's command line over the zygote's in this process's memory, so /proc/<pid>/cmdline (ps,
    the tests) names the kernel and its connection file; the zygote's argv has room for it (its ROOM argument)."""
    fields = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
    start, end = int(fields[45]), int(fields[46])  # arg_start and arg_end (proc(5) fields 48 and 49)
    text = "\0".join(words).encode()[: end - start - 1]
    ctypes.memmove(start, text.ljust(end - start, b"\0"), end - start)


def become_kernel(argv: list, env: dict, cwd: str, memory: int):
    """In the child: the learner's own process (its own session, cap, env, seed) running ipykernel with the
    arguments after `-m ipykernel_launcher` in `argv`. Never returns."""
    code = 1
    try:
        show_as(argv)
        args = argv[argv.index("ipykernel_launcher") + 1:]
        os.setsid()  # its own process group, as jupyter_client's Popen gives a kernel: a signal reaches only it
        if memory:
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(env)
        with open(os.devnull, "rb") as null:
            os.dup2(null.fileno(), 0)
        # the app's import sent the zygote's Python stderr to the zygote's log file (TP_STDERR=log): the kernel starts
        # from the process's own streams, as a fresh one does, and the app's log is re-opened under its pid below
        sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
        import numpy
        import torch

        # A fresh process seeds torch's and numpy's global generators from the OS; a child would otherwise draw what
        # its siblings draw (Python's `random` reseeds itself after a fork)
        torch.seed()
        numpy.random.seed()
        torch.set_num_threads(int(env.get("OMP_NUM_THREADS", "1")))  # its pool starts here, after the fork
        from ipykernel.kernelapp import IPKernelApp

        app = IPKernelApp.instance()
        # parent_handle: ipykernel exits when its parent (the zygote, which exits with the server) is gone, and
        # prints no banner for a terminal user (its default was read from JPY_PARENT_PID in the zygote)
        app.initialize([*args, f"--IPKernelApp.parent_handle={os.getppid()}"])
        import ipywidgets

        ipywidgets.register_comm_target()  # ipywidgets registers at import only when a kernel already runs

        from widgets.shell import status

        status.log.handlers.clear()  # the log was opened at import, in the zygote: name it after this pid
        status._log_to_a_file()
        app.start()
        code = 0
    except SystemExit as exc:  # a kernel asked to stop
        code = exc.code if isinstance(exc.code, int) else 0
    except BaseException as exc:  # noqa: BLE001 (a child must never return into the zygote's loop)
        print(f"zygote: kernel {os.getpid()} failed: {exc!r}", file=sys.__stderr__, flush=True)
    finally:
        os._exit(code)


def answer(request: dict, exited: dict, reap, inherited: tuple) -> dict:
    """One request's reply; in a spawned child, never returns (it becomes the kernel)."""
    if request["op"] == "spawn":
        # SIGTERM waits until the child has a kernel's handlers: the zygote's would run the zygote's clean-up in it
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
        pid = os.fork()
        if pid == 0:
            for thing in inherited:  # the zygote's sockets are not the kernel's
                thing.close()
            signal.signal(signal.SIGINT, signal.default_int_handler)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
            become_kernel(request["argv"], request["env"], request["cwd"], int(request.get("memory", 0)))
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
        exited.pop(pid, None)  # an earlier kernel's exit under a reused pid is not this one's
        return {"pid": pid}
    reap()
    return {"returncode": exited.get(int(request["pid"]))}


def serve(path: str):
    """Answer spawn/status requests until the server that started us is gone."""
    parent = os.getppid()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(64)
    exited: dict[int, int] = {}
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ)

    def reap():
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            exited[pid] = os.waitstatus_to_exitcode(status)

    print(f"zygote {os.getpid()}: ready on {path}", flush=True)
    try:
        while os.getppid() == parent:  # until the server is gone (its kernels follow: they watch this process)
            reap()
            if selector.select(timeout=0.5):
                accept(listener, exited, reap, selector)
    finally:  # also on SIGTERM (main)
        listener.close()
        os.unlink(path)
        with contextlib.suppress(OSError):  # only when empty: the provisioner made it for this socket alone
            os.rmdir(os.path.dirname(path))


def accept(listener, exited: dict, reap, selector):
    conn, _ = listener.accept()
    try:
        with conn, conn.makefile("rw") as stream:
            reply = answer(json.loads(stream.readline()), exited, reap, (selector, listener, conn))
            stream.write(json.dumps(reply) + "\n")
            stream.flush()
    except (OSError, ValueError, KeyError, TypeError) as exc:  # a broken request never stops the zygote
        print(f"zygote: request refused: {exc!r}", file=sys.stderr, flush=True)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # an interrupt meant for a kernel's group never stops the zygote
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # stop cleanly: serve's finally removes the socket
    preload()
    serve(argv[0])


if __name__ == "__main__":
    main()
