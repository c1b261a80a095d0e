"""The init panel driven headlessly: set controls, click, read figure data and the status line."""
import json
import math
import re

import ipywidgets as W
import pytest

from core.lessons.init.gains import expected_std
from core.lessons.init.probe import hist_image
from core.engine.stats import HIST_BINS
from core.engine.run import train
from widgets.init.bars import DECADES
from widgets.shell.app import App

SMALL_RUN = {"depth": 2, "width": 16, "epochs": 1}  # 77 steps: the whole file stays fast


@pytest.fixture
def app():
    return App()


@pytest.fixture
def panel(app):
    return app.panel("init")


def test_look_fills_bars_with_every_layer(app, panel):
    panel.depth.value = 4
    panel.run.click()
    names = ("layer1", "layer2", "layer3", "layer4", "out")
    bars = panel.bars
    for fig in bars.figs:
        assert all(tuple(trace.x) == names for trace in fig.data if trace.visible is not False)
    assert all(y > 0 for y in bars.act_fig.data[0].y) and all(y > 0 for y in bars.grad_fig.data[0].y)
    predicted, measured = bars.weight_fig.data[0].y, bars.weight_fig.data[1].y
    assert predicted[0] == pytest.approx(expected_std("pytorch_default", 64, 64, "relu"))  # 1/sqrt(3*64)
    assert measured[0] == pytest.approx(predicted[0], rel=0.1)
    assert "5 layers" in app.status.text and app.status.kind == "ok"
    assert bars.table.value.count("<tr>") == 1 + len(names)


def test_pytorch_default_shrinks_relu_activations_that_kaiming_keeps(panel):
    panel.depth.value, panel.activation.value = 8, "relu"
    panel.run.click()
    default_last = panel.bars.act_fig.data[0].y[7]
    assert "Shrinks" in panel.bars.summary.value
    panel.scheme.value = "kaiming_normal"  # after a first look, a control change redraws at once
    kaiming_last = panel.bars.act_fig.data[0].y[7]
    assert default_last < kaiming_last / 5
    assert "Stays near 1" in panel.bars.summary.value


def test_zero_init_leaves_no_gradient_to_draw(panel):
    panel.scheme.value, panel.depth.value = "zeros", 3
    panel.run.click()
    assert panel.report.grad_std == [0.0] * 4 and panel.report.weight_std[0] == 0.0  # zero weights, not underflow
    assert "Exactly 0 from layer 1 on: that layer's weights are all 0" in panel.bars.summary.value
    assert "the numbers underflowed" not in panel.bars.summary.value


def test_train_streams_and_ends_with_the_heatmap_filled(app, panel):
    panel.apply_settings(SMALL_RUN)
    batches = []
    add = panel.watch.add
    panel.watch.add = lambda records: (batches.append(sum(kind == "step" for kind, _ in records)), add(records))
    panel.train_button.click()
    h = panel.history
    assert sum(batches) == h.steps == 77 and "Trained 77 steps" in app.status.text
    watch = panel.watch
    assert list(watch.layer.options) == [("layer 1", "layer1"), ("layer 2", "layer2"), ("output", "out")]
    lines = [t for t in watch.time_fig.data if t.visible]
    assert len(lines) == 3 and list(lines[0].x) == h.layer_stats["layer1"]["step"] == list(range(0, 77, 2))
    heat = watch.heat_fig.data[0]
    centres, z = hist_image(h.layer_stats["layer1"]["hist"], h.hist_range)
    assert len(heat.z) == HIST_BINS and len(heat.z[0]) == len(lines[0].x) and list(map(list, heat.z)) == z
    watch.layer.value = "out"
    assert list(map(list, watch.heat_fig.data[0].z)) == hist_image(h.layer_stats["out"]["hist"], h.hist_range)[1]
    watch.metric.value = "grad_std"
    assert list(watch.time_fig.data[0].y) == pytest.approx(h.layer_stats["layer1"]["grad_std"])
    assert panel.run.disabled is False and panel.stop_button.disabled is True
    assert list(watch.loss_fig.data[0].y) == train(panel.config()).train_loss  # the same run, trained again
    assert watch.loss_fig.layout.xaxis.visible is not False


def test_watch_figures_show_a_hint_before_a_run(panel):
    for fig in (panel.watch.loss_fig, panel.watch.time_fig, panel.watch.heat_fig, *panel.bars.figs):
        assert fig.layout.xaxis.visible is False and "Press" in fig.layout.annotations[-1].text


def test_schemes_share_one_fixed_log_axis_with_readable_ticks(panel):
    panel.depth.value, panel.activation.value = 8, "relu"
    panel.run.click()
    axes = []
    for scheme in ("pytorch_default", "kaiming_normal"):
        panel.scheme.value = scheme
        axes.append([(f.layout.yaxis.range, f.layout.yaxis.dtick, f.layout.yaxis.exponentformat)
                     for f in panel.bars.figs[:2]])
    assert axes[0] == axes[1] == [(DECADES, 1, "power")] * 2
    assert not panel.bars.act_fig.layout.annotations  # every bar of both schemes fits the axis


def test_bars_the_log_axis_cannot_draw_are_labelled_at_its_edge(panel):
    panel.scheme.value, panel.depth.value, panel.width.value = "constant", 8, 256
    panel.run.click()
    r = panel.report
    labels = {a.x: a.text for a in panel.bars.grad_fig.layout.annotations}
    assert labels == {name: "0" for name, g in zip(r.names, r.grad_std) if g == 0} | {
        name: labels[name] for name, g in zip(r.names, r.grad_std) if g > 10 ** DECADES[1]}
    tall = [(name, a) for name, a in zip(r.names, r.act_std) if a > 10 ** DECADES[1]]
    assert tall and {a.x for a in panel.bars.act_fig.layout.annotations} == {name for name, _ in tall}
    assert all(a.text.startswith("↑ ") and a.y == 1 for a in panel.bars.act_fig.layout.annotations)


def test_stop_ends_a_threaded_run(app, panel):
    panel.apply_settings({**SMALL_RUN, "epochs": 100})  # far longer than the test waits
    job = panel.train_run(threaded=True)
    assert panel.stop_button.disabled is False and panel.train_button.disabled is True
    panel.train_run()  # a second run while one is going is refused, not started
    assert "already going" in app.status.text
    panel.stop_button.click()
    job.join(timeout=60)
    assert not job.running and panel.history.stopped
    assert panel.history.steps < 100 * 77 and app.status.text == "Stopped."
    assert panel.stop_button.disabled is True and panel.train_button.disabled is False


def test_deep_matmul_sandbox_says_where_the_signal_goes(panel):
    mm = panel.matmul
    mm.scale.value = "1"
    mm.run.click()
    layer = int(re.search(r"NaN/inf at layer (\d+)", mm.sentence.value).group(1))
    assert abs(layer - 28.4) <= 1.5  # ln(float32 max) / ln(sqrt(512))
    ys = mm.fig.data[0].y
    # the std itself overflows a layer before x holds inf; such layers are gaps, not errors
    assert ys[layer - 3] > 1e30 and ys[-1] is None
    panel.ctx.i18n.lang = "zh"
    assert f"第 {layer} 层出现 NaN/inf" in mm.sentence.value
    panel.ctx.i18n.lang = "en"
    mm.scale.value = "0.01"
    mm.run.click()
    assert "Vanished to exactly 0" in mm.sentence.value
    mm.depth.value, mm.scale.value = 30, "1/√512"
    mm.run.click()
    assert "Stays near 1" in mm.sentence.value and len(mm.fig.data[0].x) == 30


def test_a_symmetric_start_draws_units_that_trained_and_stayed_identical(app, panel):
    panel.symmetry.run.click()
    symmetric, other = panel.symmetry.sentences
    assert "1 distinct unit out of 64" in symmetric.value and "64 distinct units out of 64" in other.value
    z = panel.symmetry.figs[0].data[0].z
    assert len(z) == 64 and len(z[0]) == 64 and all(list(row) == list(z[0]) for row in z)  # identical rows...
    assert len({v for v in z[0]}) > 1  # ...that moved away from the constant 0.1 they started at: they trained
    assert not panel.symmetry.figs[0].layout.annotations and not panel.symmetry.figs[1].layout.annotations
    zeros = panel.symmetry.zeros  # relu: all zeros never moves, as the sentence says
    assert all(v == 0 for row in zeros.weights for v in row)
    assert "still exactly 0 after 60 steps" in symmetric.value
    reach = max(abs(v) for row in panel.symmetry.figs[1].data[0].z for v in row)
    assert [(f.data[0].zmin, f.data[0].zmax) for f in panel.symmetry.figs] == [(-reach, reach)] * 2
    app.lang.value = "zh"
    assert "64 个隐藏单元中只有 1 个互不相同" in symmetric.value and "仍然恰好是 0" in symmetric.value


@pytest.mark.parametrize("text,fragment", [("abc", "whole number"), ("-1", "from 0 to"), ("1e99", "whole number")])
def test_a_bad_seed_is_a_status_message_and_the_panel_keeps_working(app, panel, text, fragment):
    panel.seed.value = text
    panel.run.click()
    assert app.status.kind == "error" and fragment in app.status.text and panel.report is None
    panel.symmetry.run.click()
    assert app.status.kind == "error" and panel.symmetry.results == []
    panel.seed.value = "7"
    panel.run.click()
    assert app.status.kind == "ok" and panel.report.seed == 7


def test_chinese_relabels_controls_figures_and_status(app, panel):
    panel.run.click()
    app.lang.value = "zh"
    assert panel.run.description == "查看初始化" and panel.scheme.description == "初始化方案"
    assert panel.bars.act_fig.layout.title.text == "初始化时各层激活值的标准差"
    assert "个隐藏层" in panel.bars.summary.value and "已测量" in app.status.text
    assert panel.watch.metric.options[0] == ("激活值标准差", "act_std") and panel.watch.metric.value == "act_std"
    assert list(panel.bars.act_fig.layout.xaxis.ticktext)[-2:] == ["第 8 层", "输出层"]
    panel.seed.value = "-5"
    panel.run.click()
    assert "随机种子必须是 0 到" in app.status.text
    app.lang.value = "en"
    assert panel.run.description == "Look at init" and "seed must be" in app.status.text


def test_log_checkbox_switches_the_axes(panel):
    panel.log.value = False
    assert panel.bars.act_fig.layout.yaxis.type == "linear" and panel.watch.time_fig.layout.yaxis.type == "linear"
    panel.log.value = True
    assert panel.bars.grad_fig.layout.yaxis.type == "log" and panel.watch.time_fig.layout.yaxis.type == "log"
    assert panel.bars.weight_fig.layout.yaxis.type != "log"  # weight stds stay on a linear axis from zero
    assert panel.bars.weight_fig.layout.yaxis.rangemode == "tozero"


def share_button(panel, text):
    """The share box's button with this (English) label."""
    todo = [panel.root]
    while todo:
        w = todo.pop()
        if isinstance(w, W.Button) and w.description == text:
            return w
        todo.extend(getattr(w, "children", ()))
    raise LookupError(text)


def test_settings_round_trip_through_the_share_box(app, panel):
    panel.scheme.value, panel.activation.value, panel.depth.value = "xavier_normal", "tanh", 5
    panel.width.value, panel.seed.value = 32, "11"
    panel.matmul.scale.value, panel.matmul.relu.value = "√(2/512)", True
    share_button(panel, "Show settings").click()
    saved = json.loads(panel.share_text.value)
    assert saved == panel.settings() and saved["init"] == "xavier_normal" and saved["matmul_relu"] is True
    other = App().panel("init")
    other.share_text.value = json.dumps(saved)
    share_button(other, "Apply pasted settings").click()
    assert other.settings() == saved and other.ctx.status.text == "Settings applied."


@pytest.mark.parametrize("bad", [{"depth": 99}, {"width": 7}, {"init": "nope"}, {"matmul_scale": "2"},
                                 {"lr": -1}, {"colour": "red"}, {"seed": "x"}])
def test_bad_pasted_settings_change_nothing(app, panel, bad):
    before = panel.settings()
    panel.share_text.value = json.dumps(bad)
    share_button(panel, "Apply pasted settings").click()
    assert app.status.kind == "error" and panel.settings() == before


def test_url_settings_preset_the_controls():
    panel = App(query="init=xavier_uniform&activation=tanh&depth=3&seed=5&lr=0.05").panel("init")
    s = panel.settings()
    assert (s["init"], s["activation"], s["depth"], s["seed"], s["lr"]) == ("xavier_uniform", "tanh", 3, "5", 0.05)
    assert math.isclose(panel.config().lr, 0.05) and panel.config().hidden == (64, 64, 64)
