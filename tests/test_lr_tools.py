import math
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from core import RunConfig, classify_regime, lr_find, lr_sweep, train

BASE = RunConfig(epochs=2)
from core import LR_PRESETS as PRESETS


def test_sweep_interleaves_runs_without_changing_them():
    lrs = [0.01, 0.1]
    seen = []
    sweep = lr_sweep(BASE.replace(epochs=1), lrs, callbacks=[lambda r: seen.append((r["run"], r["step"]))])
    assert [h.config.lr for h in sweep] == lrs
    assert [h.fingerprint for h in sweep] == [train(BASE.replace(epochs=1, lr=lr)).fingerprint for lr in lrs]
    assert seen[:4] == [(0, 0), (1, 0), (0, 1), (1, 1)]  # curves grow side by side


def test_presets_fall_in_their_regimes():
    histories = lr_sweep(BASE, list(PRESETS.values()))
    assert [classify_regime(h) for h in histories] == list(PRESETS)


def test_lr_find_suggests_a_rate_inside_the_range_and_leaves_rng_alone():
    before = torch.get_rng_state()
    result = lr_find(BASE, start=1e-5, end=10.0, steps=60)
    assert torch.equal(torch.get_rng_state(), before)
    assert len(result.lrs) == len(result.losses) >= 20
    assert all(b > a for a, b in zip(result.lrs, result.lrs[1:]))
    assert 1e-4 <= result.suggestion <= 1.0


def _curve(losses, diverged_at=None):
    return SimpleNamespace(train_loss=list(losses), diverged_at=diverged_at)


@pytest.mark.parametrize("losses, regime", [
    (2.3 * np.exp(-np.linspace(0, 0.1, 100)), "too_small"),  # crawls: 10 % lower after 100 steps
    (2.3 * np.exp(-np.linspace(0, 4, 100)) + 0.05, "good"),  # converges
    (np.r_[2.3, 9.0, 2.3 * np.ones(98)], "too_large"),  # one jump, then stuck
    (np.r_[2.3 * np.exp(-np.linspace(0, 4, 50)), 1.0 + 0.5 * np.sin(np.arange(50))], "too_large"),  # bounces
    ([2.3, 40.0, 1e20, math.inf], "diverged"),
])
def test_classify_regime_on_closed_form_curves(losses, regime):
    diverged = len(losses) - 1 if not math.isfinite(losses[-1]) else None
    assert classify_regime(_curve(losses, diverged)) == regime


def test_a_sweep_loads_its_split_once_and_each_run_is_trained_alone(monkeypatch):
    from core.engine import interleave

    loads = []
    real = interleave.load_dataset
    monkeypatch.setattr(interleave, "load_dataset", lambda *a, **k: loads.append(a) or real(*a, **k))
    cfg = BASE.replace(epochs=1)
    sweep = lr_sweep(cfg, list(PRESETS.values()))  # the diverging preset shares the split too
    assert len(loads) == 1
    assert [h.fingerprint for h in sweep] == [train(cfg.replace(lr=lr)).fingerprint for lr in PRESETS.values()]
    unseeded = lr_sweep(cfg.replace(seed=None), [0.01, 0.1])  # a split drawn fresh for each run: nothing shared
    assert len(loads) == 1 and len(unseeded) == 2
