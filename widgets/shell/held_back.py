"""Widgets a pooled kernel builds before its page comes, sent only once the page asks for them, in one message.

A page's widget manager asks its kernel for every widget's state in one reply and creates every model before it
draws. A preheated kernel had built all seven lessons before its page came (about 1,250 widgets, 1.4 MB of
state), and its page's first plot waited for all of them: `tti_preheated_ratio` 1.065 against the one-cell page,
0.816 with the first lesson's alone (`bench/run.py browser`'s pairs, docs/performance.md). A widget built inside
`held_back()` gets no comm: the page's request leaves it out, and what changes on it is sent nowhere (its state,
sent whole later, is the current one). The build, the CPU a pool kernel has time for, is done before the page
comes. Once the page has drawn a lesson's slot, `registered()` gives the lesson's widgets comms that no message
announces, and the slot sends their `states()` in one message (panel_slot.py); a comm_open for each, as ipywidgets
sends, cost thirty kernels 11 CPU-s at the bell and left the class's last lessons at 11.7 s (bench/class_load.py).
"""
from __future__ import annotations

import contextlib
import threading

import comm
import ipywidgets as W
from ipykernel.kernelbase import Kernel
from ipywidgets import __protocol_version__
from ipywidgets.widgets.widget import _remove_buffers


@contextlib.contextmanager
def held_back():
    """Widgets constructed in this thread inside the block are held (listed in the list it yields), not opened."""
    held, owner, opening = [], threading.get_ident(), W.Widget.open

    def hold(widget):
        if threading.get_ident() == owner:
            held.append(widget)
        else:  # another thread's widget (a run's, say) is not this block's
            opening(widget)

    W.Widget.open = hold
    try:
        yield held
    finally:
        W.Widget.open = opening


def registered(held) -> list:
    """Give each held widget a comm that takes its page's messages but is announced to no page (no comm_open, one
    message a widget: 1,034 of them cost thirty kernels 11 CPU-s at the bell, bench/class_load.py). Returns the
    widgets in the order a page must create them, each after those its state names (a parent's state names its
    children's and its layout's comm ids): `states()` then carries them to the page in one message."""
    order = []
    with held_back():  # a layout or style first asked for now is made here, held, and registered as it is met
        for widget in held:
            _register(widget, order)
    return order


def _register(widget, order: list) -> None:
    if widget.comm is not None:
        return
    for name in widget.keys:
        for referred in _widgets_in(getattr(widget, name)):
            _register(referred, order)
    ids = {"comm_id": widget._model_id} if widget._model_id is not None else {}
    channel = comm.create_comm(target_name="jupyter.widget", primary=False, **ids)
    comm.get_comm_manager().register_comm(channel)
    if getattr(channel, "kernel", False) is None and Kernel.initialized():
        channel.kernel = Kernel.instance()  # ipykernel's comm learns its kernel on its first message, the open
    widget.comm = channel  # ipywidgets lists it among the kernel's widgets and listens on it
    order.append(widget)


def states(widgets) -> tuple[dict, list, list]:
    """The widgets' states as a page's request for every state gets them: (states, buffer_paths, buffers)."""
    return _remove_buffers({w.model_id: {"model_name": w._model_name, "model_module": w._model_module,
                                         "model_module_version": w._model_module_version, "state": w.get_state()}
                            for w in widgets})


def announce(widgets) -> None:
    """Where a page could not take them in one message: a comm_open each, as ipywidgets opens a widget."""
    for widget in widgets:
        state, buffer_paths, buffers = _remove_buffers(widget.get_state())
        widget.comm.open(data={"state": state, "buffer_paths": buffer_paths}, buffers=buffers,
                         metadata={"version": __protocol_version__})


def _widgets_in(value):
    if isinstance(value, W.Widget):
        yield value
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _widgets_in(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _widgets_in(item)
