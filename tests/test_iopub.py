"""A kernel running the app loses no widget message when its page's server reads late (widgets/shell/iopub.py).

A real kernel builds the app, then opens 3,000 sliders (9,000 widget openings: slider, layout, style) while the
test, standing in for a server starved of CPU, reads nothing; then every opening must arrive. With ZeroMQ's
default limit about half the sliders arrived here (1,489 of 3,000) and the rest were dropped without a word."""
from __future__ import annotations

from servers import drain, kernel_client

SLIDERS = 3000


def test_a_kernel_running_the_app_loses_no_widget_message_when_the_page_reads_late():
    with kernel_client() as kc:
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
