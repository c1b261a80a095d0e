import json
import random

import numpy as np
import pytest
import torch

import widgets.seeds.panel as seeds_panel
from core.lessons.seeds.repro import run_twice
from widgets.shell.app import App
from widgets.shell.page_a11y import mark


@pytest.fixture
def app():
    app = App()
    panel = app.panel("seeds")
    # Small and fast; the panel itself trains 2 epochs of the default MLP.
    panel.base = panel.base.replace(epochs=1, batch_size=128, hidden=(16,), stats_every=1000)
    return app


def run(app, seed="42", **parts):
    p = app.seeds
    p.seed.value = seed
    for part, on in parts.items():
        p.parts[part].value = on
    p.run.click()
    return p


def test_seeded_run_twice_is_identical_with_equal_fingerprints(app):
    p = run(app)
    first, second, comparison = p.result
    assert comparison.identical and comparison.first_diff_step is None
    assert first.fingerprint == second.fingerprint
    assert p.fingerprints.value.count(first.fingerprint[:16]) == 2
    assert "IDENTICAL" in p.verdict.value and app.status.text == "Done: the two runs are IDENTICAL."
    assert list(p.loss_fig.data[0].y) == list(p.loss_fig.data[1].y) == first.train_loss
    assert list(p.loss_fig.data[0].x) == list(range(first.steps))
    assert not p.loss_fig.data[2].x and not p.loss_fig.layout.annotations  # no first-difference marker
    assert p.stop_button.disabled and not p.run.disabled


def test_unseeded_batch_order_differs_from_step_0_and_marks_it(app):
    p = run(app, order=False)
    first, second, comparison = p.result
    assert p.config().unseeded == ("order",)
    assert not comparison.identical and comparison.first_diff_step == 0
    assert "DIFFERENT" in p.verdict.value and "First differing step: 0;" in p.verdict.value
    assert first.fingerprint[:16] in p.fingerprints.value and second.fingerprint[:16] in p.fingerprints.value
    # both losses at step 0 ringed, stood clear of the y-axis, and said: what differed first
    assert list(p.loss_fig.data[2].x) == [0, 0]
    assert list(p.loss_fig.data[2].y) == [first.train_loss[0], second.train_loss[0]]
    assert first.train_loss[0] != second.train_loss[0]
    assert p.loss_fig.layout.xaxis.range[0] < 0 < p.loss_fig.layout.xaxis.range[1]
    (note,) = p.loss_fig.layout.annotations
    assert note.x == 0 and "step 0, before any update" in note.text
    assert f"loss {first.train_loss[0]:.7g} (run 1) vs {second.train_loss[0]:.7g} (run 2)" in note.text
    assert list(p.loss_fig.data[0].y) != list(p.loss_fig.data[1].y)


def test_empty_seed_is_unseeded_and_differs(app):
    p = run(app, seed="  ")
    assert p.config().seed is None
    assert not p.result[2].identical and "DIFFERENT" in p.verdict.value


def test_identical_again_after_a_different_run_clears_the_marker(app):
    p = run(app, order=False)
    p = run(app, order=True)
    assert p.result[2].identical and not p.loss_fig.data[2].x and not p.loss_fig.layout.annotations


@pytest.mark.parametrize("bad", ["abc", "-1", "99999999999", "4.5"])
def test_bad_seed_is_a_status_message_then_a_valid_run_works(app, bad):
    p = run(app, seed=bad)
    assert p.result is None and not p.loss_fig.data[0].y
    assert app.status.kind == "error" and "seed" in app.status.text
    assert not p.run.disabled
    p = run(app, seed="7")
    assert p.result[2].identical and app.status.kind == "ok"


def test_bad_seed_message_translates(app):
    run(app, seed="-1")
    app.lang.value = "zh"
    assert "随机种子必须是 0 到 4294967295" in app.status.text


def test_deterministic_switch_reaches_the_config(app):
    p = app.seeds
    p.deterministic.value = True
    saved = torch.are_deterministic_algorithms_enabled()
    p = run(app)
    assert p.result[0].config.deterministic and p.result[2].identical
    assert torch.are_deterministic_algorithms_enabled() is saved  # scoped to the run


def test_stopped_pair_is_not_judged(app, monkeypatch):
    def stopped_at_once(cfg, callbacks=(), stop=None, benchmark=False):
        stop.set()
        return run_twice(cfg, callbacks, stop, benchmark)

    monkeypatch.setattr(seeds_panel, "run_twice", stopped_at_once)
    p = run(app)
    assert "Stopped before the end" in p.verdict.value and "IDENTICAL" not in p.verdict.value
    assert app.status.text == "Stopped."


def share_buttons(p):
    """(Show settings, Apply) from the share accordion at the foot of the panel."""
    show, apply = p.share_show, p.share_apply
    assert (show.description, apply.description) == ("Show settings", "Apply pasted settings")
    return show, apply


def table_rows(p):
    seed, first, again, other = p.lessons.sequences
    return first, again, other


def test_random_sequence_table_same_seed_equal_rows(app):
    p = app.seeds
    p.seed.value = "42"
    p.lessons.draw.click()
    first, again, other = table_rows(p)
    assert first == again and all(first[g] != other[g] for g in first)
    html = p.lessons.table.value
    assert html.count("same as the first draw") == 3 and html.count("differs") == 3
    numbers = " ".join(f"{v:.6f}" for v in first["torch"])
    assert html.count(numbers) == 2
    assert "seed 43" in html


def test_empty_seed_demo_uses_the_course_seed(app):
    p = app.seeds
    p.seed.value = ""
    p.lessons.draw.click()
    assert p.lessons.sequences[0] == 1024
    assert p.lessons.sequences[1]["python"][:2] == [0.7970515714521261, 0.4834988702079559]
    assert "0.797052 0.483499" in p.lessons.table.value


def test_demo_leaves_global_rng_state_unchanged(app):
    before = (random.getstate(), np.random.get_state()[1].copy(), torch.get_rng_state())
    app.seeds.seed.value = "5"
    app.seeds.lessons.draw.click()
    assert app.seeds.lessons.sequences is not None
    assert random.getstate() == before[0]
    assert np.array_equal(np.random.get_state()[1], before[1])
    assert torch.equal(torch.get_rng_state(), before[2])


def test_demo_with_bad_seed_is_a_status_message(app):
    app.seeds.seed.value = "abc"
    app.seeds.lessons.draw.click()
    assert app.seeds.lessons.sequences is None and app.status.kind == "error"


def test_audit_follows_the_switches_without_changing_global_flags(app):
    p = app.seeds
    saved = torch.backends.cudnn.benchmark
    assert "cudnn.benchmark" not in p.lessons.audit_list.value
    p.benchmark.value = True
    assert mark("warning") + " <code>cudnn.benchmark</code>" in p.lessons.audit_list.value
    assert "torch.backends.cudnn.benchmark = False" in p.lessons.audit_list.value
    assert torch.backends.cudnn.benchmark is saved
    assert "deterministic_algorithms" in p.lessons.audit_list.value
    p.deterministic.value = True
    assert "deterministic_algorithms" not in p.lessons.audit_list.value
    assert "cudnn.benchmark" not in p.lessons.audit_list.value  # deterministic mode turns benchmark off
    p.lessons.audit_list.value = ""
    p.lessons.refresh.click()
    assert "PYTHONHASHSEED" in p.lessons.audit_list.value


def test_pythonhashseed_lesson_comes_from_seed_everything(app):
    from core.lessons.seeds.repro import seed_report

    note = seed_report().notes[0]
    assert note in app.seeds.lessons.hashseed.value
    app.lang.value = "zh"
    assert "只在解释器启动时生效" in app.seeds.lessons.hashseed.value


def test_chinese_relabels_buttons_verdict_and_status(app):
    p = run(app, order=False)
    assert p.run.description == "Run twice"
    app.lang.value = "zh"
    assert p.run.description == "运行两次" and p.lessons.draw.description == "抽取随机数"
    assert p.parts["order"].description == "批次顺序"
    assert "不同" in p.verdict.value and "首个不同的步：第 0 步" in p.verdict.value
    assert app.status.text == "完成：两次运行不同。"
    assert p.loss_fig.data[0].name == "第 1 次运行"
    assert "种子检查" in p.lessons.audit_title.value


def test_settings_round_trip(app):
    p = app.seeds
    p.seed.value, p.parts["split"].value, p.deterministic.value, p.benchmark.value = "11", False, True, True
    data = json.loads(json.dumps(p.settings()))
    assert data["seed"] == 11 and data["unseeded"] == ["split"] and data["benchmark"] is True
    other = App().seeds
    other.share_text.value = json.dumps(data)
    share_buttons(other)[1].click()
    assert other.seed.value == "11" and not other.parts["split"].value and other.parts["order"].value
    assert other.deterministic.value and other.benchmark.value
    data["seed"] = None
    other.apply_settings(data)
    assert other.seed.value == ""


def test_bad_settings_are_a_status_message(app):
    p = app.seeds
    p.share_text.value = json.dumps({"seed": -5})
    share_buttons(p)[1].click()
    assert app.status.kind == "error" and "seed" in app.status.text
    p.seed.value = "x"
    share_buttons(p)[0].click()  # showing settings reads the bad seed box
    assert app.status.kind == "error"


def test_root_classes_and_contract_classes(app):
    p = app.seeds
    assert {"tp-panel", "tp-panel-seeds"} <= set(p.root._dom_classes)
    assert "tp-seed" in p.seed._dom_classes and "tp-run" in p.run._dom_classes
    assert "tp-stop" in p.stop_button._dom_classes and p.stop_button.disabled


def test_url_seed_fills_the_box():
    assert App(query="seed=7").seeds.seed.value == "7"
