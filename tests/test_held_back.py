"""A pooled kernel builds its lessons before its page comes, but sends their widgets only once the page has drawn
each lesson's slot, in one message (widgets/shell/held_back.py, panel_slot.py): the page's request for every
widget's state gets the header's and the first lesson's alone."""
import re
import threading

import ipywidgets as W
import pytest
from ipywidgets.widgets import widget

from core import LESSONS
from servers import drain, kernel_client
from widgets.shell.app import App
from widgets.shell.held_back import announce, held_back, registered, states
from widgets.shell.i18n import I18n
from widgets.shell.panel_slot import PanelSlot


def is_open(w) -> bool:
    """As ipywidgets has it: a comm, and listed among the widgets a page's request for states gets."""
    return w.comm is not None and widget._instances.get(w.model_id) is w


def names(state) -> set:
    """The widgets a state refers to, by id."""
    return set(re.findall(r"IPY_MODEL_(\w+)", repr(state)))


@pytest.fixture
def published(monkeypatch):
    """The comm messages published from now on, by type."""
    sent, probe = [], W.Label()
    kind = type(probe.comm)
    probe.close()
    monkeypatch.setattr(kind, "publish_msg", lambda self, msg_type, **_: sent.append(msg_type))
    return sent


def test_a_held_widget_gets_no_comm_then_one_message_carries_its_current_state(published):
    with held_back() as held:
        label = W.Label("before")
        box = W.VBox([label])
        box.layout.display = "none"  # a layout made after its box
    label.value = "after"  # a change while held is sent nowhere
    assert held == [label, box, box.layout] and not any(w.comm for w in held)
    order = registered(held)
    assert set(held) < set(order) and label.layout in order and label.style in order  # made on first use
    assert all(is_open(w) for w in order) and published == []  # registered for the page's messages, unannounced
    ids = [w.model_id for w in order]
    for i, w in enumerate(order):  # each after the widgets it names: the page creates them in this order
        assert names(w.get_state()) <= set(ids[:i])
    found, buffer_paths, buffers = states(order)
    assert list(found) == ids and buffer_paths == buffers == []
    assert found[label.model_id]["state"]["value"] == "after" and found[box.model_id]["model_name"] == "VBoxModel"
    assert found[box.layout.model_id]["state"]["display"] == "none"
    assert registered(order) == []  # a second time registers nothing
    announce(order)  # the page could not take them in one message: one comm_open each
    assert published == ["comm_open"] * len(order)
    for w in order:
        w.close()


def test_outside_the_block_and_in_another_thread_widgets_open_as_ever():
    made = []
    with held_back() as held:
        thread = threading.Thread(target=lambda: made.append(W.Label("a run's")))
        thread.start()
        thread.join()
    after = W.Label("later")
    assert held == [] and is_open(made[0]) and is_open(after)
    with pytest.raises(RuntimeError), held_back():
        raise RuntimeError("a panel failed to build")
    assert W.Widget.open is widget.Widget.__dict__["open"]  # put back, even after an error
    for w in (*made, after):
        w.close()


def page_message(slot, event):
    slot.signal._handle_custom_msg({"event": event}, [])


def test_a_pooled_kernel_sends_each_lesson_in_one_message_once_its_slot_is_drawn(monkeypatch, published):
    """What a page's request for every widget's state gets from a preheated kernel: the header and the first
    lesson. Each other lesson comes once its slot is drawn, as one message with every widget the panel holds,
    and takes the slot's place once the page says it has them; a page that could not gets one message each."""
    monkeypatch.setenv("VOILA_KERNEL_ID", "0" * 32)
    monkeypatch.setenv("VOILA_PREHEAT", "True")
    before = set(widget._instances)
    app = App()
    shown = {name: app.show(name) for name in LESSONS}
    assert app.built == LESSONS  # built before the page came: the CPU a pool kernel has time for
    first = set(widget._instances) - before
    assert is_open(app.lr.root) and not any(is_open(app.panel(name).root) for name in LESSONS[1:])
    sent, published[:] = {name: [] for name in LESSONS[1:]}, []
    for name in sent:
        shown[name].signal.send = lambda content, buffers=None, name=name: sent[name].append(content)
    page_message(shown["init"], "drawn")
    (message,) = sent["init"]
    root = app.init.root
    assert message["event"] == "widgets" and root.model_id in message["states"] and "comm_open" not in published
    assert shown["init"].box.children == (shown["init"].signal,)  # not before the page has the widgets
    for state in message["states"].values():  # every widget named is in the message or on the page already
        assert names(state["state"]) <= set(message["states"]) | first
    page_message(shown["init"], "drawn")  # asked again before the page said it has them: sent again
    assert len(sent["init"]) == 2 and sent["init"][1]["states"].keys() == message["states"].keys()
    page_message(shown["init"], "received")
    assert shown["init"].box.children == (root,) and not is_open(app.seeds.root) and "comm_open" not in published
    page_message(shown["seeds"], "drawn")
    page_message(shown["seeds"], "unreceived")
    assert shown["seeds"].box.children == (app.seeds.root,)
    assert published.count("comm_open") == len(sent["seeds"][0]["states"])
    for name in LESSONS[3:]:
        page_message(shown[name], "drawn")
        page_message(shown[name], "received")
    assert all(is_open(app.panel(name).root) for name in LESSONS)
    assert len(first) < (len(widget._instances) - len(before)) / 3  # the first lesson: a fraction of the page


def test_a_held_panel_with_a_binary_value_is_sent_as_ipywidgets_sends_it(published):
    """One message carries JSON states only: a panel holding bytes gets a comm_open a widget, and its place."""
    with held_back() as held:
        picture = W.Image(value=b"\x89PNG")
        root = W.VBox([picture])
    slot = PanelSlot("init", I18n(), lambda: root, lambda: True, held)
    sent, published[:] = [], []
    slot.signal.send = lambda content, buffers=None: sent.append(content)
    page_message(slot, "drawn")
    announced = [picture, picture.layout, root, root.layout]
    assert sent == [] and slot.box.children == (root,) and all(is_open(w) for w in announced)
    assert published.count("comm_open") == len(announced)


def test_in_a_real_kernel_a_registered_widget_is_announced_by_no_message_and_sends_like_any_other():
    """ipywidgets sends a widget's messages only once its comm knows the kernel, which ipykernel's comm learns
    on its first message (the comm_open a held widget never sends): a plot in a held panel stayed empty."""
    with kernel_client() as kc:
        code = ("import ipywidgets as W\nfrom widgets.shell.held_back import held_back, registered\n"
                "with held_back() as held:\n    label = W.Label('held')\n"
                "registered(held)\nlabel.value = 'changed'\nlabel.send({'event': 'custom'})\nprint(label.model_id)")
        done = kc.execute(code, reply=True, timeout=120)
        assert done["content"]["status"] == "ok", done["content"]
        messages = drain(kc, done["parent_header"]["msg_id"])
        (model_id,) = [m["content"]["text"].strip() for m in messages if m["msg_type"] == "stream"]
        assert not [m for m in messages if m["msg_type"] == "comm_open"]
        sent = [m["content"]["data"] for m in messages
                if m["msg_type"] == "comm_msg" and m["content"]["comm_id"] == model_id]
        assert sent == [{"method": "update", "state": {"value": "changed"}, "buffer_paths": []},
                        {"method": "custom", "content": {"event": "custom"}}]
