"""The engine's cheaper bookkeeping (gradient norms read in bulk, train() only when the mode changed, dead units
counted once per weights) leaves every History bit for bit as the plain way — one `.item()` and one `model.train()`
a step — makes it."""
import math

import pytest
import torch

from core import Run, RunConfig, train
from core.engine import health
from core.engine.run import Run as EngineRun

BASE = RunConfig(hidden=(16,), epochs=2, batch_size=128, seed=3, stats_every=4)

CONFIGS = {
    "sgd": BASE,
    "momentum": BASE.replace(optimizer="momentum", lr=0.05),
    "adam": BASE.replace(optimizer="adam", lr=0.01),
    "dropout": BASE.replace(dropout=0.3),
    "batch_norm": BASE.replace(norm="batch"),
    "schedule": BASE.replace(optimizer="momentum", schedule="one_cycle"),
    "no_eval_mode": BASE.replace(dropout=0.3, norm="batch", mistakes=("no_eval_mode",)),
    "mistakes": BASE.replace(mistakes=("no_zero_grad", "softmax_then_ce", "eval_with_grad", "sum_reduction")),
    "diverges": BASE.replace(lr=1e5, hidden=(64,), batch_size=32),  # past an epoch end, then diverges
    "cnn": BASE.replace(model="cnn", hidden=(4, 8), epochs=1),
}


def count_dead_every_time(self, step):
    """Dead units counted at every call, a repeated step's count dropped afterwards."""
    for name, fraction in health.dead_fractions(self.model, self.layers, self.rows).items():
        series = self.health["dead_fraction"].setdefault(name, {"step": [], "fraction": []})
        if series["step"][-1:] != [step]:
            series["step"].append(step)
            series["fraction"].append(fraction)


def ratios_one_item_each(gauges, step, lr=None):
    """The update-ratio gauges as they were written first: each tensor converted on its own."""
    kept_before = vars(gauges).setdefault("reference_before", {})  # the weights before the step, by layer
    for name, (_, layer) in gauges.layers.items():
        if lr is not None:  # before the step
            weight, grad = layer.weight.detach().double(), layer.weight.grad
            kept_before[name] = weight.clone()
            size = weight.std().item()
            scale = (lr * grad.detach().double()).std().item() if grad is not None else math.nan
            key, ratio = "lr_grad_ratio", scale / size if size > 0 else math.nan
        else:
            before = kept_before.pop(name)
            size = torch.linalg.vector_norm(before).item()
            change = torch.linalg.vector_norm(layer.weight.detach().double() - before).item()
            key, ratio = "update_ratio", change / size if size > 0 else math.nan
        series = gauges.health[key].setdefault(name, {"step": [], "ratio": []})
        series["step"].append(step)
        series["ratio"].append(ratio)


def silent_units_transposed(act):
    """Dead units as they were found: units first (a transposed copy), then all over the rest."""
    return (act.detach().transpose(0, 1).reshape(act.shape[1], -1) == 0).all(dim=1)


def plain_way(monkeypatch):
    """The engine as it was: each step reads its gradient norm with .item() and calls model.train(); the update
    ratios convert each tensor on its own; dead units are found units first and counted again at the run's end
    when an epoch has just ended."""
    monkeypatch.setattr(health.GradNorms, "record",
                        lambda self: self.health["grad_norm"].append(health.grad_norm(self.params)))
    monkeypatch.setattr(EngineRun, "_train_mode", lambda self: self.model.train())
    monkeypatch.setattr(health.HealthGauges, "count_dead", count_dead_every_time)
    monkeypatch.setattr(health, "_silent_units", silent_units_transposed)
    monkeypatch.setattr(health.HealthGauges, "before_step", ratios_one_item_each)
    monkeypatch.setattr(health.HealthGauges, "after_step", ratios_one_item_each)


def comparable(history) -> dict:
    d = history.to_dict()
    d.pop("seconds")  # wall time, the one field that may differ
    return d


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_history_is_bitwise_the_plain_ways(name, monkeypatch):
    cheap = train(CONFIGS[name])
    with monkeypatch.context() as m:
        plain_way(m)
        plain = train(CONFIGS[name])
    diverged = plain.diverged_at is not None
    assert diverged == (name == "diverges")  # a run that ends early is covered too
    assert len(plain.health["grad_norm"]) == plain.steps - diverged > 0  # no backward on the non-finite loss
    assert cheap.fingerprint == plain.fingerprint
    assert comparable(cheap) == comparable(plain)  # every field: losses, stats, every health gauge


def test_a_paused_run_has_every_norm_so_far_and_resumes_bitwise(monkeypatch):
    cfg = CONFIGS["dropout"]
    with Run(cfg) as run:
        run.drive(limit=5)  # mid-epoch: the norms measured so far are in the History already
        assert len(run.history.health["grad_norm"]) == 5
        assert all(math.isfinite(n) for n in run.history.health["grad_norm"])
        run.model.eval()  # a panel's probe between steps may leave eval mode: the next step trains in train mode
        paused = run.drive()
    with monkeypatch.context() as m:
        plain_way(m)
        plain = train(cfg)
    assert comparable(paused) == comparable(plain)


def test_each_steps_gradient_norm_is_torchs_norm_of_the_tensor_norms():
    """The fused norms (one _foreach_norm a step, one norm per epoch over the rows) against torch's own
    vector_norm of each gradient tensor, read at each step by a callback (gradients are still there)."""
    cfg = BASE.replace(hidden=(16, 8), epochs=1)
    seen = []
    with Run(cfg) as run:
        run.callbacks = (lambda record: seen.append(torch.linalg.vector_norm(torch.stack(
            [torch.linalg.vector_norm(p.grad) for p in run.model.parameters()])).item()),)
        history = run.drive()
    assert len(seen) == history.steps > 0
    assert history.health["grad_norm"] == seen  # bit for bit


@pytest.mark.parametrize("shape", [(7, 5), (3, 4, 2, 2)])
def test_silent_units_are_the_units_zero_on_every_row(shape):
    act = torch.randn(shape, generator=torch.Generator().manual_seed(0))
    act[:, 0] = 0.0  # silent
    act[:, 1] = -0.0  # silent too: -0.0 == 0
    act[:, 2] = 0.0
    act[1, 2] = float("nan")  # NaN is not silence
    act[:, 3] = 0.0
    act[-1, 3] = -1e-30  # one tiny negative value is not silence either
    expected = [True, True, False, False] + [False] * (shape[1] - 4)
    assert health._silent_units(act).tolist() == expected
    assert silent_units_transposed(act).tolist() == expected
