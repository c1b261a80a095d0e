"""Every exercise in exercises/ checked against its real measurement, on two real runs whose settings differ: the
same prediction is right on one and wrong on the other, so the answer comes from the run, not from a store."""
import functools
import math
from unittest import mock

import pytest
import torch
import torch.nn.functional as F

from core import (BASE_LOGITS, LESSONS, LR_PRESETS, MEASUREMENTS, RunConfig, answer, device_info, init_report,
                  load_exercises, lr_sweep, memory_report, resolve_device, run_twice, run_with_mistakes,
                  scaled_log_softmax, train)
from test_gpu_panel import FakeGPU

RATES = [LR_PRESETS[k] for k in ("too_small", "good", "too_large", "diverged")]
LOOP = RunConfig(hidden=(64,), epochs=1, dropout=0.3, norm="batch", stats_every=5)


def _machine_facts():
    return {"info": device_info(), "memory": memory_report(), "auto": resolve_device("auto").type}


def _no_gpu_facts():
    """This machine's facts as a machine without a GPU reports them (on a GPU machine too)."""
    with mock.patch.object(torch.cuda, "is_available", lambda: False):
        return _machine_facts()


def _fake_gpu_facts():
    gpu = FakeGPU()
    return {"info": gpu.device_info(), "memory": gpu.memory_report(), "auto": "cuda"}


# Named real results (computed once, on first use) ...
RESULTS = {
    "sweep_sgd16": lambda: lr_sweep(RunConfig(epochs=1), RATES),
    "sweep_sgd64": lambda: lr_sweep(RunConfig(epochs=1, batch_size=64), RATES),
    "init_default": lambda: init_report("pytorch_default", "relu", 8, 64, 0),
    "init_kaiming": lambda: init_report("kaiming_normal", "relu", 8, 64, 0),
    "init_xavier_relu": lambda: init_report("xavier_uniform", "relu", 8, 64, 0),
    "init_xavier_tanh": lambda: init_report("xavier_normal", "tanh", 8, 64, 0),
    "twice_seeded": lambda: run_twice(RunConfig(epochs=1)),
    "twice_unseeded": lambda: run_twice(RunConfig(epochs=1, seed=None, batch_size=64)),
    "train_plain": lambda: train(RunConfig(epochs=1)),
    "train_lr100": lambda: train(RunConfig(epochs=1, lr=100.0, batch_size=64)),
    "train_lr1e5": lambda: train(RunConfig(epochs=1, lr=1e5)),
    "scale10": lambda: scaled_log_softmax(10.0, 0),
    "scale100": lambda: scaled_log_softmax(100.0, 0),
    "scale1_target3": lambda: scaled_log_softmax(1.0, 3),
    "other_logits": lambda: scaled_log_softmax(10.0, 0, base=(1.0, 0.0, 0.0, 0.0)),
    "no_gpu": _no_gpu_facts,
    "fake_gpu": _fake_gpu_facts,
    "loop_softmax": lambda: run_with_mistakes(LOOP, ("softmax_then_ce",)),
    "loop_eval_grad": lambda: run_with_mistakes(LOOP, ("eval_with_grad",)),
    "loop_moons": lambda: run_with_mistakes(LOOP.replace(dataset="moons"), ("no_zero_grad",)),
}
# ... and, per measurement, two of them whose settings give different answers.
PAIRS = {
    "lr.first_diverging_rate": ("sweep_sgd16", "sweep_sgd64"),
    "lr.best_rate": ("sweep_sgd16", "sweep_sgd64"),
    "lr.good_rate": ("sweep_sgd16", "sweep_sgd64"),
    "lr.diverged_count": ("sweep_sgd16", "sweep_sgd64"),
    "init.first_layer_std_below_0.1": ("init_default", "init_kaiming"),
    "init.last_hidden_std": ("init_default", "init_kaiming"),
    "init.std_trend": ("init_default", "init_xavier_relu"),
    "init.loss": ("init_default", "init_xavier_tanh"),
    "seeds.identical": ("twice_seeded", "twice_unseeded"),
    "seeds.gap": ("twice_seeded", "twice_unseeded"),
    "seeds.steps": ("twice_seeded", "twice_unseeded"),
    "train.steps": ("train_plain", "train_lr100"),
    "train.test_accuracy": ("train_plain", "train_lr100"),
    "train.val_vs_train": ("train_plain", "train_lr100"),
    "train.diverged": ("train_plain", "train_lr1e5"),
    "losses.naive_nonfinite": ("scale10", "scale100"),
    "losses.cross_entropy": ("scale10", "scale1_target3"),
    "losses.naive_agrees": ("scale10", "scale100"),
    "losses.breaks_at": ("scale10", "other_logits"),
    "gpu.cuda_available": ("no_gpu", "fake_gpu"),
    "gpu.device_count": ("no_gpu", "fake_gpu"),
    "gpu.auto_device": ("no_gpu", "fake_gpu"),
    "gpu.allocated_mb": ("no_gpu", "fake_gpu"),
    "loop.initial_loss": ("loop_softmax", "loop_moons"),
    "loop.broken_final_vs_correct": ("loop_softmax", "loop_eval_grad"),
    "loop.broken_lowest_loss": ("loop_softmax", "loop_eval_grad"),
    "loop.more_accurate": ("loop_softmax", "loop_eval_grad"),
}
EXERCISES = [e for lesson in LESSONS for e in load_exercises(lesson)]


@functools.lru_cache(maxsize=None)
def result(name):
    return RESULTS[name]()


def test_there_are_enough_exercises_and_every_measurement_has_a_pair():
    per_lesson = {lesson: sum(e.lesson == lesson for e in EXERCISES) for lesson in LESSONS}
    assert min(per_lesson.values()) >= 3 and len(EXERCISES) >= 25, per_lesson
    assert set(PAIRS) == set(MEASUREMENTS)


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.id)
def test_the_check_follows_the_run(exercise):
    """Predict what run A measures: right on A; the same prediction on run B (other settings) is wrong."""
    a, b = (result(name) for name in PAIRS[exercise.measure])
    measured = MEASUREMENTS[exercise.measure](a)
    prediction = measured if exercise.kind != "number" else float(measured)
    on_a, on_b = answer(exercise, prediction, a, {"run": "a"}), answer(exercise, prediction, b, {"run": "b"})
    assert (on_a.verdict, on_b.verdict) == ("right", "wrong"), (measured, on_b.measured)
    assert on_a.measured == measured and on_b.measured != measured
    assert on_a.config_fingerprint != on_b.config_fingerprint
    skipped = answer(exercise, None, b, {})
    assert skipped.verdict == "skipped" and skipped.measured == on_b.measured


def test_measurements_agree_with_torch_and_closed_forms():
    """The measured quantities themselves, against torch's own functions and the arithmetic of a run."""
    m = MEASUREMENTS
    for name in ("scale10", "scale100", "scale1_target3"):
        r = result(name)
        z = torch.tensor(BASE_LOGITS, dtype=torch.float32) * r["scale"]
        naive = torch.log(torch.exp(z) / torch.exp(z).sum())
        assert m["losses.naive_nonfinite"](r) == int((~torch.isfinite(naive)).sum())
        torch_ce = F.cross_entropy(z[None], torch.tensor([r["target"]])).item()
        assert m["losses.cross_entropy"](r) == pytest.approx(torch_ce, abs=1e-6)
    # float32 exp(-gap*scale) underflows to 0 below about e^-103.97 (the smallest subnormal, 2^-149)
    assert m["losses.breaks_at"](result("scale10")) == pytest.approx(149 * math.log(2) / 3.0, rel=0.02)
    h = result("train_plain")
    n_train = h.steps_per_epoch
    assert m["train.steps"](h) == n_train * h.config.epochs
    assert m["seeds.steps"](result("twice_unseeded")) == result("twice_unseeded")[0].steps_per_epoch
    here = _machine_facts()
    assert m["gpu.cuda_available"](here) == ("yes" if torch.cuda.is_available() else "no")
    assert m["gpu.device_count"](here) == torch.cuda.device_count()
    assert m["init.loss"](result("init_default")) == pytest.approx(math.log(10), rel=0.05)  # small outputs: ln C
    sweep = result("sweep_sgd16")
    assert m["lr.diverged_count"](sweep) == sum(not all(math.isfinite(v) for v in h.train_loss) for h in sweep)
