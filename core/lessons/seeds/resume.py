"""Resume without drift: save a run part-way, resume it in a fresh Run, and compare with the run straight through."""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass

import numpy as np

from ...engine.checkpoint import STATE_PARTS, check_parts, load_checkpoint, save_checkpoint
from ...engine.config import RunConfig
from ...engine.errors import ConfigError
from ...engine.interleave import Tagged
from ...engine.run import Run, dispatch


@dataclass(frozen=True)
class ResumeResult:
    """Straight vs resumed: identical?, first differing step (from step 0 of the straight run), what was left out."""

    identical: bool
    first_diff_step: int | None
    checkpoint_bytes: int
    at_step: int
    kept: tuple
    missing: tuple
    straight: object  # History of the uninterrupted run
    resumed: object  # History of the resumed run: its losses are those from at_step on
    stopped: bool = False


class _Shifted(Tagged):
    """Tags records and counts their steps from the straight run's step 0 (a run resumed without its position restarts at 0)."""

    def __init__(self, callback, offset, **tags):
        super().__init__(callback, **tags)
        self.offset = offset

    def on_step(self, record):
        dispatch(self.callback, "on_step", {**record, "step": record["step"] + self.offset, **self.tags})

    def on_epoch(self, record):
        dispatch(self.callback, "on_epoch", {**record, "step": record["step"] + self.offset, **self.tags})


def resume_check(cfg: RunConfig, at_step: int, keep=STATE_PARTS, callbacks=(), stop=None, path=None) -> ResumeResult:
    """Train straight through; separately train to `at_step`, checkpoint what `keep` names, resume in a fresh Run.

    Records stream tagged run="straight", "before" (up to the checkpoint) or "resumed". `path`, if given,
    is where the checkpoint is written (by default a temporary file, removed afterwards).
    """
    cfg = cfg.validate()
    kept = check_parts(keep)
    missing = tuple(part for part in STATE_PARTS if part not in kept)
    with Run(cfg, [Tagged(cb, run="straight") for cb in callbacks], stop) as straight_run:
        straight = straight_run.drive()
        total = straight_run.total_steps  # as planned: a stopped run has fewer steps
    if isinstance(at_step, bool) or not isinstance(at_step, int) or not 1 <= at_step < total:
        raise ConfigError("resume_step", limit=total - 1, steps=total)
    with tempfile.TemporaryDirectory() as tmp:
        file = path or os.path.join(tmp, "checkpoint.pt")
        with Run(cfg, [Tagged(cb, run="before") for cb in callbacks], stop) as before:
            before.drive(limit=at_step)
            save_checkpoint(before, file, kept)
        size = os.path.getsize(file)
        offset = 0 if "position" in kept else at_step
        with Run(cfg, [_Shifted(cb, offset, run="resumed") for cb in callbacks], stop,
                 steps=total - offset) as resumed_run:
            load_checkpoint(resumed_run, file)
            resumed = resumed_run.drive()
    stopped = straight.stopped or resumed.stopped or before.history.stopped
    first = _first_difference(straight.train_loss[at_step:], resumed.train_loss)
    same_weights = straight.weights_digest == resumed.weights_digest
    if first is None and not same_weights:
        first = len(resumed.train_loss)  # every loss agrees, the final weights do not
    identical = first is None and not stopped
    return ResumeResult(identical, None if first is None else at_step + first, size, at_step, kept, missing,
                        straight, resumed, stopped)


def _first_difference(a, b):
    """Index of the first bitwise-different loss (NaN equals NaN), the shorter length if one is a prefix, else None."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    n = min(len(a), len(b))
    same = (a[:n] == b[:n]) | (np.isnan(a[:n]) & np.isnan(b[:n]))
    diff = np.flatnonzero(~same)
    if diff.size:
        return int(diff[0])
    return n if len(a) != len(b) else None
