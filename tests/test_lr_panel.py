import json
import math
import time

import pytest

from core import LR_PRESETS, RunConfig, lr_sweep
from widgets.shell.app import App


@pytest.fixture(scope="module")
def expected():
    """The four presets' histories, run by core directly (the oracle the panel's chart is checked against)."""
    return lr_sweep(RunConfig(epochs=2), list(LR_PRESETS.values()))


@pytest.fixture(scope="module")
def ran():
    """One app whose LR panel has run its four presets (shared: the run is the slow part)."""
    app = App()
    panel = app.panel("lr")
    panel.run.click()
    return app, panel


def test_four_presets_draw_the_same_losses_core_computes(ran, expected):
    app, panel = ran
    for trace, h in zip(panel.loss_fig.data[:4], expected):
        assert list(trace.x) == list(range(h.steps))
        assert list(trace.y) == [v if math.isfinite(v) else None for v in h.train_loss]
    assert app.status.text == "Ready."
    assert not panel.run.disabled and panel.stop_button.disabled


def test_each_curve_is_labelled_with_its_regime(ran):
    _, panel = ran
    names = [t.name for t in panel.loss_fig.data[:4]]
    assert names == ["lr=0.001 · too small", "lr=0.1 · about right", "lr=1 · too large", "lr=100000 · diverged"]
    assert "diverged</b> at step" in panel.summary.value


def test_result_table_has_column_headers(ran):
    _, panel = ran
    assert "<th>learning rate</th><th>regime</th><th>final loss</th><th>fingerprint</th>" in panel.summary.value


def test_before_the_first_run_the_charts_show_a_hint_not_empty_axes():
    panel = App().panel("lr")
    for fig, words in ((panel.loss_fig, "Run the four presets"), (panel.finder_fig, "LR finder")):
        assert fig.layout.xaxis.visible is False and fig.layout.yaxis.visible is False
        assert [a.name for a in fig.layout.annotations] == ["hint"] and words in fig.layout.annotations[0].text


def test_the_axis_fits_the_sane_curves_and_marks_where_the_others_leave_it_and_break(ran, expected):
    _, panel = ran
    assert panel.loss_fig.layout.xaxis.visible is not False
    top = 10 ** panel.loss_fig.layout.yaxis.range[1]
    sane = [v for h in expected[:3] for v in h.train_loss]
    assert max(sane) < top and 10 ** panel.loss_fig.layout.yaxis.range[0] < min(sane)
    losses = expected[3].train_loss
    broke = next(i for i, v in enumerate(losses) if not math.isfinite(v))
    off = next(i for i, v in enumerate(losses) if v > top)
    labels = {a.text: a.x for a in panel.loss_fig.layout.annotations}
    assert labels == {f"↑ off the chart from step {off}": off, f"↑ diverged at step {broke} (inf/NaN)": broke}
    assert [s.x0 for s in panel.loss_fig.layout.shapes] == [broke]


def test_custom_rate_adds_a_curve_and_bad_rates_get_a_message(ran):
    app, panel = ran
    for text, words in (("abc", "must be a number"), ("-1", "positive number"), ("nan", "must be a number"),
                        ("1e9", "positive number"), ("", "must be a number")):
        panel.lr_input.value = text
        panel.add.click()
        assert words in app.status.text and app.status.kind == "error"
    panel.lr_input.value = "0.05"
    panel.add.click()
    assert panel.loss_fig.data[4].visible and len(panel.loss_fig.data[4].y) == 154
    assert panel.loss_fig.data[4].name == "lr=0.05 · about right"
    assert app.status.text == "Ready."


def test_lr_finder_marks_a_suggestion_and_fills_the_box(ran):
    app, panel = ran
    panel.finder.click()
    xs = list(panel.finder_fig.data[0].x)
    suggestion = panel.finder_fig.data[1].x[0]
    assert len(xs) > 10 and xs[0] < suggestion < xs[-1]
    assert float(panel.lr_input.value) == pytest.approx(suggestion, rel=1e-2)
    assert "Suggested rate" in app.status.text
    ys = list(panel.finder_fig.data[0].y)
    lowest = xs[ys.index(min(y for y in ys if y is not None))]
    assert suggestion == pytest.approx(lowest / 10)  # the rule the note states
    assert f"lowest ({lowest:.3g}) ÷ 10" in panel.finder_note.value


@pytest.mark.parametrize("rate, escaped", [(0.3, False), (1.05, True)])
def test_surface_path_follows_the_slider(ran, rate, escaped):
    _, panel = ran
    panel.surface_lr.value = rate
    assert list(panel.surface_fig.data[1].x) == panel.surface.path.w and panel.surface.path.escaped == escaped
    assert ("escaped" in panel.surface.note.value) == escaped
    arrows = [a for a in panel.surface_fig.layout.annotations if a.name == "exit"]
    assert len(arrows) == escaped
    if escaped:  # the arrow's head sits on the frame's edge, its tail on the last point inside
        head = (arrows[0].x, arrows[0].y)
        assert head[0] in (-2, 6) or head[1] in (-3, 5)
        assert (arrows[0].ax, arrows[0].ay) in zip(panel.surface.path.w, panel.surface.path.b)


def test_chinese_relabels_buttons_curves_and_messages(ran):
    app, panel = ran
    app.lang.value = "zh"
    try:
        assert panel.run.description == "运行四个预设"
        assert panel.loss_fig.data[1].name == "学习率=0.1 · 合适"
        assert panel.loss_fig.layout.xaxis.title.text == "步" and panel.finder_fig.data[1].name == "建议值"
        assert any(a.text.startswith("↑ 第") and "步发散" in a.text for a in panel.loss_fig.layout.annotations)
        panel.lr_input.value = "-3"
        panel.add.click()
        assert app.status.text.startswith("设置无法使用：学习率")
    finally:
        app.lang.value = "en"
    assert panel.run.description == "Run the four presets"


def test_settings_round_trip_and_bad_json(ran):
    app, panel = ran
    settings = panel.settings()
    settings.update(lr=0.2, seed=7, custom_lr="0.02")
    panel.share_text.value = json.dumps(settings)
    panel.apply_settings(json.loads(panel.share_text.value))
    assert panel.base.seed == 7 and panel.lr_input.value == "0.02"
    panel.share_text.value = "{not json"
    panel.share_apply.click()
    assert "not valid" in app.status.text


def test_url_query_sets_the_panel_base_config():
    app = App(query="seed=11&epochs=1&lang=zh")
    assert app.panel("lr").base.seed == 11 and app.panel("lr").base.epochs == 1
    assert app.i18n.lang == "zh"


def test_stop_mid_run_ends_every_curve_early_and_buttons_come_back():
    app = App()
    panel = app.panel("lr")
    panel.threaded = True
    panel.base = panel.base.replace(epochs=200)
    panel.run.click()
    assert panel.run.disabled and panel.add.disabled and not panel.stop_button.disabled
    panel.add.click()  # disabled in the browser; headless clicks still arrive and must be refused
    assert "already going" in app.status.text
    time.sleep(0.3)
    panel.stop_button.click()
    panel.job.join(30)
    assert not panel.job.running
    histories = [panel.results[slot] for slot in range(4)]
    assert all(h.stopped for h in histories if h.diverged_at is None)
    assert histories[1].steps < 200 * 77
    assert app.status.text == "Stopped." and not panel.run.disabled and panel.stop_button.disabled
    assert len(panel.loss_fig.data[1].y) == histories[1].steps
