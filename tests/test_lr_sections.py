"""The learning-rate panel's schedule and optimizer-on-the-surface sections, driven headlessly."""
import json
import math
import statistics

import pytest

from core import RULES, RunConfig, batch_lr_grid, classify_regime, descend, linear_data, lr_find_band, planned_rates, train
from widgets.shell.app import App


@pytest.fixture(scope="module")
def app():
    app = App()
    app.panel("lr").base = RunConfig(epochs=1, hidden=(16,))
    return app


def test_the_schedule_section_draws_the_rates_the_run_used_under_its_losses(app):
    panel = app.panel("lr")
    section = panel.schedule
    section.pick.value, section.peak.value, section.warmup.value = "warmup_cosine", "0.2", 10
    section.run.click()
    expected = train(panel.base.replace(schedule="warmup_cosine", lr=0.2, warmup_steps=10))
    assert list(section.fig.data[0].y) == expected.train_loss
    assert list(section.fig.data[1].y) == expected.lr == planned_rates(expected.config)
    assert section.history.fingerprint == expected.fingerprint
    assert "warm-up then cosine" in section.note.value and app.status.text == "Ready."
    assert not section.run.disabled and panel.stop_button.disabled


def test_a_bad_peak_rate_is_a_message_not_a_traceback(app):
    section = app.panel("lr").schedule
    section.peak.value = "-1"
    section.run.click()
    assert "positive number" in app.status.text and app.status.kind == "error"
    section.peak.value = "0.1"


def test_one_cycle_takes_its_peak_from_the_finder(app):
    panel = app.panel("lr")
    panel.schedule.from_finder.click()
    suggestion = panel.finder_result.suggestion
    assert panel.schedule.pick.value == "one_cycle"
    assert panel.schedule.history.config.lr == float(f"{suggestion:.3g}")  # the peak, as the box shows it
    assert panel.schedule.history.lr[0] == pytest.approx(panel.schedule.history.config.lr / 25, rel=1e-12)


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_the_surface_arrows_are_the_gradient_and_the_step_the_optimizer_took(app, optimizer):
    surface = app.panel("lr").surface
    surface.slider.value, surface.optimizer.value, surface.step.value = 0.3, optimizer, 3
    path = descend(*linear_data(), 0.3, steps=30, optimizer=optimizer)
    assert list(surface.fig.data[1].x) == path.w
    arrows = {a.name: a for a in surface.fig.layout.annotations if a.name in ("gradient", "update")}
    (gw, gb), (uw, ub), (w, b) = path.grads[3], path.updates[3], (path.w[3], path.b[3])
    assert (arrows["update"].ax, arrows["update"].ay) == (w, b)
    assert (arrows["update"].x, arrows["update"].y) == (w + uw, b + ub)
    assert (arrows["gradient"].x, arrows["gradient"].y) == (w - 0.3 * gw, b - 0.3 * gb)
    assert ("velocity" in surface.arrows_note.value) == (optimizer == "momentum")
    assert ("m̂" in surface.arrows_note.value) == (optimizer == "adam")


def test_section_settings_round_trip_and_chinese_labels(app):
    panel = app.panel("lr")
    settings = panel.settings()
    settings.update(sched="cosine", sched_lr="0.05", surface_optimizer="adam")
    panel.apply_settings(json.loads(json.dumps(settings)))
    assert (panel.schedule.pick.value, panel.schedule.peak.value, panel.surface.optimizer.value) == (
        "cosine", "0.05", "adam")
    panel.share_text.value = json.dumps({**settings, "surface_optimizer": "rmsprop"})
    panel.share_apply.click()
    assert "Unknown optimizer" in app.status.text
    app.lang.value = "zh"
    try:
        assert panel.schedule.run.description == "按此调度训练"
        assert dict(panel.schedule.pick.options)["余弦"] == "cosine"
    finally:
        app.lang.value = "en"


def test_the_band_draws_what_lr_find_band_computes_and_says_the_state_was_restored(app):
    panel = app.panel("lr")
    panel.band.seeds.value = 2
    panel.band.run.click()
    band = lr_find_band(panel.base, [0, 1], steps=80)
    fig = panel.band.fig
    assert list(fig.data[1].y) == band.low and list(fig.data[0].y) == band.high
    assert list(fig.data[2].y) == band.median and list(fig.data[2].x) == band.lrs
    assert [list(trace.x) for trace in fig.data[3:]] == [band.suggestions[rule] for rule in RULES]
    assert f"× {band.spread['steepest']:.2f}" in panel.band.table.value
    digest = band.runs[0].state_check["after"]["weights"][:8]
    assert "were put back" in panel.band.restored.value and digest in panel.band.restored.value


def test_training_at_each_rules_suggestion_labels_its_regime(app):
    panel = app.panel("lr")
    assert not panel.band.train.disabled
    panel.band.train.click()
    for rule in RULES:
        lr = statistics.median(panel.band.band.suggestions[rule])
        assert panel.band.band.suggestion_median[rule] == lr
        regime = classify_regime(train(panel.base.replace(lr=lr)))
        assert panel.band.regimes[rule] == regime
    assert "<th>a run there</th>" in panel.band.table.value


def test_the_grid_map_shows_batch_lr_grids_losses_crosses_where_it_diverged_and_the_scaling_line(app):
    panel = app.panel("lr")
    base = panel.base
    panel.base = base.replace(hidden=(32,), lr=0.1, batch_size=32)
    try:
        panel.grid.batches.value, panel.grid.rates.value = "128, 32", "0.1, 1e5"
        panel.grid.run.click()
        grid = batch_lr_grid(panel.base, [32, 128], [0.1, 1e5])
        heat, crosses, line = panel.grid.fig.data
        assert [list(row) for row in heat.z] == [[v if math.isfinite(v) else None for v in row] for row in grid.val_loss]
        assert list(zip(crosses.x, crosses.y)) == [(1, 0)]  # batch 32 at 1e5 diverged, batch 128 did not
        # rate ∝ batch from (32, 0.1): 0.1 at column 0, 0.4 a fraction log(4)/log(1e6) of the way to column 1
        assert list(line.y) == [0, 1] and line.x[0] == 0.0
        assert line.x[1] == pytest.approx(math.log(4) / math.log(1e6), rel=1e-12)
    finally:
        panel.base = base


def test_bad_grid_lists_are_messages(app):
    panel = app.panel("lr")
    panel.grid.batches.value = ""
    panel.grid.run.click()
    assert "separated by commas" in app.status.text and app.status.kind == "error"
    panel.grid.batches.value = "16, 64, 256"


def test_a_language_switch_keeps_the_chosen_schedule():
    app = App()
    section = app.panel("lr").schedule
    section.pick.value = "cosine"
    app.lang.value = "zh"
    try:
        assert section.pick.value == "cosine" and section.pick.label == "余弦"
    finally:
        app.lang.value = "en"
    assert section.pick.value == "cosine" and section.pick.label == "cosine"


def test_an_unknown_schedule_in_shared_settings_is_named_in_chinese_too():
    app = App()
    panel = app.panel("lr")
    app.lang.value = "zh"
    try:
        panel.share_text.value = json.dumps({**panel.settings(), "schedule": "exponential"})
        panel.share_apply.click()
        assert "学习率调度" in app.status.text and "exponential" in app.status.text
    finally:
        app.lang.value = "en"


@pytest.mark.parametrize("key, value", [("band_seeds", 1), ("band_seeds", 2.5), ("sched_warmup", -1),
                                        ("sched", "exponential"), ("surface_optimizer", "rmsprop")])
def test_a_bad_shared_section_value_is_refused_and_changes_nothing(key, value):
    app = App()
    panel = app.panel("lr")
    before = panel.settings()
    panel.share_text.value = json.dumps({**before, "band_seeds": 3, key: value})
    panel.share_apply.click()
    assert app.status.kind == "error" and panel.settings() == before
