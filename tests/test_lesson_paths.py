"""Lesson paths (?lesson=lr,loop), the projector (?present=1) and the lessons' headings and anchors, headlessly:
in a kernel started for its page, in a preheated one that learns its page's query later, and in JupyterLab."""
import re

import pytest
from ipywidgets.widgets import widget

from core import LESSONS, ConfigError, catalogue, lesson_path, present_flag
from widgets.shell.app import App
from widgets.shell.sections import section_names


@pytest.fixture
def page(monkeypatch):
    """A kernel started for its page (not from a pool)."""
    monkeypatch.delenv("VOILA_PREHEAT", raising=False)
    return lambda query: App(query=query)


def show_all(app):
    """What the notebook's lesson cells do, in order."""
    return {name: app.show(name) for name in LESSONS}


def links(app):
    return re.findall(r'href="#([\w-]+)"', app.contents.widget.value)


def sections(panel):
    return [box for box in panel.root.children if "tp-section" in box._dom_classes]


def opening(panel):
    """The lesson's heading and text: the HTML before its exercises and sections."""
    return [w for w in panel.root.children
            if "tp-lesson-heading" in getattr(w, "value", "") or "tp-lesson-text" in w._dom_classes]


def headings(panel):
    """The ids of the panel's lesson and section headings, in page order."""
    html = [opening(panel)[0].value] + [box.children[0].value for box in sections(panel)]
    return [re.search(r'id="([\w-]+)"', h).group(1) for h in html]


def test_lesson_names_are_read_in_page_order_and_a_bad_one_is_refused():
    assert lesson_path("loop,lr") == ("lr", "loop") and lesson_path(["gpu"]) == ("gpu",)
    assert lesson_path(None) == lesson_path("") == LESSONS
    with pytest.raises(ConfigError) as err:
        lesson_path("lr,learning")
    assert err.value.code == "unknown_lesson" and "'learning'" in str(err.value) and "lr, init" in str(err.value)
    assert present_flag(1) and present_flag("true") and not present_flag(0)
    with pytest.raises(ConfigError):
        present_flag("yes please")


def test_lesson_loop_builds_only_the_loop_panel(page):
    def widgets_made(query, cells):
        """The kernel's new widgets after the page's App and its lesson cells (`cells(app)`)."""
        before = len(widget._instances)
        app = page(query)
        shown = cells(app)
        return app, shown, len(widget._instances) - before

    show_all(page(""))  # first, so every panel's module is imported as in any kernel
    app, shown, loop_path = widgets_made("lesson=loop", show_all)
    assert app.built == ("loop",) and [n for n, p in shown.items() if p is not None] == ["loop"]
    assert app.status.kind != "error"  # lesson is a known URL key
    whole, _, everything = widgets_made("", show_all)
    _, _, loop_alone = widgets_made("", lambda a: a.panel("loop"))
    # the header and the loop panel, nothing else: a fraction of the whole page's widgets
    assert whole.built == LESSONS and loop_path == loop_alone < everything / 3


def test_the_contents_bar_lists_the_path_and_each_lesson_ends_pointing_onwards(page):
    app = page("lesson=lr,loop")
    assert links(app) == ["lr", *(f"lr-{s}" for s in section_names("lr")),
                          "loop", *(f"loop-{s}" for s in section_names("loop"))]
    show_all(app)
    last_of_lr = sections(app.lr)[-1].children[-1].value
    first_of_lr = sections(app.lr)[0].children[-1].value
    assert 'href="#loop"' in last_of_lr and "Next: 7 · The loop&#x27;s classic mistakes" in last_of_lr
    assert 'href="#lr-finder"' in first_of_lr and "Next: The LR finder" in first_of_lr
    assert "End of this path." in sections(app.loop)[-1].children[-1].value


def test_every_lesson_has_a_heading_and_each_section_its_anchor_as_the_catalogue_lists_them(page):
    app = page("")
    for name in LESSONS:
        assert headings(app.panel(name)) == [name, *(f"{name}-{s}" for s in section_names(name))], name
    assert section_names("lr")[4] == "schedules"  # a teacher's #lr-schedules link


def test_the_lesson_texts_are_in_the_chosen_language_only(page):
    app = page("lesson=lr&lang=zh")
    lr = show_all(app)["lr"]
    text = "".join(w.value for w in opening(lr))
    assert catalogue("zh")["lesson.lr.title"] in text and catalogue("zh")["lesson.lr.text"] in text
    assert "Learning rate" not in text + app.contents.widget.value + app.title.value
    app.lang.value = "en"
    assert "1 · Learning rate" in opening(lr)[0].value and "学习率" not in opening(lr)[1].value


def test_a_bad_lesson_name_is_one_short_message_and_every_lesson_shows(page):
    app = page("lesson=lr,nonsense&seed=7")
    assert app.status.kind == "error" and app.status.text.count("nonsense") == 1 and "\n" not in app.status.text
    assert app.ctx.path == LESSONS and all(p is not None for p in show_all(app).values())
    assert app.seeds.seed.value == "7"  # the rest of the URL still applies


def test_panels_built_before_the_page_asked_are_hidden_off_its_path(monkeypatch):
    """A pooled kernel ran the notebook before any page asked. On a Voila page it built only the first lesson
    (tests/test_panel_slot.py); here every cell built its panel, and the page's path hides those off it."""
    monkeypatch.setenv("VOILA_PREHEAT", "True")
    app = App()
    show_all(app)
    assert app.built == LESSONS
    app.apply_page_settings("lesson=seeds,lr&present=1&lang=zh&seed=7")
    shown = [name for name in LESSONS if app.panel(name).root.layout.display != "none"]
    assert shown == ["lr", "seeds"] and links(app)[0] == "lr" and "#init" not in app.contents.widget.value
    assert all("tp-present" in app.panel(n).root._dom_classes for n in LESSONS)
    assert "tp-present" in app.header._dom_classes and app.seeds.seed.value == "7" and app.status.kind != "error"
    assert 'href="#seeds"' in sections(app.lr)[-1].children[-1].value  # lr's last section points to seeds


def test_in_jupyterlab_a_call_chooses_the_path_and_the_projector(page):
    app = App(lessons="init", present=True)
    assert app.show("lr") is None and app.show("init") is app.init and app.built == ("init",)
    assert "tp-present" in app.init.root._dom_classes and links(app)[0] == "init"
    app.choose("lr,init", present=False)
    assert app.show("lr") is app.lr and "tp-present" not in app.init.root._dom_classes
    with pytest.raises(KeyError):
        app.show("lesson")


def test_a_lesson_path_opens_each_of_its_lessons_at_an_exercise_and_the_whole_page_does_not(page, monkeypatch):
    """A teacher's link guides: the page opens each lesson on it at the first exercise its browser has not done."""
    guided = page("lesson=lr,loop")
    assert guided.lr.exercises.guided and guided.loop.exercises.guided
    assert not page("").lr.exercises.guided  # the whole page is a free lab
    assert not page("lesson=nonsense").lr.exercises.guided  # a bad name shows every lesson, unguided
    monkeypatch.setenv("VOILA_PREHEAT", "True")  # a pooled kernel built panels before its page asked
    pooled = App()
    show_all(pooled)
    assert not pooled.init.exercises.guided
    pooled.apply_page_settings("lesson=init")
    assert pooled.init.exercises.guided and not pooled.lr.exercises.guided
