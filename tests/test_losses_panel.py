"""Losses panel, headless: the naive/stable bars, CE = nll(log_softmax), MSE vs CE gradients, bad input, zh."""
import json
import math
import re

import ipywidgets as W

import pytest

from core.lessons.losses.demos import loss_curves, loss_gradients, scaled_log_softmax
from widgets.shell.app import App


@pytest.fixture
def app():
    return App()


@pytest.fixture
def panel(app):
    return app.panel("losses")


def buttons(widget):
    children = getattr(widget, "children", ())
    return ([widget] if isinstance(widget, W.Button) else []) + [b for c in children for b in buttons(c)]


def test_root_classes_and_no_buttons_but_sharing(panel):
    assert {"tp-panel", "tp-panel-losses"} <= set(panel.root._dom_classes)
    # every control redraws at once (− 1 / + 1 step the scale), so there is nothing to Compute and nothing to Stop
    assert {b.description for b in buttons(panel.root)} == {"Show settings", "Apply pasted settings", "− 1", "+ 1"}
    assert not panel.scale.continuous_update and not panel.gradients.slider.continuous_update


def test_small_scale_both_formulas_drawn_equal(panel):
    naive, stable = panel.bars_fig.data
    expected = scaled_log_softmax(10.0)
    assert list(stable.y) == expected["stable"]
    assert list(naive.y) == pytest.approx(expected["stable"], abs=1e-4)
    assert "both formulas agree" in panel.note.value


def test_large_scale_marks_the_naive_bars_nan_and_inf(app, panel):
    panel.scale_text.value = "1000"
    assert panel.scale.value == 1000
    naive, stable = panel.bars_fig.data
    assert list(naive.y) == [None] * 4  # no invented height for what has no value
    marks = [(a.text, a.x, a.y) for a in panel.bars_fig.layout.annotations]
    assert marks == [("NaN", -0.2, 0), ("NaN", 0.8, 0), ("NaN", 1.8, 0), ("−inf", 2.8, 0)]  # at the axis, in place
    assert list(stable.y) == pytest.approx([0.0, -1000.0, -1900.0, -3000.0])
    assert "4 non-finite value(s)" in panel.note.value and "1000" in panel.bars_fig.layout.title.text


def test_breakpoints_are_reported(panel):
    r = scaled_log_softmax(10.0)
    assert f"≈ {r['breaks_at']:.1f}" in panel.note.value and f"≈ {r['nan_at']:.1f}" in panel.note.value
    panel.scale.value = 40.0  # between underflow and overflow: only the smallest class is -inf
    assert [a.text for a in panel.bars_fig.layout.annotations] == ["−inf"]
    assert panel.bars_fig.data[0].y[-1] is None and None not in panel.bars_fig.data[0].y[:-1]
    assert panel.scale_text.value == "40"


def test_lesson_sentence_is_shown(panel):
    lesson = panel.lesson.value
    assert "exp(1000) = inf in float32" in lesson and "log-sum-exp subtracts the max first" in lesson


def test_cross_entropy_chain_for_the_chosen_target(panel):
    panel.scale.value = 2.0
    panel.target.value = 2
    r = scaled_log_softmax(2.0, 2)
    assert f"log_softmax(z)[2] = {r['stable'][2]:.6g}" in panel.note.value
    assert f"cross_entropy(z, 2) = {r['cross_entropy']:.6g}" in panel.note.value
    assert r["cross_entropy"] == pytest.approx(-r["stable"][2])
    assert f"cross_entropy gives {r['torch_cross_entropy']:.6g}" in panel.note.value


def test_gradient_curves_and_marker(panel):
    curves = loss_curves()
    loss_fig, grad_fig = panel.gradients.loss_fig, panel.gradients.grad_fig
    assert list(grad_fig.data[0].y) == curves["ce_grad"] and list(grad_fig.data[1].y) == curves["mse_grad"]
    assert list(loss_fig.data[0].x) == curves["p"] and list(loss_fig.data[1].y) == curves["mse"]
    panel.gradients.slider.value = 0.01
    point = loss_gradients([0.01])
    assert list(grad_fig.data[2].y) == point["ce_grad"] and list(grad_fig.data[3].y) == point["mse_grad"]
    assert "gradient -0.9900" in panel.gradients.note.value


def test_every_number_on_the_bars_has_one_format(panel):
    panel.scale_text.value = "5380"  # values from −0.00… to −16,000: the old labels mixed −8511 and −1.617e+04
    texts = [t for trace in panel.bars_fig.data for t in trace.text if t]
    assert texts and all(re.fullmatch(r"0|−?\d{1,3}(,\d{3})*(\.\d+)?", t) for t in texts), texts
    assert panel.bars_fig.data[1].text[3] == "−16,140" and panel.bars_fig.layout.yaxis.exponentformat == "none"


@pytest.mark.parametrize("text, words", [("abc", "must be a number"), ("nan", "must be a number"),
                                         ("-5", "from 1 to 10000"), ("1e300", "from 1 to 10000"),
                                         ("inf", "from 1 to 10000"), ("", "must be a number")])
def test_bad_scale_text_gives_a_message_and_the_panel_keeps_working(app, panel, text, words):
    before = list(panel.bars_fig.data[1].y)
    panel.scale_text.value = text
    assert words in app.status.text and app.status.kind == "error"
    assert list(panel.bars_fig.data[1].y) == before and panel.scale.value == 10.0
    panel.scale_text.value = "20"
    assert panel.scale.value == 20.0 and list(panel.bars_fig.data[1].y) != before


def paste(panel, data):
    """Paste settings into the share box and press its Apply button, as a learner would."""
    apply = panel.share_apply
    assert apply.description == "Apply pasted settings"
    panel.share_text.value = json.dumps(data)
    apply.click()


def test_settings_round_trip_and_bad_settings(app, panel):
    panel.scale.value, panel.target.value, panel.gradients.slider.value = 60.0, 1, 0.3
    saved = panel.settings()
    other_app = App()
    other = other_app.panel("losses")
    paste(other, saved)
    assert other_app.status.text == "Settings applied."
    assert (other.scale.value, other.target.value, other.gradients.slider.value) == (60.0, 1, 0.3)
    assert list(other.bars_fig.data[0].text) == list(panel.bars_fig.data[0].text)
    for bad, words in (({"scale": 0}, "from 1 to 10000"), ({"target": 7}, "from 0 to 3"),
                       ({"p": 1.5}, "0.01 to 0.99"), ({"colour": "red"}, "Unknown setting"),
                       ({"scale": 50, "target": "x"}, "whole number"), ({"scale": "big"}, "must be a number")):
        paste(panel, bad)
        assert words in app.status.text and app.status.kind == "error"
        assert panel.settings() == saved  # a rejected paste changes nothing


def test_chinese_relabels_controls_figures_and_messages(app, panel):
    app.lang.value = "zh"
    assert panel.scale.description == "logit 缩放倍数" and panel.bars_fig.layout.yaxis.title.text == "log-softmax 值"
    assert panel.bars_fig.data[0].name.startswith("朴素公式") and "交叉熵" in panel.gradients.grad_fig.data[0].name
    assert "float32 中 exp(1000) = inf" in panel.lesson.value
    assert "nll 用整数索引" in panel.note.value and "在 p = " in panel.gradients.note.value
    panel.scale_text.value = "abc"
    assert app.status.text == "设置无法使用：logit 缩放倍数必须是数字，而不是 'abc'。"
    panel.scale_text.value = "0.5"
    assert app.status.text == "设置无法使用：logit 缩放倍数必须是 1 到 10000 之间的数。"
    app.lang.value = "en"
    assert panel.scale.description == "Logit scale" and math.isfinite(panel.scale.value)
