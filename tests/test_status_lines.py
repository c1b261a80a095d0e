"""The page's status line, each panel's message line and Init's Train-and-watch result line, headlessly."""
from widgets.shell.app import App
from widgets.shell.page_a11y import mark

SMALL_RUN = {"depth": 2, "width": 16, "epochs": 1}  # 77 steps


def test_train_and_watch_result_stays_beside_its_button_in_both_languages():
    app = App()
    panel = app.panel("init")
    assert panel.result.text == ""  # nothing to report before a run
    first_section = next(box for box in panel.root.children if "tp-section" in box._dom_classes)
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


def test_after_each_action_the_status_speaks_of_that_action_not_of_the_last_run():
    app = App()
    init = app.panel("init")
    init.apply_settings(SMALL_RUN)
    init.train_button.click()
    assert app.status.text.startswith("Trained 77 steps")
    init.matmul.depth.value = 30
    init.matmul.run.click()
    assert app.status.text == f"Multiplied through 30 layers (scale {init.matmul.scale.value})."
    init.train_button.click()
    init.symmetry.run.click()
    assert app.status.text.startswith("Trained from a constant, from ") and app.status.kind == "ok"
    init.train_button.click()
    losses = app.panel("losses")
    losses.scale_text.value = "50"
    assert app.status.text == "Redrawn at logit scale 50, target class 0."
    losses.target.value = 2
    assert app.status.text == "Redrawn at logit scale 50, target class 2."
    app.lang.value = "zh"
    try:
        assert app.status.text == "已按 logit 缩放 50、目标类别 2 重画。"
    finally:
        app.lang.value = "en"


def test_where_do_they_part_says_never_when_the_panel_says_never():
    app = App()
    seeds = app.panel("seeds")
    seeds.base = seeds.base.replace(epochs=1, hidden=(8,), batch_size=128, stats_every=1000)
    seeds.seed.value = "3"
    seeds.divergence.button.click()
    assert seeds.divergence.result.step is None and "never part" in seeds.divergence.diagram.value
    assert app.status.text == "Compared: the two runs never part."
