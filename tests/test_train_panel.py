"""Training panel, headless: Play / Step / Stop / Reset, boundary, CSV upload, bad input, k-fold, languages."""
import datetime
import json
import threading

import numpy as np
import pytest
import torch

from core import RunConfig, train
from core.data import mnist
from core.lessons.train.boundary import decision_grid, input_points
from core.lessons.train.crossval import cross_validate, fold_summary
from widgets.train import panel as train_panel
from widgets.shell.app import App
from widgets.train.controls import uploaded_files
from widgets.train.figures import epoch_axis

CLOSED = "http://127.0.0.1:9/"  # the discard port: nothing listens, so a download fails at once
FAST = dict(hidden="16", epochs="1", batch="64")


def _panel(dataset="digits", query=None, **boxes):
    app = App(query)
    p = app.panel("train")
    p.controls.dataset.value = dataset
    for box, text in {**FAST, **boxes}.items():
        getattr(p.controls, box).value = text
    return app, p


def _steps(p):
    return list(p.figs.loss.data[0].x)


def _csv(path, rows=40, bad_cell=False):
    lines = ["x1,x2,label"]
    rng = np.random.default_rng(0)
    for i, (a, b) in enumerate(rng.normal(size=(rows, 2))):
        lines.append(f"{'oops' if bad_cell and i == 3 else f'{a:.3f}'},{b:.3f},{int(a > b)}")
    path.write_text("\n".join(lines) + "\n")
    return path.read_bytes()


def test_play_trains_one_epoch_and_matches_core_train():
    app, p = _panel()
    assert p.figs.acc.layout.xaxis.visible is False  # a hint, not empty axes, before the first run
    p.play.click()
    assert p.figs.acc.layout.xaxis.range == (0.5, 1.5) and p.figs.acc.layout.xaxis.visible
    h = p.current.history
    assert p.current.done and _steps(p) == list(range(h.steps_per_epoch))
    assert list(p.figs.loss.data[1].x) == [h.steps_per_epoch] and list(p.figs.acc.data[0].y) == h.val_acc
    assert app.status.kind == "ok" and "test accuracy" in app.status.text
    assert f"test acc {h.test_acc:.3f}" in p.info.value and h.fingerprint[:12] in p.info.value
    assert h.fingerprint == train(p.controls.config()).fingerprint  # the panel's loop is core's loop
    assert p.figs.boundary_box.layout.display == "none"  # images have no 2-D boundary
    assert not p.play.disabled and p.stop_button.disabled


def test_step_twice_then_reset_clears():
    app, p = _panel(batch="512")  # 1,222 training rows: 3 steps per epoch
    p.step_button.click()
    p.step_button.click()
    assert _steps(p) == [0, 1] and p.current.history.steps == 2 and not p.current.done
    assert "Step 2" in app.status.text and "step 2" in p.info.value
    p.play.click()  # Play continues the stepped run to its end
    assert p.current.done and _steps(p) == [0, 1, 2] and "test accuracy" in app.status.text
    p.step_button.click()  # a finished run is not continued: Step builds a fresh one
    assert _steps(p) == [0] and list(p.figs.loss.data[1].x) == []
    p.step_button.click()
    p.step_button.click()  # the epoch's last step also ends the run
    assert p.current.done and _steps(p) == [0, 1, 2] and "test acc" in p.info.value
    p.reset_button.click()
    assert p.current is None and _steps(p) == [] and list(p.figs.loss.data[1].x) == [] and p.info.value == ""
    assert "Cleared" in app.status.text


def test_moons_draws_the_decision_boundary():
    app, p = _panel("moons", batch="32")
    assert p.figs.boundary_box.layout.display is None
    p.play.click()
    z = np.asarray(p.figs.boundary.data[0].z, dtype=float)
    assert z.shape == (train_panel.GRID, train_panel.GRID) and z.min() >= 0 and z.max() <= 1 and z.std() > 0
    xs, ys, probs = decision_grid(p.current.model, p.current.data, train_panel.GRID)
    assert np.allclose(z, probs) and np.allclose(p.figs.boundary.data[0].x, xs)
    points, labels = input_points(p.current.data)
    assert np.allclose(p.figs.boundary.data[1].x, points[:, 0]) and list(p.figs.boundary.data[1].marker.color) == list(labels)


def test_uploaded_files_reads_both_ipywidgets_formats():
    v8 = ({"name": "a.csv", "content": memoryview(b"x,label\n")},)
    v7 = {"a.csv": {"metadata": {"name": "a.csv"}, "content": b"x,label\n"}}
    assert uploaded_files(v8) == uploaded_files(v7) == [("a.csv", b"x,label\n")]
    assert uploaded_files(()) == uploaded_files({}) == []


def test_csv_upload_trains(tmp_path):
    app, p = _panel(batch="8", epochs="2")
    content = _csv(tmp_path / "mine.csv")
    p.controls.upload.value = ({"name": "mine.csv", "type": "text/csv", "size": len(content), "content": memoryview(content),
                                "last_modified": datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)},)
    assert "Loaded mine.csv: 40 rows, 2 features, 2 classes" in app.status.text
    assert p.controls.dataset.value.endswith("mine.csv") and p.controls.dataset.value != str(tmp_path / "mine.csv")
    p.play.click()
    assert p.current.done and p.current.data.name.endswith("mine.csv") and "test accuracy" in app.status.text
    assert len(p.figs.acc.data[0].y) == 2 and np.asarray(p.figs.boundary.data[0].z).shape == (50, 50)
    shared = json.loads(json.dumps(p.settings()))
    assert shared["dataset"] == "upload:mine.csv"  # a handle, never the server-side path
    p.controls.dataset.value = "digits"
    p.apply_settings(shared)  # the same kernel resolves its own upload's handle
    assert p.controls.dataset.value == p.current.data.name


@pytest.mark.parametrize("content, message", [
    (b"", "is empty"),
    (b"x1,x2,label\n1,2,0\n", "needs at least 10"),
    (None, "is not a number"),
])
def test_malformed_csv_is_a_status_message(tmp_path, content, message):
    app, p = _panel()
    content = _csv(tmp_path / "bad.csv", bad_cell=True) if content is None else content
    p.controls.on_upload({"new": {"bad.csv": {"content": content}}})  # the upload handler, ipywidgets 7's format
    assert app.status.kind == "error" and message in app.status.text
    assert p.controls.dataset.value == "digits" and len(p.controls.dataset.options) == 8


@pytest.mark.parametrize("box, text, message", [
    ("lr", "fast", "learning rate must be a number"),
    ("lr", "-1", "learning rate must be a positive number"),
    ("batch", "0", "batch size must be a whole number from 1"),
    ("epochs", "x", "epochs must be a whole number"),
    ("hidden", "", "Hidden sizes must be a list"),
    ("seed", "-3", "seed must be a whole number from 0"),
])
def test_bad_input_is_a_status_message_then_play_works(box, text, message):
    app, p = _panel(**{box: text})
    p.play.click()
    assert app.status.kind == "error" and message in app.status.text
    assert p.current is None and _steps(p) == [] and not p.play.disabled
    getattr(p.controls, box).value = {**FAST, "lr": "0.1", "seed": "0"}[box]
    p.play.click()
    assert p.current.done and app.status.kind == "ok"


def test_huge_learning_rate_diverges_as_a_result():
    app, p = _panel(lr="1e5", hidden="64", batch="16")  # the LR panel's "diverged" preset on its network
    p.play.click()
    h = p.current.history
    assert h.diverged_at is not None and f"diverged at step {h.diverged_at}" in p.info.value
    assert app.status.kind == "ok" and "diverged" in app.status.text
    assert _steps(p)[-1] == h.diverged_at and p.figs.loss.data[0].y[-1] is None  # the inf/NaN is a gap, not a crash


def test_stop_pauses_mid_run_and_play_resumes_the_same_run(monkeypatch):
    reached, clicked = threading.Event(), threading.Event()

    class Gate(train_panel.Events):
        """Holds the worker at step 5 until the test has pressed Stop, so the pause point is exact."""

        def on_step(self, record):
            super().on_step(record)
            if record["step"] == 5 and not clicked.is_set():
                reached.set()
                clicked.wait(30)

    monkeypatch.setattr(train_panel, "Events", Gate)
    app, p = _panel(epochs="3")
    p.threaded = True
    p.play.click()
    assert reached.wait(60)
    assert p.play.disabled and p.step_button.disabled and p.reset_button.disabled and not p.stop_button.disabled
    p.stop_button.click()
    clicked.set()
    p.job.join(60)
    run = p.current
    assert not run.done and run.history.steps == 6 and not run.history.stopped
    assert "Paused at step 6" in app.status.text and not p.play.disabled and p.stop_button.disabled
    p.play.click()
    p.job.join(120)
    assert p.current is run and run.done and run.history.steps == 3 * run.history.steps_per_epoch
    assert _steps(p) == list(range(run.history.steps)) and len(p.figs.loss.data[1].x) == 3
    assert run.history.fingerprint == train(p.controls.config()).fingerprint  # pausing changed nothing


def test_kfold_draws_one_bar_per_fold():
    app, p = _panel("moons", batch="32")
    p.controls.kfold.value = 3
    assert p.figs.folds_box.layout.display is None and p.figs.boundary_box.layout.display == "none"
    p.play.click()
    expected = cross_validate(p.controls.config(), 3)
    accs, mean, std = fold_summary(expected)
    assert [h.fingerprint for h in p.fold_histories] == [h.fingerprint for h in expected]
    assert list(p.figs.folds.data[0].x) == ["1", "2", "3"] and list(p.figs.folds.data[0].y) == accs
    assert f"{mean:.3f} ± {std:.3f}" in p.info.value and "3 of 3 folds" in app.status.text
    assert _steps(p) == list(range(expected[-1].steps))  # the loss chart shows the last fold


def test_mnist_offline_is_a_status_message(tmp_path, monkeypatch):
    monkeypatch.setenv("TP_DATA_DIR", str(tmp_path))
    monkeypatch.setitem(mnist.MIRRORS, "mnist", (CLOSED,))
    app, p = _panel("mnist")
    assert p.figs.boundary_box.layout.display == "none"
    p.play.click()
    assert app.status.kind == "error" and "MNIST could not be downloaded" in app.status.text
    assert p.current is None and not p.play.disabled
    p.controls.dataset.value = "digits"
    p.play.click()
    assert p.current.done


def test_gpu_is_offered_only_where_torch_sees_one(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    app, p = _panel()
    assert [value for _, value in p.controls.device.options] == ["cpu", "auto"]
    p.guard(p.apply_settings)({"device": "cuda"})  # a shared setting can still ask for it: a message, no crash
    assert app.status.kind == "error" and "No GPU" in app.status.text and p.controls.device.value == "cpu"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 0)
    _, q = _panel()
    assert [value for _, value in q.controls.device.options] == ["cpu", "cuda", "auto"]


@pytest.mark.parametrize("epochs, dtick", [(1, 1), (2, 1), (10, 1), (11, 2), (60, 10), (1000, 100)])
def test_accuracy_axis_ticks_whole_epochs_from_1_and_at_most_ten(epochs, dtick):
    axis = epoch_axis(epochs)
    ticks = [k for k in range(axis["tick0"], epochs + 1, axis["dtick"]) if k >= axis["range"][0]]
    assert axis["dtick"] == dtick and axis["range"] == [0.5, epochs + 0.5] and 1 <= len(ticks) <= 10
    assert ticks[0] >= 1 and ticks[-1] > epochs - dtick


def test_settings_round_trip_and_url():
    app, p = _panel("moons", lr="0.05", seed="7", hidden="8, 4")
    p.controls.kfold.value = 4
    data = p.settings()
    assert data["k"] == 4 and RunConfig.from_dict({k: v for k, v in data.items() if k != "k"}) == p.controls.config()
    _, q = _panel()
    q.apply_settings(data)
    assert q.settings() == data and q.controls.hidden.value == "8, 4" and q.controls.kfold.value == 4
    r = App("lr=0.5&seed=9&dataset=xor").panel("train")
    assert (r.controls.lr.value, r.controls.seed.value, r.controls.dataset.value) == ("0.5", "9", "xor")


def test_shared_settings_through_the_share_box():
    app, p = _panel()
    apply = p.share_apply
    for bad in ({"k": 1}, {"lr": "fast"}, {"optimizer": "rmsprop"}, ["not", "a", "dict"]):
        p.share_text.value = json.dumps(bad)
        apply.click()
        assert app.status.kind == "error"
    assert p.controls.kfold.value == 0 and p.controls.optimizer.value == "sgd"  # a refused paste changes nothing
    p.share_text.value = json.dumps({**p.settings(), "k": 5, "optimizer": "adam"})
    apply.click()
    assert app.status.kind == "ok" and p.controls.kfold.value == 5 and p.controls.optimizer.value == "adam"


def test_chinese_relabels_controls_figures_and_messages():
    app, p = _panel(lr="fast")
    p.play.click()
    english = app.status.text
    app.lang.value = "zh"
    assert p.play.description == "运行" and p.reset_button.description == "重置"
    assert p.controls.lr.description == "学习率" and p.controls.dataset.label.startswith("手写数字")
    assert p.controls.dataset.value == "digits" and p.controls.kfold.label == "关闭"
    assert p.figs.loss.layout.title.text.startswith("损失") and p.figs.loss.data[0].name == "训练损失"
    assert app.status.text != english and "必须是数字" in app.status.text
    p.controls.lr.value = "0.1"
    p.play.click()
    assert "测试准确率" in app.status.text and "第 1/1 轮" in p.info.value
    app.lang.value = "en"
    assert "epoch 1/1" in p.info.value and p.controls.dataset.label.startswith("Digits")


def test_a_run_that_runs_out_of_memory_says_so_and_the_next_play_starts_afresh(monkeypatch):
    app, p = _panel(batch="512")  # 3 steps per epoch
    p.step_button.click()  # one step done: a run is open
    real_step = train_panel.Run.step

    def step_too_big(run):
        torch.empty(2**50, dtype=torch.uint8)  # PyTorch's own allocator refuses a petabyte
        return real_step(run)

    monkeypatch.setattr(train_panel.Run, "step", step_too_big)
    p.play.click()
    assert app.status.kind == "error" and app.status.text.startswith("Not enough memory for this run")
    assert p.current is None and not p.play.disabled
    app.lang.value = "zh"
    assert app.status.text.startswith("内存不足")
    monkeypatch.setattr(train_panel.Run, "step", real_step)
    p.play.click()
    assert p.current.done and _steps(p) == [0, 1, 2]  # a fresh run from step 0, not the failed one resumed
