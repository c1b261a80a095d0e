"""Every widget message a kernel sends reaches the page, however busy the server.

A kernel publishes its widgets' messages on a ZeroMQ PUB socket, which holds at most 1,000 messages (ZeroMQ's
default high-water mark) for a server that has not read them yet, and silently drops the rest. Building a lesson
sends 130–460 messages (a widget's opening, its layout's, its style's, their first updates); a cold kernel filling six
slots at once, while thirty kernels starve the server of CPU, sent more than the server read, and a page lost a
widget's opening: its lesson never rendered ("widget model not found"). tests/test_iopub.py shows the loss with
the default and none without the limit.
"""
from __future__ import annotations

import zmq
from IPython import get_ipython


def keep_every_message() -> None:
    """Lift the kernel's IOPub high-water mark (0: no limit), so that a slow reader delays messages instead of
    losing them. Set on the IOPub thread, which alone uses the socket (ZeroMQ sockets are not thread-safe); it
    applies to the server's connection already open. Nothing outside a kernel (a script, a headless test)."""
    thread = getattr(getattr(get_ipython(), "kernel", None), "iopub_thread", None)
    socket = getattr(thread, "socket", None)
    if socket is not None:
        thread.schedule(lambda: socket.setsockopt(zmq.SNDHWM, 0))
