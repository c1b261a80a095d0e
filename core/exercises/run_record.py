"""A finished run as the class record keeps it (issue 26): what it was, what came out; never its data."""
from __future__ import annotations

import math

from ..data.datasets import DATASETS
from ..lessons.lr.sweeps import classify_regime


def _finite(value):
    return float(value) if value is not None and math.isfinite(value) else None


def run_summary(lesson: str, history) -> dict:
    """JSON-safe summary of one History: lesson, config, seed, regime, final loss, accuracy, fingerprint, seconds.
    A CSV data set is named "csv" only: its file name is the learner's, not the class's."""
    config = history.config.to_dict()
    if config.get("dataset") not in DATASETS:
        config["dataset"] = "csv"
    accuracy = history.val_acc[-1] if history.val_acc else history.test_acc
    return {"lesson": lesson, "config": config, "seed": history.config.seed, "regime": classify_regime(history),
            "final_loss": _finite(history.final_loss),
            "accuracy": _finite(accuracy), "fingerprint": history.fingerprint or None,
            "seconds": round(float(history.seconds), 3)}
