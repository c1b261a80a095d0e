"""The Loop panel headless: switches beside the code lines, both loops drawn as core trains them, one sentence per
mistake with this run's numbers (both languages), health gauges, the broken run's script, shared settings."""
import json
import math

import pytest

from core import LOOP_MISTAKES, mistake_effects, run_with_mistakes
from widgets.shell.app import App


@pytest.fixture(scope="module")
def ran():
    app = App()
    panel = app.panel("loop")
    panel.threaded = False
    panel.code.switches["no_eval_mode"].value = True
    panel.code.switches["sum_reduction"].value = True
    panel.run.click()
    return app, panel


def test_every_mistake_has_a_switch_beside_its_line():
    panel = App().panel("loop")
    assert set(panel.code.switches) == set(LOOP_MISTAKES)
    assert "tp-panel-loop" in panel.root._dom_classes
    assert "tp-run" in panel.run._dom_classes and "tp-stop" in panel.stop_button._dom_classes


def test_both_loops_are_drawn_as_core_trains_them(ran):
    app, panel = ran
    correct, broken = run_with_mistakes(panel.config().replace(mistakes=()), ("no_eval_mode", "sum_reduction"))
    assert [h.fingerprint for h in panel.histories] == [correct.fingerprint, broken.fingerprint]
    for trace, h in zip(panel.loss_fig.data, (correct, broken)):
        assert list(trace.y) == h.train_loss
    for trace, h in zip(panel.acc_fig.data, (correct, broken)):
        assert list(trace.y) == h.val_acc
    ratios = broken.health["lr_grad_ratio"]["layer1"]["ratio"]
    assert list(panel.ratio_fig.data[1].y) == [math.log10(r) for r in ratios]
    assert panel.ratio_fig.layout.shapes[0].y0 == -3
    assert app.status.text == "Ready." and not panel.run.disabled and panel.stop_button.disabled


def test_the_health_gauges_speak_of_the_layer_picked():
    panel = App().panel("loop")
    panel.threaded = False
    panel.apply_settings({"hidden": [16, 8], "epochs": 1})
    panel.code.switches["sum_reduction"].value = True
    panel.run.click()
    correct, broken = panel.histories
    assert panel.layer.options == ("layer1", "layer2")
    assert panel.layer.options == tuple(correct.health["dead_fraction"])
    for layer in panel.layer.options:
        panel.layer.value = layer
        ratios = broken.health["lr_grad_ratio"][layer]["ratio"]
        assert list(panel.ratio_fig.data[1].y) == [math.log10(r) if r > 0 and math.isfinite(r) else None for r in ratios]
        assert layer in panel.ratio_fig.layout.title.text
        dead = f"{broken.health['dead_fraction'][layer]['fraction'][-1]:.0%}"
        assert f"dead units in {layer} at the end" in panel.health.value and dead in panel.health.value


def test_one_sentence_per_mistake_with_this_runs_numbers_in_both_languages(ran):
    app, panel = ran
    rows = mistake_effects(*panel.histories)
    acc, ok_acc = rows[0]["params"]["acc"], rows[0]["params"]["ok_acc"]
    eval_acc = rows[0]["params"]["eval_acc"]
    assert f"The same model validated in train mode: accuracy {acc:.2f}; in eval mode: {eval_acc:.2f}." in panel.effects.value
    assert f"{rows[1]['params']['times']:.1f}× as far" in panel.effects.value
    assert "against ln C = 2.303" in panel.health.value
    app.lang.value = "zh"
    try:
        assert f"在训练模式下验证，准确率 {acc:.2f}" in panel.effects.value and "健康指标" in panel.health.value
        assert panel.loss_fig.layout.title.text == "每步训练损失（对数坐标）"
    finally:
        app.lang.value = "en"


def test_the_export_writes_the_broken_run_with_its_fingerprint(ran):
    _, panel = ran
    panel.export.click()
    script = panel.script.value
    assert "MISTAKE no_eval_mode" in script and "MISTAKE sum_reduction" in script
    assert panel.histories[1].fingerprint in script


def test_without_a_mistake_the_panel_asks_for_one():
    app = App()
    panel = app.panel("loop")
    panel.run.click()
    assert app.status.text == "Tick at least one mistake first." and panel.histories is None


def test_settings_round_trip_and_bad_ones_are_refused():
    app = App()
    panel = app.panel("loop")
    panel.code.switches["no_shuffle"].value = True
    panel.dropout.value, panel.norm.value = 0.5, "none"
    data = json.loads(json.dumps(panel.settings()))
    other_app = App()
    other = other_app.panel("loop")
    other.apply_settings(data)
    assert other.code.mistakes == ("no_shuffle",) and other.dropout.value == 0.5 and other.norm.value == "none"
    assert other.config() == panel.config()
    other.share_text.value = json.dumps({**data, "mistakes": ["forgot_backward"]})
    other.share_apply.click()
    assert "Unknown loop mistake" in other_app.status.text
    assert other.code.mistakes == ("no_shuffle",)


def test_the_init_table_shows_what_each_module_got_and_that_normal_0_1_sets_the_mean():
    from core import INIT_RULE_PRESETS, init_rules_report

    app = App()
    panel = app.panel("loop")
    panel.init_table.preset.value = "course_normal"
    panel.init_table.apply.click()
    rows = init_rules_report(panel.config(), INIT_RULE_PRESETS["course_normal"])
    assert panel.init_table.rows == rows and [r["name"] for r in rows] == ["layer1.0", "out"]
    assert f"measured mean {rows[0]['weight_mean']:.3f}, std {rows[0]['weight_std']:.3f}" in panel.init_table.table.value
    app.lang.value = "zh"
    assert panel.init_table.preset.value == "course_normal" and "设置的是<b>均值</b>" in panel.init_table.table.value


def test_the_dataloader_grid_shows_each_batchs_indices_coloured_by_class():
    from core import batch_indices

    panel = App().panel("loop")
    lab = panel.loaders
    lab.shuffle.value = False
    lab.show_button.click()
    assert [list(r) for r in lab.grid.data[0].text] == [[str(i) for i in b] for e in batch_indices(24, 6, 2, False)
                                                          for b in e]
    assert [list(r) for r in lab.grid.data[0].z][:4] == [[0] * 6, [1] * 6, [2] * 6, [3] * 6]  # file order: one class
    lab.shuffle.value = True
    lab.show_button.click()
    assert [list(r) for r in lab.grid.data[0].text] == [[str(i) for i in b] for e in batch_indices(24, 6, 2, True, 0)
                                                          for b in e]


def test_the_worker_pitfall_is_reported_as_measured():
    panel = App().panel("loop")
    panel.loaders.workers.click()
    plain_run, seeded = panel.loaders.reports
    text = panel.loaders.result.value
    assert f"worker 0 drew {plain_run['draws'][0][0]}" in text and f"worker 1 drew {seeded['draws'][0][1]}" in text
    assert f"workers identical: {'yes' if plain_run['same_across_workers'] else 'no'}" in text
