"""The learning-rate finder: an exponential sweep of the rate on one fresh model, three rules that read
a suggestion off its curve, the proof that it left weights, optimizer and global RNG as it found them,
and the band of curves over several seeds."""
from __future__ import annotations

import copy
import hashlib
import math
import random
import threading
from dataclasses import dataclass, field

import numpy as np
import torch

from ...engine.config import RunConfig
from ...engine.errors import ConfigError
from ...engine.fingerprints import fingerprint
from ...engine.run import Run
from ...plain import tensor_bytes

RULES = ("min_div_10", "steepest", "valley")
SUGGESTION_DIVISOR = 10  # min_div_10: the rate of lowest smoothed loss divided by this
SMOOTHING = 0.9  # weight of the running average in the bias-corrected smoothing of the loss
STEEPEST_SKIP = 10, 5  # points torch-lr-finder's steepest rule ignores at the start and the end
VALLEY_SKIP_END = 5  # fastai's Learner.lr_find reads valley off points [num_it // 10 : -5]
BLOW_UP = 4  # the sweep stops once the smoothed loss exceeds this many times its best


@dataclass(frozen=True)
class LRFinderResult:
    """Rates tried, the smoothed loss at each, the chosen rule's suggestion, every rule's, and the state check."""

    lrs: list
    losses: list
    suggestion: float
    lowest_at: float | None = None  # None when no loss was finite
    rule: str = "min_div_10"
    suggestions: dict = field(default_factory=dict)  # rule -> suggested rate
    raw_losses: list = field(default_factory=list)  # the loss of each step before smoothing
    state_check: dict = field(default_factory=dict)  # {"before": digests, "after": digests, "restored": bool}


def lr_find(cfg: RunConfig, start: float = 1e-5, end: float = 10.0, steps: int = 100,
            rule: str = "min_div_10") -> LRFinderResult:
    """Raise the rate exponentially each step on a fresh model, then restore it; suggest a rate by `rule`."""
    if not (0 < start < end) or not 2 <= int(steps) <= 10_000:
        raise ConfigError("finder_range")
    check_rule(rule)
    steps = int(steps)

    def lr_at(step):
        return start * (end / start) ** (step / (steps - 1))

    loss = _SmoothedLoss()
    finder_cfg = cfg.replace(lr=start, epochs=1, stats_every=100_000, schedule="constant", warmup_steps=0)
    rng = _global_rng()
    with Run(finder_cfg, [loss], lr_at=lr_at, steps=steps) as run:
        saved = copy.deepcopy(run.model.state_dict()), copy.deepcopy(_optimizer_state(run.optimizer))
        before = _digests(run)
        try:
            run.drive(pause=loss.blown_up)
        finally:  # put back what the sweep changed, whatever ended it
            run.model.load_state_dict(saved[0])
            _set_optimizer_state(run.optimizer, saved[1])
            _set_global_rng(rng)
        after = _digests(run)
    lrs = [lr_at(step) for step in range(len(loss.values))]
    suggestions = suggest_all(lrs, loss.values, start, steps)
    finite = [(value, lr) for lr, value in zip(lrs, loss.values) if math.isfinite(value)]
    return LRFinderResult(lrs, loss.values, suggestions[rule], min(finite)[1] if finite else None, rule,
                          suggestions, loss.raw, {"before": before, "after": after, "restored": before == after})


def check_rule(rule) -> None:
    """ConfigError unless `rule` is one of RULES."""
    if rule not in RULES:
        raise ConfigError("unknown_choice", what="finder rule", value=rule, options=", ".join(RULES))


def suggest_all(lrs, losses, start: float, steps: int) -> dict:
    """Each rule's suggested rate for a finder curve of a `steps`-step sweep (the start rate where a rule
    has nothing to read): steepest as torch-lr-finder 0.2.2 reads it, valley as fastai 2.8.12 does."""
    stop = max(len(losses) - VALLEY_SKIP_END, 0)
    out = {"valley": _valley(lrs[steps // 10:stop], losses[steps // 10:stop], start)}  # fastai slices, then cuts NaN
    n = _finite_prefix(losses)
    lrs, losses = np.asarray(lrs[:n], dtype=np.float64), np.asarray(losses[:n], dtype=np.float64)
    if n == 0:
        return {**dict.fromkeys(RULES, start), **out}
    out["min_div_10"] = max(float(lrs[int(np.argmin(losses))]) / SUGGESTION_DIVISOR, start)
    first, last = STEEPEST_SKIP
    if n >= first + last + 2:  # torch-lr-finder refuses a shorter curve; the app reads it whole
        cut = lrs[first:n - last], losses[first:n - last]
    else:
        cut = lrs, losses
    out["steepest"] = float(cut[0][int(np.argmin(np.gradient(cut[1])))]) if len(cut[1]) >= 2 else start
    return out


def _finite_prefix(losses) -> int:
    return next((i for i, v in enumerate(losses) if not math.isfinite(v)), len(losses))


def _valley(lrs, losses, start: float) -> float:
    """fastai's valley on a sliced curve cut at its first non-finite loss (the start rate when nothing is left)."""
    n = _finite_prefix(losses)
    return float(lrs[_valley_index(np.asarray(losses[:n], dtype=np.float64))]) if n else start


def _valley_index(losses) -> int:
    """fastai's valley: the first longest run of points each lower than an earlier one, two fifths along it.
    Like fastai, a run of two that starts at the first point gives index −1, i.e. the last point."""
    lds = np.ones(len(losses), dtype=np.int64)  # length of the longest decreasing sequence ending at each point
    for i in range(1, len(losses)):
        higher = losses[:i] > losses[i]
        if higher.any():
            lds[i] = lds[:i][higher].max() + 1
    end = int(np.argmax(lds))  # the first longest, as fastai's strict `<` keeps it
    begin = end - int(lds[end]) if lds[end] > 1 else 0  # fastai's max_start stays 0 when nothing decreases
    third = (end - begin) / 3
    return (begin + int(third) + int(third / 2)) % len(losses)  # −1 wraps to the last point, as in fastai


class _SmoothedLoss:
    """The finder's callback: each finite step loss, raw and as a bias-corrected moving average; sets
    `blown_up` once the average is non-finite or BLOW_UP times its best (a non-finite loss ends the run itself)."""

    def __init__(self):
        self.raw, self.values, self.smooth, self.best, self.blown_up = [], [], 0.0, math.inf, threading.Event()

    def on_step(self, record):
        if not math.isfinite(record["loss"]):
            return
        self.raw.append(record["loss"])
        self.smooth = SMOOTHING * self.smooth + (1 - SMOOTHING) * record["loss"]
        value = self.smooth / (1 - SMOOTHING ** (record["step"] + 1))
        self.values.append(value)
        self.best = min(self.best, value)
        if not math.isfinite(value) or value > BLOW_UP * self.best:
            self.blown_up.set()


def _digests(run) -> dict:
    """SHA-256 of the run's weights, its optimizer's state (rate and buffers) and the global RNG states."""
    return {"weights": fingerprint(run.model), "optimizer": _digest(_optimizer_state(run.optimizer)),
            "rng": _digest(_global_rng())}


def _optimizer_state(optimizer) -> dict:
    """The optimizer's rate and buffers (momentum, Adam's moments), without the parameters it updates."""
    return {"lr": optimizer.param_groups[0]["lr"],
            **{key: value for key, value in vars(optimizer).items() if key != "param_groups"}}


def _set_optimizer_state(optimizer, state):
    optimizer.param_groups[0]["lr"] = state["lr"]
    for key, value in state.items():
        if key != "lr":
            setattr(optimizer, key, copy.deepcopy(value))


def _digest(value) -> str:
    h = hashlib.sha256()
    _feed(h, value)
    return h.hexdigest()


def _feed(h, value):
    if isinstance(value, torch.Tensor):
        h.update(tensor_bytes(value))
    elif isinstance(value, np.ndarray):
        h.update(value.tobytes())
    elif isinstance(value, dict):
        for key in sorted(value, key=repr):
            h.update(repr(key).encode())
            _feed(h, value[key])
    elif isinstance(value, (list, tuple)):
        h.update(b"[%d" % len(value))
        for item in value:
            _feed(h, item)
    else:
        h.update(repr(value).encode())


def _global_rng():
    cuda = torch.cuda.get_rng_state_all() if torch.cuda.is_available() else []
    return {"python": random.getstate(), "numpy": np.random.get_state(), "torch": torch.get_rng_state(), "cuda": cuda}


def _set_global_rng(state):
    random.setstate(state["python"])
    np.random.set_state(state["numpy"])
    torch.set_rng_state(state["torch"])
    if state["cuda"]:
        torch.cuda.set_rng_state_all(state["cuda"])
