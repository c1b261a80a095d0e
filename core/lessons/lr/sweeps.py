"""Learning-rate tools: sweeps whose curves grow together, the LR finder, and naming a regime."""
from __future__ import annotations

import math
import threading
from dataclasses import dataclass

import numpy as np

from ...engine.config import RunConfig
from ...engine.interleave import run_interleaved
from ...engine.run import Run

REGIMES = ("too_small", "good", "too_large", "diverged")
# Rates that land in each regime for the default digits MLP with plain SGD (see tests/test_lr_tools.py).
LR_PRESETS = {"too_small": 1e-3, "good": 0.1, "too_large": 1.0, "diverged": 1e5}
SUGGESTION_DIVISOR = 10  # the finder suggests the rate of lowest smoothed loss divided by this


def lr_sweep(cfg: RunConfig, lrs, callbacks=(), stop=None) -> list:
    """One History per learning rate; runs advance in turn, so live curves grow side by side."""
    return run_interleaved([cfg.replace(lr=float(lr)) for lr in lrs], callbacks, stop)


@dataclass(frozen=True)
class LRFinderResult:
    """Learning rates tried, the smoothed loss at each, the rate where it was lowest, and the suggested rate."""

    lrs: list
    losses: list
    suggestion: float
    lowest_at: float | None = None  # None when no loss was finite


def lr_find(cfg: RunConfig, start: float = 1e-5, end: float = 10.0, steps: int = 100) -> LRFinderResult:
    """Raise the LR exponentially each step on a fresh model; suggest the best LR / SUGGESTION_DIVISOR."""
    if not (0 < start < end) or not 2 <= int(steps) <= 10_000:
        from ...engine.errors import ConfigError

        raise ConfigError("finder_range")
    steps = int(steps)

    def lr_at(step):
        return start * (end / start) ** (step / (steps - 1))

    loss = _SmoothedLoss()
    with Run(cfg.replace(lr=start, epochs=1, stats_every=100_000), [loss], lr_at=lr_at, steps=steps) as run:
        run.drive(pause=loss.blown_up)
    lrs = [lr_at(step) for step in range(len(loss.values))]
    finite = [(value, lr) for lr, value in zip(lrs, loss.values) if math.isfinite(value)]
    lowest_at = min(finite)[1] if finite else None
    suggestion = lowest_at / SUGGESTION_DIVISOR if finite else start
    return LRFinderResult(lrs, loss.values, max(suggestion, start), lowest_at)


class _SmoothedLoss:
    """The LR finder's callback: a bias-corrected moving average of the loss at each step; sets `blown_up`
    once it is non-finite or four times its best (a non-finite step loss ends the run itself, unrecorded)."""

    def __init__(self):
        self.values, self.smooth, self.best, self.blown_up = [], 0.0, math.inf, threading.Event()

    def on_step(self, record):
        if not math.isfinite(record["loss"]):
            return
        self.smooth = 0.9 * self.smooth + 0.1 * record["loss"]
        value = self.smooth / (1 - 0.9 ** (record["step"] + 1))
        self.values.append(value)
        self.best = min(self.best, value)
        if not math.isfinite(value) or value > 4 * self.best:
            self.blown_up.set()


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
