"""Seed ensembles: the band of training loss that luck alone spans, so an effect can be told from noise."""
from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from ...engine.config import RunConfig
from ...engine.errors import ConfigError
from ...engine.interleave import run_interleaved


@dataclass(frozen=True)
class Ensemble:
    """Runs of one config under several seeds, and per-step mean / low / high of their training loss."""

    runs: list
    mean: list
    low: list
    high: list


MAX_ENSEMBLE_SEEDS = 12  # runs in one seed-noise band


def seed_ensemble(cfg: RunConfig, seeds, callbacks=(), stop=None) -> Ensemble:
    """Train cfg once per seed (interleaved) and summarise the loss per step over the common length."""
    seeds = [int(s) for s in itertools.islice(seeds, MAX_ENSEMBLE_SEEDS + 1)]  # a huge range: refused, not listed
    if len(seeds) < 2:
        raise ConfigError("ensemble_size")
    if len(seeds) > MAX_ENSEMBLE_SEEDS:  # every run is built before the first step: bound them
        raise ConfigError("spread_seeds", limit=MAX_ENSEMBLE_SEEDS)
    runs = run_interleaved([cfg.replace(seed=s) for s in seeds], callbacks, stop)
    steps = min(h.steps for h in runs)
    losses = np.array([h.train_loss[:steps] for h in runs], dtype=np.float64)
    with np.errstate(invalid="ignore"):
        mean, low, high = losses.mean(0), losses.min(0), losses.max(0)
    return Ensemble(runs, mean.tolist(), low.tolist(), high.tolist())
