"""What an exercise may ask about: a registry of measurements, each a function of the result a lesson's run just
produced. An exercise file names one of these; the answer is computed from the learner's own run, never stored."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

from ..lessons.lr.sweeps import LR_PRESETS, classify_regime

# What each kind of result is, for the docs and for the loader's check that an exercise's action produces what
# its measurement reads.
RESULTS = {
    "sweep": "the learning-rate panel's race: the four preset runs (History each), smallest rate first",
    "init_report": "the initialisation panel's Look: one forward+backward pass of the fresh network (InitReport)",
    "twice": "the seeds panel's Run twice: (first History, second History, compare(first, second))",
    "history": "the training panel's Play: the run's History",
    "log_softmax": "the losses panel at its scale and target: scaled_log_softmax(scale, target)",
    "devices": "the GPU panel's Refresh: {'info': device_info(), 'memory': memory_report(), 'auto': device type}",
    "loop_pair": "the loop panel's Run: (correct loop's History, broken loop's History)",
}
NONE = "none"  # a choice measurement's answer when nothing qualifies (no rate diverged, no layer fell under)
CLOSE = 0.10  # "about the same": within 10 % of each other


@dataclass(frozen=True)
class Measurement:
    """One measured quantity: the result kind it reads, a one-line English doc, the function, its outcomes."""

    name: str
    reads: str
    doc: str
    fn: Callable
    values: tuple = ()  # the answers a choice measurement can give; () means it measures a number

    def __call__(self, result):
        return self.fn(result)


def _finite(v) -> bool:
    return v is not None and math.isfinite(v)


def _compare(a: float, b: float) -> str:
    """'higher' / 'lower' / 'same' (within CLOSE) / 'diverged' (a is not finite) for a against b."""
    if not _finite(a):
        return "diverged"
    if abs(a - b) <= CLOSE * max(abs(a), abs(b)):
        return "same"
    return "higher" if a > b else "lower"


# -- learning rate -----------------------------------------------------------------------------
def _first_diverging(sweep):
    rates = [h.config.lr for h in sweep if h.diverged_at is not None or not _finite(h.final_loss)]
    return min(rates) if rates else NONE


def _best_rate(sweep):
    finite = [h for h in sweep if h.diverged_at is None and _finite(h.final_loss)]
    return min(finite, key=lambda h: h.final_loss).config.lr if finite else NONE


def _good_rate(sweep):
    good = [h.config.lr for h in sweep if classify_regime(h) == "good"]
    return min(good) if good else NONE


# -- initialisation ------------------------------------------------------------------------------
def _first_layer_under(threshold):
    def measure(report):
        hidden = report.act_std[:-1]  # the last row is the output layer's logits, not a hidden layer
        return next((i + 1 for i, s in enumerate(hidden) if s < threshold), NONE)
    return measure


def _std_trend(report):
    hidden = report.act_std[:-1]
    return {"higher": "grows", "lower": "shrinks", "same": "same", "diverged": "grows"}[_compare(hidden[-1], hidden[0])]


# -- the training loop ---------------------------------------------------------------------------
def _more_accurate(pair):
    correct, broken = (h.test_acc if h.test_acc is not None else 0.0 for h in pair)
    if abs(correct - broken) < 0.01:
        return "tie"
    return "correct" if correct > broken else "broken"


MEASUREMENTS = {m.name: m for m in (
    Measurement("lr.first_diverging_rate", "sweep", "the smallest rate whose loss became inf/NaN ('none' if none)",
                _first_diverging, (*LR_PRESETS.values(), NONE)),
    Measurement("lr.best_rate", "sweep", "the rate with the lowest final training loss among runs that stayed finite",
                _best_rate, (*LR_PRESETS.values(), NONE)),
    Measurement("lr.good_rate", "sweep", "the smallest rate whose curve classify_regime calls 'good' ('none' if none)",
                _good_rate, (*LR_PRESETS.values(), NONE)),
    Measurement("lr.diverged_count", "sweep", "how many of the runs diverged (loss inf/NaN)",
                lambda sweep: sum(h.diverged_at is not None for h in sweep)),
    Measurement("init.first_layer_std_below_0.1", "init_report",
                "the first hidden layer (1-based) whose activation std is under 0.1 ('none' if none)",
                _first_layer_under(0.1)),
    Measurement("init.last_hidden_std", "init_report", "the activation std of the last hidden layer",
                lambda r: r.act_std[-2]),
    Measurement("init.std_trend", "init_report",
                "the last hidden layer's activation std against the first's: 'shrinks', 'grows' or 'same' (±10 %)",
                _std_trend, ("shrinks", "grows", "same")),
    Measurement("init.loss", "init_report", "the cross-entropy loss of the fresh network on one batch",
                lambda r: r.loss),
    Measurement("seeds.identical", "twice", "whether the two runs' fingerprints are equal: 'yes' or 'no'",
                lambda t: "yes" if t[2].identical else "no", ("yes", "no")),
    Measurement("seeds.gap", "twice",
                "the largest gap between the two loss curves: 'zero', 'tiny' (under 1e-6) or 'visible'",
                lambda t: "zero" if t[2].max_abs_diff == 0 else "tiny" if t[2].max_abs_diff < 1e-6 else "visible",
                ("zero", "tiny", "visible")),
    Measurement("seeds.steps", "twice", "how many optimizer steps each run took", lambda t: t[0].steps),
    Measurement("train.steps", "history", "how many optimizer steps the run took", lambda h: h.steps),
    Measurement("train.test_accuracy", "history", "test accuracy in percent (0 when the run has none)",
                lambda h: 100.0 * (h.test_acc or 0.0)),
    Measurement("train.val_vs_train", "history",
                "the last validation loss against the last training loss: 'higher', 'lower', 'same' (±10 %) or "
                "'diverged'",
                lambda h: _compare(h.val_loss[-1] if h.val_loss else math.nan, h.final_loss),
                ("higher", "lower", "same", "diverged")),
    Measurement("train.diverged", "history", "whether the loss became inf/NaN: 'yes' or 'no'",
                lambda h: "yes" if h.diverged_at is not None else "no", ("yes", "no")),
    Measurement("losses.naive_nonfinite", "log_softmax", "how many naive log-softmax values are inf or NaN",
                lambda r: sum(not math.isfinite(v) for v in r["naive"])),
    Measurement("losses.cross_entropy", "log_softmax", "cross-entropy of the scaled logits for the target class",
                lambda r: r["cross_entropy"]),
    Measurement("losses.naive_agrees", "log_softmax",
                "whether naive and stable log-softmax agree (all finite, within 1e-3): 'yes' or 'no'",
                lambda r: "yes" if all(math.isfinite(a) and abs(a - b) <= 1e-3 for a, b in zip(r["naive"], r["stable"]))
                else "no", ("yes", "no")),
    Measurement("losses.breaks_at", "log_softmax",
                "the smallest logit scale at which naive log-softmax returns inf/NaN (0 if never in range)",
                lambda r: r["breaks_at"] or 0.0),
    Measurement("gpu.cuda_available", "devices", "what torch.cuda.is_available() says: 'yes' or 'no'",
                lambda d: "yes" if d["info"]["cuda_available"] else "no", ("yes", "no")),
    Measurement("gpu.device_count", "devices", "what torch.cuda.device_count() says",
                lambda d: d["info"]["device_count"]),
    Measurement("gpu.auto_device", "devices", "the device a run with device='auto' uses: 'cpu' or 'cuda'",
                lambda d: d["auto"], ("cpu", "cuda")),
    Measurement("gpu.allocated_mb", "devices", "MB of GPU memory torch has allocated (0 without a GPU)",
                lambda d: d["memory"]["allocated_mb"]),
    Measurement("loop.initial_loss", "loop_pair", "the correct loop's loss at step 0", lambda p: p[0].train_loss[0]),
    Measurement("loop.broken_final_vs_correct", "loop_pair",
                "the broken loop's final training loss against the correct loop's: 'higher', 'lower', 'same' "
                "(±10 %) or 'diverged'",
                lambda p: _compare(p[1].final_loss, p[0].final_loss), ("higher", "lower", "same", "diverged")),
    Measurement("loop.broken_lowest_loss", "loop_pair", "the lowest training loss the broken loop reached",
                lambda p: min((v for v in p[1].train_loss if _finite(v)), default=math.inf)),
    Measurement("loop.more_accurate", "loop_pair",
                "which loop ends with the higher test accuracy: 'correct', 'broken' or 'tie' (within 1 point)",
                _more_accurate, ("correct", "broken", "tie")),
)}


def measure(name: str, result):
    """The named measurement of a result (KeyError for an unknown name: the loader refuses those first)."""
    return MEASUREMENTS[name](result)
