"""Reproducibility experiments: one config run twice, and the audit under a learner's switches."""
from __future__ import annotations

from ...engine.config import RunConfig
from ...engine.fingerprints import compare
from ..lr.sweeps import lr_sweep
from ...engine.seeding import audit, cudnn_flags, deterministic_mode, seed_everything, seeded


def run_twice(cfg: RunConfig, callbacks=(), stop=None, benchmark: bool = False) -> tuple:
    """Train cfg twice, interleaved (records carry run 0 or 1); returns (history1, history2, compare(...))."""
    # Each Run draws from its own generators, so interleaving cannot make two seeded runs differ.
    with cudnn_flags(benchmark=benchmark):
        first, second = lr_sweep(cfg, [cfg.lr, cfg.lr], callbacks, stop)
    return first, second, compare(first, second)


def audit_under(deterministic: bool = False, benchmark: bool = False) -> list:
    """audit() as it reads during run_twice with these switches; global flags are restored after."""
    # Same nesting as run_twice: deterministic mode switches benchmark off inside it, as in a real run.
    with cudnn_flags(benchmark=benchmark), deterministic_mode(deterministic):
        return audit()


def seed_report(seed: int = 0):
    """What seed_everything(seed) seeds and notes, with every global RNG state restored afterwards."""
    with seeded(seed):
        return seed_everything(seed)
