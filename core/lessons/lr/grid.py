"""Batch size × learning rate: one run per cell, its final validation loss and its regime."""
from __future__ import annotations

import math
from dataclasses import dataclass

from ...engine.config import RunConfig
from ...engine.errors import ConfigError
from ...engine.interleave import run_interleaved
from .sweeps import classify_regime

MAX_GRID_CELLS = 36  # runs in one grid (a class server holds thirty learners)


@dataclass(frozen=True)
class BatchLRGrid:
    """Rows are batch sizes, columns rates; NaN loss exactly where a cell diverged (or was stopped)."""

    batch_sizes: list
    lrs: list
    val_loss: list  # final validation loss per cell
    regimes: list  # classify_regime per cell; "diverged" also when the validation loss is not finite; or "stopped"
    scaling: list  # the linear-scaling rule: cfg.lr · b / cfg.batch_size for each batch size b
    histories: list


def batch_lr_grid(cfg: RunConfig, batch_sizes, lrs, callbacks=(), stop=None) -> BatchLRGrid:
    """Train every (batch size, rate) pair, round-robin (callbacks hear run = row · len(lrs) + column)."""
    batch_sizes, lrs = list(batch_sizes), [float(lr) for lr in lrs]
    if not batch_sizes or not lrs or len(batch_sizes) * len(lrs) > MAX_GRID_CELLS:
        raise ConfigError("grid_size", limit=MAX_GRID_CELLS)
    if not cfg.val_fraction:
        raise ConfigError("grid_needs_val")
    cfgs = [cfg.replace(batch_size=b, lr=lr) for b in batch_sizes for lr in lrs]
    for cell in cfgs:
        cell.validate()  # every cell refused before any runs
    histories = run_interleaved(cfgs, callbacks, stop)
    cells = [_cell(h) for h in histories]
    width = len(lrs)
    rows = [cells[i:i + width] for i in range(0, len(cells), width)]
    return BatchLRGrid(batch_sizes, lrs, [[value for value, _ in row] for row in rows],
                       [[regime for _, regime in row] for row in rows],
                       [cfg.lr * b / cfg.batch_size for b in batch_sizes],
                       [histories[i:i + width] for i in range(0, len(histories), width)])


def _cell(history):
    """(final validation loss or NaN, regime) of one run."""
    if history.stopped:
        return math.nan, "stopped"
    loss = history.val_loss[-1] if history.val_loss and history.diverged_at is None else math.nan
    if loss is None or not math.isfinite(loss):
        return math.nan, "diverged"
    return loss, classify_regime(history)
