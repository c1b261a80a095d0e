"""Judge a prediction against the measurement of the learner's own run, and keep the outcome as one small record."""
from __future__ import annotations

import hashlib
import json
import math
import time
from dataclasses import asdict, dataclass

from ..engine.errors import ConfigError
from .measurements import measure
from .spec import Exercise

VERDICTS = ("right", "wrong", "skipped")


@dataclass(frozen=True)
class ExerciseRecord:
    """One answered exercise: what a class server (issue 26) receives and the page keeps in localStorage."""

    lesson: str
    exercise: str
    prediction: object  # the committed choice or number; None when skipped
    measured: object  # what the learner's run measured; None when skipped or not finite
    verdict: str  # one of VERDICTS
    config_fingerprint: str  # SHA-256 of the panel's settings: which run this answer speaks of
    answered_at: float  # seconds since the epoch

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "ExerciseRecord":
        record = cls(**{k: data[k] for k in cls.__dataclass_fields__})
        if record.verdict not in VERDICTS:
            raise ConfigError("exercise_verdict", verdict=record.verdict)
        return record


def config_fingerprint(settings: dict) -> str:
    """Hex SHA-256 of a panel's JSON-safe settings, keys sorted: equal settings, equal fingerprint."""
    return hashlib.sha256(json.dumps(settings, sort_keys=True, default=str).encode()).hexdigest()


def parse_prediction(exercise: Exercise, value):
    """The learner's prediction as the exercise compares it: one of its options, or a finite number."""
    if exercise.kind in ("choice", "click"):
        for option in exercise.options:
            if _same(option.value, value):
                return option.value
        raise ConfigError("exercise_prediction")
    try:
        number = float(str(value).strip().replace(",", "."))
    except ValueError:
        raise ConfigError("exercise_number") from None
    if not math.isfinite(number):
        raise ConfigError("exercise_number")
    return number


def _same(a, b) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(b, bool):
        return math.isclose(a, b, rel_tol=1e-9)
    return str(a) == str(b)


def is_right(exercise: Exercise, prediction, measured) -> bool:
    """True when the prediction matches the measurement (numbers within the exercise's tolerance)."""
    numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (prediction, measured))
    if not numbers:
        return str(prediction) == str(measured)
    if not math.isfinite(measured):
        return False
    absolute, relative = exercise.tolerance
    return abs(prediction - measured) <= max(absolute, relative * abs(measured), 1e-9 * abs(measured))


def answer(exercise: Exercise, prediction, result, settings: dict) -> ExerciseRecord:
    """Measure the run's result, judge the prediction (None: skipped), and say it as a record."""
    measured = measure(exercise.measure, result)
    if isinstance(measured, float) and not math.isfinite(measured):
        verdict = "wrong" if prediction is not None else "skipped"
        measured = None
    elif prediction is None:
        verdict = "skipped"
    else:
        verdict = "right" if is_right(exercise, prediction, measured) else "wrong"
    return ExerciseRecord(exercise.lesson, exercise.id, prediction, measured, verdict, config_fingerprint(settings),
                          round(time.time(), 3))
