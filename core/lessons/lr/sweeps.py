"""Learning-rate sweeps whose curves grow together, and naming a run's regime (the finder is in finder.py)."""
from __future__ import annotations

import numpy as np

from ...engine.config import RunConfig
from ...engine.interleave import run_interleaved

REGIMES = ("too_small", "good", "too_large", "diverged")
# Rates that land in each regime for the default digits MLP with plain SGD (see tests/test_lr_tools.py).
LR_PRESETS = {"too_small": 1e-3, "good": 0.1, "too_large": 1.0, "diverged": 1e5}


def lr_sweep(cfg: RunConfig, lrs, callbacks=(), stop=None) -> list:
    """One History per learning rate; runs advance in turn, so live curves grow side by side."""
    return run_interleaved([cfg.replace(lr=float(lr)) for lr in lrs], callbacks, stop)


def classify_regime(history) -> str:
    """'diverged' (non-finite), 'too_large' (spikes or ends above its best), 'too_small' (crawls), 'good'."""
    losses = np.asarray(history.train_loss, dtype=np.float64)
    if history.diverged_at is not None or not np.all(np.isfinite(losses)):
        return "diverged"
    if losses.size < 4:
        return "too_small"
    start = losses[0]  # the loss of the initial weights, before any update
    k = max(2, losses.size // 10)
    end = losses[-k:].mean()
    sums = np.cumsum(np.concatenate(([0.0], losses)))
    best = ((sums[k:] - sums[:-k]) / k).min()  # the best moving average of k steps, in O(n) at any run length
    if losses.max() > 1.5 * start + 0.1 or end > 1.5 * best + 0.1:
        return "too_large"
    if end > 0.5 * start:
        return "too_small"
    return "good"
