"""Learning-rate tools: sweeps whose curves grow together, the LR finder, and naming a regime."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .config import RunConfig
from .interleave import run_interleaved
from .training import Run

REGIMES = ("too_small", "good", "too_large", "diverged")
# Rates that land in each regime for the default digits MLP with plain SGD (see tests/test_lr_tools.py).
LR_PRESETS = {"too_small": 1e-3, "good": 0.1, "too_large": 1.0, "diverged": 1e5}


def lr_sweep(cfg: RunConfig, lrs, callbacks=(), stop=None) -> list:
    """One History per learning rate; runs advance in turn, so live curves grow side by side."""
    return run_interleaved([cfg.replace(lr=float(lr)) for lr in lrs], callbacks, stop)


@dataclass(frozen=True)
class LRFinderResult:
    """Learning rates tried, the smoothed loss at each, and the suggested rate."""

    lrs: list
    losses: list
    suggestion: float


def lr_find(cfg: RunConfig, start: float = 1e-5, end: float = 10.0, steps: int = 100) -> LRFinderResult:
    """Raise the LR exponentially each step on a fresh model; suggest a tenth of the best LR."""
    if not (0 < start < end) or not 2 <= int(steps) <= 10_000:
        from .errors import ConfigError

        raise ConfigError("The LR finder needs 0 < start < end and 2 to 10000 steps.")
    probe = cfg.replace(lr=start, epochs=1, stats_every=100_000).validate()
    run = Run(probe)
    run.epochs = 1000  # the finder counts steps, not epochs
    lrs, losses, smooth, best = [], [], 0.0, math.inf
    try:
        for k in range(int(steps)):
            lr = start * (end / start) ** (k / (int(steps) - 1))
            for group in run.optimizer.param_groups:
                group["lr"] = lr
            if not run.step():
                break
            raw = run.history.train_loss[-1]
            smooth = 0.9 * smooth + 0.1 * raw
            value = smooth / (1 - 0.9 ** (k + 1))  # bias-corrected exponential average
            lrs.append(lr)
            losses.append(value)
            best = min(best, value)
            if not math.isfinite(value) or value > 4 * best:
                break
    finally:
        run.close()
    finite = [(loss, lr) for lr, loss in zip(lrs, losses) if math.isfinite(loss)]
    suggestion = min(finite)[1] / 10 if finite else start
    return LRFinderResult(lrs, losses, max(suggestion, start))


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
