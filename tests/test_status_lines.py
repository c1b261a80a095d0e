"""The page's status line, each panel's message line and Init's Train-and-watch result line, headlessly."""
from widgets.shell.app import App
from widgets.shell.page_a11y import mark

SMALL_RUN = {"depth": 2, "width": 16, "epochs": 1}  # 77 steps


def test_train_and_watch_result_stays_beside_its_button_in_both_languages():
    app = App()
    panel = app.panel("init")
    assert panel.result.text == ""  # nothing to report before a run
    first_section = panel.root.children[3]  # after the message line and the lesson's heading and text
    beside = next(box for box in first_section.children if panel.train_button in getattr(box, "children", ()))
    assert panel.result.widget in beside.children
    panel.apply_settings(SMALL_RUN)
    panel.train_button.click()
    h = panel.history
    english = f"Trained {h.steps} steps: final loss {h.final_loss:.4g}, test accuracy {h.test_acc:.1%}."
    assert h.steps == 77 and panel.result.text == app.status.text == english and panel.result.kind == "ok"
    panel.run.click()  # Look at init: the page's line moves on, the run's result stays in the panel
    assert app.status.text.startswith("Measured 3 layers") and panel.result.text == english
    app.lang.value = "zh"
    assert panel.result.text == f"训练了 77 步：最终损失 {h.final_loss:.4g}，测试准确率 {h.test_acc:.1%}。"


def test_a_refused_setting_is_said_on_the_panel_and_page_lines_not_as_a_result():
    app = App()
    panel = app.panel("init")
    assert panel.root.children.index(panel.status.widget) == 0 and panel.status.text == ""  # its line, on top
    panel.seed.value = "abc"
    panel.train_button.click()
    assert app.status.kind == panel.status.kind == "error"
    assert app.status.text == panel.status.text and app.status.text.startswith("Setting not usable")
    assert panel.result.text == ""
    other = app.panel("losses")  # another panel's message reaches the page's line, not this panel's
    other.scale_text.value = "abc"
    assert app.status.text != panel.status.text and other.status.text == app.status.text


def emoji(text):
    return [c for c in text if 0x2600 <= ord(c) < 0x2800 or ord(c) >= 0x1F000 or ord(c) == 0xFE0F]


def test_seed_lessons_mark_with_css_not_emoji():
    """Where no emoji font is installed (the class's browser) an emoji is an empty box."""
    seeds = App().panel("seeds")
    seeds.benchmark.value = True  # a warning in the audit
    seeds.lessons.draw.click()  # same / differs verdicts
    shown = seeds.lessons.table.value + seeds.lessons.audit_list.value + seeds.lessons.hashseed.value
    assert mark("yes") in shown and mark("no") in shown and mark("warning") in shown and mark("info") in shown
    assert not emoji(shown)
