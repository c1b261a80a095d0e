"""The exercise block in each panel, headless: Run locked until a prediction (or a skip), the check read from the
panel's own run, a changed setting changing the answer, the typed record, languages and bad input."""
import json

import pytest
import torch

import core.engine.devices
from core import ExerciseRecord, LESSONS, load_exercises
from test_gpu_panel import FakeGPU
from widgets.exercises.block import ExerciseBlock
from widgets.shell.app import App


@pytest.fixture
def lr():
    app = App()
    panel = app.panel("lr")
    panel.apply_settings({"epochs": 1})  # a short race: 77 steps a rate
    return app, panel, panel.exercises


def test_every_lesson_opens_with_its_exercises():
    app = App()
    for lesson in LESSONS:
        panel = app.panel(lesson)
        block, children = panel.exercises, list(panel.root.children)
        assert isinstance(block, ExerciseBlock) and block in children
        at = children.index(block)  # after the message line, the lesson's heading and text; before its sections
        assert panel.status.widget in children[:at] and "tp-lesson-text" in children[at - 1]._dom_classes
        assert all("tp-section" not in w._dom_classes for w in children[:at])
        assert all("tp-section" in w._dom_classes for w in children[at + 1:])
        assert [c["id"] for c in block.cards] == [e.id for e in load_exercises(lesson)]
        assert "tp-exercises-block" in block._dom_classes


def test_run_stays_locked_until_a_prediction_or_a_skip(lr):
    app, panel, block = lr
    assert not panel.run.disabled  # nothing open: the lab is free to use
    block.open_exercise("lr-diverges")
    assert panel.run.disabled and "Predict (or skip)" in block.states["lr-diverges"]["hint"]
    block.predict("lr-diverges", "0.1")
    assert not panel.run.disabled and block.phase("lr-diverges") == "predicted"
    block.retry("lr-diverges")
    assert panel.run.disabled
    block.skip("lr-diverges")
    assert not panel.run.disabled
    block.retry("lr-diverges")
    block.open_exercise("")  # closing the exercise unlocks Run again
    assert not panel.run.disabled


def test_the_verdict_follows_the_run_and_a_changed_setting_changes_it(lr):
    app, panel, block = lr
    block.predict("lr-diverges", "100000")
    panel.run.click()
    first = block.records[-1]
    assert (first.verdict, first.measured) == ("right", 100000.0)
    assert block.states["lr-diverges"]["message"] == "Right! The run measured 100000."
    assert app.status.text == "Exercise: right."
    assert not panel.run.disabled
    # the same prediction after a larger batch: the largest rate no longer diverges, so it is wrong now
    panel.apply_settings({"batch_size": 64})
    block.retry("lr-diverges")
    block.predict("lr-diverges", "100000")
    panel.run.click()
    second = block.records[-1]
    assert (second.verdict, second.measured, second.prediction) == ("wrong", "none", 100000)
    assert second.config_fingerprint != first.config_fingerprint
    state = block.states["lr-diverges"]
    assert state["message"] == "Not this time: you predicted 100000, the run measured none of them."
    assert state["why"].startswith("Each step moves the weights")
    assert block.record == second.to_dict()  # what the page adds to localStorage
    assert ExerciseRecord.from_dict(json.loads(json.dumps(block.record))) == second


def test_a_background_run_is_checked_when_it_finishes(lr):
    app, panel, block = lr
    panel.threaded = True
    block.predict("lr-count", "1")
    panel.run.click()
    assert panel.busy and block.phase("lr-count") == "predicted"
    panel.job.join(120)
    assert block.phase("lr-count") == "answered" and block.records[-1].verdict == "right"
    assert not panel.run.disabled


def test_a_stopped_run_is_not_judged(lr):
    app, panel, block = lr
    panel.threaded = True
    panel.apply_settings({"epochs": 50})
    block.predict("lr-best", 0.1)
    panel.run.click()
    panel.stop_button.click()
    panel.job.join(120)
    assert block.phase("lr-best") == "predicted" and not block.records
    assert "nothing to check" in block.states["lr-best"]["hint"]


def test_bad_predictions_get_a_message_and_keep_run_locked(lr):
    app, panel, block = lr
    block.open_exercise("lr-count")
    for bad in ("many", "nan", ""):
        panel.guard(block.predict)("lr-count", bad)
        assert app.status.text == "Setting not usable: Type a number as your prediction." and panel.run.disabled
    panel.guard(block.predict)("lr-diverges", "0.5")
    assert "Pick one of the exercise's answers" in app.status.text and block.phase("lr-diverges") == "open"


def test_chinese_cards_and_verdicts(lr):
    app, panel, block = lr
    block.predict("lr-count", "3")
    panel.run.click()
    app.lang.value = "zh"
    assert block.cards[0]["question"].startswith("四个学习率中")
    assert block.states["lr-count"]["message"] == "这次不对：你预测的是 3，运行测得 1。"
    assert block.texts["commit"] == "提交我的预测"
    app.lang.value = "en"
    assert block.states["lr-count"]["message"].startswith("Not this time")


def test_losses_cards_check_the_scale_the_learner_sets():
    app = App()
    panel = app.panel("losses")
    block = panel.exercises
    block.open_exercise("losses-nonfinite")
    assert panel.scale.disabled and panel.scale_text.disabled  # the bars would give the answer away
    block.predict("losses-nonfinite", "0")
    assert not panel.scale.disabled
    panel.scale_text.value = "100"
    block._message(block, {"type": "run", "id": "losses-nonfinite"}, [])  # the card's own Check button
    assert block.records[-1].verdict == "wrong" and block.records[-1].measured == 4
    block.retry("losses-nonfinite")
    block.predict("losses-nonfinite", "0")
    panel.scale_text.value = "10"
    block.check_here()
    assert block.records[-1].verdict == "right"


def test_gpu_cards_measure_the_machine(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    panel = App().panel("gpu")
    panel.exercises.predict("gpu-auto", "cpu")
    panel.run.click()
    assert panel.exercises.records[-1].verdict == "right"
    gpu = FakeGPU()  # the same prediction where a GPU is present
    for name in ("device_info", "memory_report"):
        monkeypatch.setattr(core.engine.devices, name, getattr(gpu, name))
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    panel.exercises.retry("gpu-auto")
    panel.exercises.predict("gpu-auto", "cpu")
    panel.run.click()
    assert (panel.exercises.records[-1].verdict, panel.exercises.records[-1].measured) == ("wrong", "cuda")


def test_a_malformed_file_is_reported_and_the_panel_still_works(tmp_path, monkeypatch):
    broken = json.loads((core.exercises.spec.FOLDER / "seeds.json").read_text(encoding="utf-8"))
    broken["exercises"][1]["measure"] = "seeds.identicle"
    (tmp_path / "seeds.json").write_text(json.dumps(broken), encoding="utf-8")
    monkeypatch.setattr(core.exercises.spec, "FOLDER", tmp_path)
    app = App()
    panel = app.panel("seeds")
    assert panel.exercises is False and not any(isinstance(c, ExerciseBlock) for c in panel.root.children)
    assert app.status.text == ("Setting not usable: Exercise file seeds.json, exercise seeds-gap, field measure: "
                               "seeds.identicle is not one of: " + ", ".join(core.MEASUREMENTS) + ".")
    assert app.panel("lr").exercises is False  # no file for this lesson there: no block, no message
