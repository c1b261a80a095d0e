"""Where run-to-run spread comes from: vary the seed of one part (init, order, split) at a time, then of all."""
from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass

import numpy as np
import torch

from ...data.datasets import load_dataset
from ...engine.config import SEED_PARTS, RunConfig
from ...engine.errors import ConfigError
from ...engine.fingerprints import fingerprint
from ...engine.interleave import Tagged
from ...engine.run import Run, drive
from ..lr.sweeps import lr_sweep

GPU_KERNELS = "gpu_kernels"  # a row that varies no seed: the same run again on CUDA, nondeterministic algorithms allowed


@dataclass(frozen=True)
class VarianceRow:
    """One source varied over the seeds: final validation accuracy per seed, their spread, and what each run started from."""

    source: str  # "init", "order", "split", "all" or "gpu_kernels"
    seeds: tuple
    final_val_acc: tuple
    std: float  # sample standard deviation (n - 1)
    range: float  # max - min
    init_digests: tuple  # the initial weights of each run
    data_digests: tuple  # its training split
    order_digests: tuple  # its first epoch's batch order
    runs: tuple  # Histories
    stopped: bool = False  # Stop was pressed: the accuracies are missing (NaN)


def part_seeded_run(cfg: RunConfig, seeds: dict, callbacks=(), stop=None) -> Run:
    """A Run whose init, order and split are drawn from the seeds given per part (with all equal: Run(cfg))."""
    # The split comes in as data, the init seed as the config's seed; the order generator is reseeded
    # before any step (nothing draws from it while a Run is built), exactly as if it had been seeded so.
    run = Run(cfg.replace(seed=seeds["init"], unseeded=()), callbacks, stop,
              data=load_dataset(cfg.dataset, seeds["split"], float(cfg.val_fraction)))
    run.order_gen.manual_seed(seeds["order"])
    return run


def _order_digest(run) -> str:
    probe = torch.Generator()
    probe.set_state(run.order_gen.get_state())  # a copy: the run's own generator is not advanced
    return fingerprint(torch.randperm(len(run.y_train), generator=probe))


MAX_SPREAD_SEEDS = 8  # seeds per source in the spread: (sources + 1) runs each


def variance_sources(cfg: RunConfig, seeds, sources=None, callbacks=(), stop=None) -> list:
    """One row per source varied alone (the others held at cfg.seed) and a row "all" (train(cfg.replace(seed=s)));
    by default a "gpu_kernels" row too where CUDA is available. Records stream tagged source= and seed=."""
    cfg = cfg.validate()
    seeds = tuple(int(s) for s in seeds)
    if cfg.seed is None:
        raise ConfigError("variance_seeded")
    if len(seeds) < 2:
        raise ConfigError("variance_seeds")
    if len(seeds) > MAX_SPREAD_SEEDS:
        raise ConfigError("spread_seeds", limit=MAX_SPREAD_SEEDS)
    if sources is None:
        sources = SEED_PARTS + ((GPU_KERNELS,) if torch.cuda.is_available() else ())
    for source in sources:
        if source not in SEED_PARTS + (GPU_KERNELS,):
            raise ConfigError("unknown_source", source=source, options=", ".join(SEED_PARTS + (GPU_KERNELS,)))
        if source == GPU_KERNELS and not torch.cuda.is_available():
            raise ConfigError("no_gpu")
    rows = []
    for source in (*sources, "all"):
        if stop is not None and stop.is_set():
            break
        rows.append(_row(cfg, source, seeds, callbacks, stop))
    return rows


def _row(cfg, source, seeds, callbacks, stop) -> VarianceRow:
    base = int(cfg.seed)
    if source == GPU_KERNELS:
        cfg = cfg.replace(device="cuda", deterministic=False)
    with contextlib.ExitStack() as stack:
        runs = []
        for s in seeds:
            parts = {part: s if source in (part, "all") else base for part in SEED_PARTS}
            tags = [Tagged(cb, source=source, seed=s) for cb in callbacks]
            runs.append(stack.enter_context(part_seeded_run(cfg, parts, tags, stop)))
        starts = [(fingerprint(r.model), fingerprint(r.x_train), _order_digest(r)) for r in runs]
        histories = drive(runs)
    acc = tuple(h.val_acc[-1] if h.val_acc else float("nan") for h in histories)
    values = np.asarray(acc, dtype=np.float64)
    return VarianceRow(source, seeds, acc, float(values.std(ddof=1)), float(values.max() - values.min()),
                       *(tuple(s[k] for s in starts) for k in range(3)), tuple(histories),
                       any(h.stopped for h in histories))


def rate_gap(cfg: RunConfig, lrs, stop=None) -> tuple:
    """Final validation accuracy at each learning rate, all else (the seed too) as in cfg: a difference to set beside the spread."""
    return tuple(h.val_acc[-1] if h.val_acc else float("nan") for h in lr_sweep(cfg, lrs, stop=stop))


def widest_spread(rows):
    """The row whose seeds spread the final accuracy most: the least that luck alone spans in this chart."""
    rows = [r for r in rows if not r.stopped and all(map(math.isfinite, r.final_val_acc))]
    return max(rows, key=lambda r: r.range, default=None)


def outside_range_chance(n_seeds: int) -> float:
    """Chance that one more seed's result falls outside the lowest-highest range of `n_seeds` seeds: 2 / (n + 1)
    (any continuous distribution: the new draw is equally likely to rank anywhere among the n + 1)."""
    return 2 / (int(n_seeds) + 1)
