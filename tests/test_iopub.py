"""A kernel running the app loses no widget message when its page's server reads late (widgets/shell/iopub.py).

A real kernel builds the app, then opens 3,000 sliders (9,000 widget openings: slider, layout, style) while the
test, standing in for a server starved of CPU, reads nothing; then every opening must arrive. With ZeroMQ's
default limit about half the sliders arrived here (1,489 of 3,000) and the rest were dropped without a word."""
from __future__ import annotations

import queue

from jupyter_client import KernelManager

from servers import ROOT

SLIDERS = 3000


def test_a_kernel_running_the_app_loses_no_widget_message_when_the_page_reads_late():
    km = KernelManager(kernel_name="python3")
    km.start_kernel(cwd=str(ROOT))
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=120)
        built = kc.execute("from widgets.shell.app import App\nimport ipywidgets as W\napp = App(query='')",
                           reply=True, timeout=120)
        assert built["content"]["status"] == "ok", built["content"]
        drain(kc, built["parent_header"]["msg_id"])
        burst = kc.execute(f"sliders = [W.IntSlider() for _ in range({SLIDERS})]", reply=True, timeout=120)
        assert burst["content"]["status"] == "ok", burst["content"]
        # only now is the IOPub channel read: all the while the kernel had to hold what it sent
        messages = drain(kc, burst["parent_header"]["msg_id"])
        sliders = [m for m in messages if m["msg_type"] == "comm_open"
                   and m["content"]["data"]["state"].get("_model_name") == "IntSliderModel"]
        assert len(sliders) == SLIDERS
        assert messages[-1]["msg_type"] == "status" and messages[-1]["content"]["execution_state"] == "idle"
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
