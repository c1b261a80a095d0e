"""On a Voila page the first lesson on the path is built while the cells run and every other lesson waits in a
slot until the page has drawn it (widgets/shell/panel_slot.py), headlessly: the slot's message is the one the
browser sends. A kernel started for its page, and a pooled kernel that learns its page's path later."""
import pytest

from core import LESSONS, catalogue
from widgets.shell import app as app_module
from widgets.shell.app import App
from widgets.shell.panel_slot import PanelSlot


@pytest.fixture
def voila(monkeypatch):
    """A kernel Voila started for a page (VOILA_KERNEL_ID is how the app knows it is one)."""
    monkeypatch.setenv("VOILA_KERNEL_ID", "0" * 32)
    monkeypatch.delenv("VOILA_PREHEAT", raising=False)


def cells(app):
    """What the notebook's lesson cells return, in order."""
    return {name: app.show(name) for name in LESSONS}


def draw(slot):
    """The browser has drawn the slot: its view sends this message through the widget's comm; a pooled kernel's
    panel then comes in one message, and the page says it has it (tests/test_held_back.py)."""
    slot.signal._handle_custom_msg({"event": "drawn"}, [])
    slot.signal._handle_custom_msg({"event": "received"}, [])


def test_the_first_lesson_is_built_and_each_other_once_the_page_has_drawn_its_slot(voila):
    app = App(query="")
    shown = cells(app)
    assert app.built == ("lr",) and shown["lr"] is app.panel("lr")
    slots = {name: shown[name] for name in LESSONS[1:]}
    assert all(isinstance(slot, PanelSlot) for slot in slots.values())
    assert all(slot.box.children == (slot.signal,) for slot in slots.values())
    draw(slots["seeds"])
    assert app.built == ("lr", "seeds") and slots["seeds"].box.children == (app.panel("seeds").root,)
    draw(slots["seeds"])  # a second message builds nothing more
    assert app.built == ("lr", "seeds") and slots["seeds"].box.children == (app.panel("seeds").root,)
    for slot in slots.values():
        draw(slot)
    assert app.built == LESSONS
    assert all(slots[name].box.children == (app.panel(name).root,) for name in LESSONS[1:])
    assert cells(app)["init"] is app.panel("init")  # a cell run again shows the panel itself


def test_a_slot_carries_its_lesson_anchor_and_says_loading_in_the_page_language(voila):
    app = App(query="lang=zh")
    slot = cells(app)["loop"]
    assert "tp-slot-loop" in slot.box._dom_classes and slot.signal.anchor == "loop"
    assert slot.signal.note == catalogue("zh")["app.panel_loading"]
    app.lang.value = "en"
    assert slot.signal.note == catalogue("en")["app.panel_loading"]
    assert [s.signal.wait_for_plot for s in app._slots.values()] == [True] * 6  # the first plot comes first


def test_a_filled_slots_note_is_closed_and_no_language_switch_sets_it_again(voila):
    app = App(query="")
    slot = cells(app)["gpu"]
    draw(slot)
    assert slot.signal.comm is None  # closed: the page has the panel instead
    app.lang.value = "zh"
    assert slot.signal.note == catalogue("en")["app.panel_loading"]  # left as it was: the i18n let it go


def test_a_lesson_path_builds_its_first_lesson_and_never_those_off_it(voila):
    app = App(query="lesson=init,loop")
    shown = cells(app)
    assert app.built == ("init",) and [name for name, cell in shown.items() if cell is not None] == ["init", "loop"]
    draw(shown["loop"])
    assert app.built == ("init", "loop") and app.page_guard.panels == ["tp-panel-init", "tp-panel-loop"]


@pytest.mark.parametrize("drawn_first", [False, True], ids=["path-then-drawn", "drawn-then-path"])
def test_a_pooled_kernel_shows_the_lessons_its_page_path_shows_once_drawn(voila, monkeypatch, drawn_first):
    """A pooled kernel ran the notebook before any page asked (path: every lesson) and built every lesson; the
    page's query comes in the last cell, and the page's slot messages usually after it (the kernel was busy),
    here either way."""
    monkeypatch.setenv("VOILA_PREHEAT", "True")
    app = App()
    shown = cells(app)
    assert app.built == LESSONS  # built before any page came, sent once drawn (tests/test_held_back.py)
    slots = {name: shown[name] for name in LESSONS[1:]}
    assert all(slot.box.children == (slot.signal,) for slot in slots.values())  # shown only once drawn
    if drawn_first:
        for slot in slots.values():
            draw(slot)
        assert all(slots[name].box.children == (app.panel(name).root,) for name in slots)  # all on the path
        return
    app.apply_page_settings("lesson=seeds,init&lang=zh&seed=7")
    assert app.panel("lr").root.layout.display == "none"
    visible = [name for name in LESSONS[1:] if shown[name].box.layout.display != "none"]
    assert visible == ["init", "seeds"]
    assert not app._slots["init"].signal.wait_for_plot  # the path's first lesson: no plot comes before it
    assert app._slots["seeds"].signal.wait_for_plot
    for slot in slots.values():
        draw(slot)
    filled = [name for name, slot in slots.items() if slot.box.children != (slot.signal,)]
    assert filled == ["init", "seeds"]  # the lessons off the path stay in their hidden slots
    assert app.seeds.seed.value == "7" and app.seeds.exercises.guided  # the URL's settings and the path's guide
    assert app.init.root.layout.display is None


def test_a_panel_that_fails_to_build_leaves_a_short_message_in_its_slot(voila, monkeypatch):
    monkeypatch.setitem(app_module.PANELS, "gpu", ("widgets.gpu.no_such_module", "GPUPanel"))
    app = App(query="")
    slot = cells(app)["gpu"]
    draw(slot)
    (message,) = slot.box.children
    assert message.value == catalogue("en")["app.panel_failed"] and app.status.kind == "error"
    assert "gpu" not in app.built and "Traceback" not in app.status.text
