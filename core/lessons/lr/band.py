"""The finder over several seeds: how much the curve and each rule's suggestion move with the seed."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...engine.checks import check_seed
from ...engine.config import RunConfig
from ...engine.errors import ConfigError
from .finder import RULES, check_rule, lr_find

MAX_BAND_SEEDS = 16


@dataclass(frozen=True)
class LRBand:
    """One finder run per seed; per rate the lowest, median and highest smoothed loss; suggestions per rule."""

    seeds: list
    lrs: list  # the rates of the longest run (a run that blew up earlier stops short)
    runs: list  # LRFinderResult per seed
    low: list
    median: list
    high: list
    suggestions: dict  # rule -> [suggestion per seed]
    spread: dict  # rule -> largest / smallest suggestion over the seeds
    suggestion_median: dict  # rule -> the median suggestion over the seeds


def lr_find_band(cfg: RunConfig, seeds, start: float = 1e-5, end: float = 10.0, steps: int = 100,
                 rule: str = "min_div_10", on_run=None) -> LRBand:
    """lr_find once per seed; `on_run(i, result)`, if given, hears of each run as it ends."""
    check_rule(rule)
    seeds = [check_seed(seed) for seed in seeds]
    if not 1 <= len(seeds) <= MAX_BAND_SEEDS:
        raise ConfigError("band_seeds", limit=MAX_BAND_SEEDS)
    runs = []
    for i, seed in enumerate(seeds):
        runs.append(lr_find(cfg.replace(seed=seed), start, end, steps, rule))
        if on_run is not None:
            on_run(i, runs[-1])
    longest = max(runs, key=lambda r: len(r.lrs))
    curves = np.full((len(runs), len(longest.lrs)), np.nan)
    for row, result in zip(curves, runs):
        row[:len(result.losses)] = result.losses
    suggestions = {name: [r.suggestions[name] for r in runs] for name in RULES}
    return LRBand(seeds, list(longest.lrs), runs,
                  np.nanmin(curves, axis=0).tolist(), np.nanmedian(curves, axis=0).tolist(),
                  np.nanmax(curves, axis=0).tolist(), suggestions,
                  {name: max(values) / min(values) for name, values in suggestions.items()},
                  {name: float(np.median(values)) for name, values in suggestions.items()})
