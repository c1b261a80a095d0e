"""Learning-rate schedules as pure functions of the step: the rate torch.optim.lr_scheduler would give.

Written out rather than taken from torch.optim.lr_scheduler: importing torch.optim loads torch._dynamo
(about 1 s and 70 MB per kernel, tests/test_import_cost.py). `lr` is the peak rate of every schedule.
"""
from __future__ import annotations

import math

from .errors import ConfigError
from ..data.datasets import split_sizes

SCHEDULES = ("constant", "step", "cosine", "one_cycle", "warmup_cosine")
STEP_GAMMA = 0.1  # "step": StepLR(step_size=ceil(total / STEP_DROPS), gamma=STEP_GAMMA)
STEP_DROPS = 3
ONE_CYCLE_PCT_START = 0.3  # OneCycleLR's defaults: rise for 30 % of the steps, start at peak / 25, end at start / 1e4
ONE_CYCLE_DIV, ONE_CYCLE_FINAL_DIV = 25.0, 1e4
ONE_CYCLE_MOMENTUM = 0.95, 0.85  # OneCycleLR's cycle_momentum default: momentum (Adam's beta1) 0.95 -> 0.85 -> 0.95
WARMUP_START_FACTOR = 0.01  # "warmup_cosine": LinearLR(start_factor=0.01, total_iters=warmup) then CosineAnnealingLR


def check_schedule(schedule, warmup_steps, total_steps=None) -> None:
    """ConfigError unless `schedule` is known and its warm-up fits the run (when the run's length is known)."""
    if not isinstance(schedule, str) or schedule not in SCHEDULES:
        raise ConfigError("unknown_choice", what="schedule", value=schedule, options=", ".join(SCHEDULES))
    if isinstance(warmup_steps, bool) or not isinstance(warmup_steps, int) or warmup_steps < 0:
        raise ConfigError("warmup_range")
    if schedule == "warmup_cosine" and warmup_steps < 1:
        raise ConfigError("warmup_range")
    if schedule == "warmup_cosine" and total_steps is not None and warmup_steps >= total_steps:
        raise ConfigError("warmup_too_long", limit=total_steps)


def schedule_lr(schedule: str, peak: float, total: int, warmup_steps: int = 0):
    """The function step -> rate for a run of `total` steps (step 0 is the first)."""
    check_schedule(schedule, warmup_steps, total)
    if schedule == "constant":
        return lambda step: peak
    if schedule == "step":
        size = max(1, math.ceil(total / STEP_DROPS))
        return lambda step: peak * STEP_GAMMA ** (step // size)
    if schedule == "cosine":
        return lambda step: _cosine(peak, 0.0, step / total)
    if schedule == "one_cycle":
        return lambda step: _one_cycle(peak, total, step)
    return lambda step: _warmup_cosine(peak, total, warmup_steps, step)


def schedule_momentum(schedule: str, total: int):
    """The function step -> momentum (SGD's momentum or Adam's beta1) torch's OneCycleLR sets with its default
    cycle_momentum=True, against the rate: high while the rate is low. None for every other schedule."""
    if schedule != "one_cycle":
        return None
    high, low = ONE_CYCLE_MOMENTUM
    rise_end = float(ONE_CYCLE_PCT_START * total) - 1

    def momentum(step):
        if step <= rise_end:
            return _cosine(high, low, step / rise_end)
        return _cosine(low, high, (step - rise_end) / (total - 1 - rise_end))
    return momentum


def _cosine(start: float, end: float, fraction: float) -> float:
    """From start (fraction 0) to end (fraction 1) along half a cosine, as torch's annealing does."""
    return end + (start - end) / 2 * (math.cos(math.pi * fraction) + 1)


def _one_cycle(peak: float, total: int, step: int) -> float:
    """OneCycleLR (two phases, cosine annealing): initial -> peak at 30 % of the steps, then -> minimum."""
    initial = peak / ONE_CYCLE_DIV
    minimum = initial / ONE_CYCLE_FINAL_DIV
    rise_end = float(ONE_CYCLE_PCT_START * total) - 1  # torch's phase boundaries, kept to the same arithmetic
    if step <= rise_end:
        return _cosine(initial, peak, step / rise_end)
    return _cosine(peak, minimum, (step - rise_end) / (total - 1 - rise_end))


def _warmup_cosine(peak: float, total: int, warmup: int, step: int) -> float:
    """Linear from peak·WARMUP_START_FACTOR to peak over `warmup` steps, then cosine to 0 over the rest."""
    if step < warmup:
        return peak * (WARMUP_START_FACTOR + (1 - WARMUP_START_FACTOR) * step / warmup)
    return _cosine(peak, 0.0, (step - warmup) / (total - warmup))


def planned_rates(cfg) -> list:
    """The rate at every step of cfg's run, known before it starts (a CSV's length only once it is read)."""
    cfg = cfg.validate()
    sizes = split_sizes(cfg.dataset, float(cfg.val_fraction))
    if sizes is None:
        return []
    total = cfg.total_steps(sizes[0])
    rate = schedule_lr(cfg.schedule, float(cfg.lr), total, int(cfg.warmup_steps))
    return [rate(step) for step in range(total)]
