"""Exercise files: one JSON file per lesson in exercises/, read with the standard library and checked field by
field, so that a teacher's typo is refused with one message naming the file, the exercise and the field."""
from __future__ import annotations

import json
import math
import pathlib
import re
from dataclasses import dataclass

from ..engine.errors import ConfigError
from ..engine.messages import languages
from .measurements import MEASUREMENTS

FOLDER = pathlib.Path(__file__).resolve().parents[2] / "exercises"
LESSONS = ("lr", "init", "seeds", "train", "losses", "gpu", "loop")
# What each lesson's action buttons produce (the panel wires the button; the measurement reads the result).
ACTIONS = {
    "lr": {"run": "sweep"},
    "init": {"look": "init_report"},
    "seeds": {"run": "twice"},
    "train": {"play": "history"},
    "losses": {"draw": "log_softmax"},
    "gpu": {"refresh": "devices"},
    "loop": {"run": "loop_pair"},
}
KINDS = ("choice", "number", "click")
FIELDS = {"id", "action", "measure", "kind", "question", "why", "options", "points", "tolerance"}
ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")


@dataclass(frozen=True)
class Where:
    """Which file and which exercise a refusal speaks of."""

    file: str
    exercise: str


@dataclass(frozen=True)
class Option:
    """A choice or a point on a click chart: the value compared with the measurement, and its label per language."""

    value: object
    labels: dict  # language -> text; empty: the value itself is the label (a rate, a layer number)

    def label(self, lang: str) -> str:
        return self.labels.get(lang) or str(self.value)


@dataclass(frozen=True)
class Exercise:
    """One exercise as its file states it; nothing in it is an answer."""

    lesson: str
    id: str
    action: str
    measure: str
    kind: str
    question: dict  # language -> text
    why: dict  # language -> text; may use {measured} and {prediction}
    options: tuple = ()  # choice: the choices; click: the points on the chart
    tolerance: tuple = (0.0, 0.0)  # (absolute, relative) for numbers and clicked numbers

    @property
    def reads(self) -> str:
        return ACTIONS[self.lesson][self.action]


def load_exercises(lesson: str, folder=None) -> tuple:
    """The lesson's exercises from <folder>/<lesson>.json, every field checked (a ConfigError names the first bad)."""
    path = pathlib.Path(folder or FOLDER) / f"{lesson}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError:
        raise ConfigError("exercise_unreadable", file=path.name) from None
    except ValueError as exc:
        raise ConfigError("exercise_json", file=path.name, line=getattr(exc, "lineno", "?")) from None
    return parse_lesson(lesson, data, path.name)


def parse_lesson(lesson: str, data, file: str) -> tuple:
    """Check one lesson file's data; return its Exercises."""
    if not isinstance(data, dict) or set(data) != {"lesson", "exercises"} or not isinstance(data["exercises"], list) \
            or not data["exercises"]:
        raise ConfigError("exercise_top", file=file, exercise="-", field="-")
    if data["lesson"] != lesson:
        raise ConfigError("exercise_value", file=file, exercise="-", field="lesson", value=data["lesson"],
                          allowed=lesson)
    seen, out = set(), []
    for n, item in enumerate(data["exercises"], 1):
        name = item.get("id") if isinstance(item, dict) and isinstance(item.get("id"), str) else f"#{n}"
        out.append(_parse_one(lesson, item, Where(file, name)))
        if name in seen:
            raise ConfigError("exercise_duplicate", file=file, exercise=name, field="id")
        seen.add(name)
    return tuple(out)


def _parse_one(lesson, item, at) -> Exercise:
    f, x = at.file, at.exercise
    if not isinstance(item, dict):
        raise ConfigError("exercise_type", file=f, exercise=x, field="-", expected="{…}")
    for field in sorted(set(item) - FIELDS):
        raise ConfigError("exercise_unknown_field", file=f, exercise=x, field=field)
    for field in ("id", "action", "measure", "kind", "question", "why"):
        if field not in item:
            raise ConfigError("exercise_missing", file=f, exercise=x, field=field)
    if not isinstance(item["id"], str) or not ID.match(item["id"]):
        raise ConfigError("exercise_value", file=f, exercise=x, field="id", value=item["id"], allowed="a-z, 0-9, -")
    _one_of(item["action"], ACTIONS[lesson], "action", at)
    _one_of(item["measure"], MEASUREMENTS, "measure", at)
    kind = _one_of(item["kind"], KINDS, "kind", at)
    measurement = MEASUREMENTS[item["measure"]]
    if measurement.reads != ACTIONS[lesson][item["action"]]:
        raise ConfigError("exercise_reads", file=f, exercise=x, field="measure", reads=measurement.reads,
                          action=item["action"])
    if kind == "number" and measurement.values:
        raise ConfigError("exercise_value", file=f, exercise=x, field="kind", value=kind, allowed="choice, click")
    options = ()
    if kind in ("choice", "click"):
        field = "options" if kind == "choice" else "points"
        options = _options(item.get(field), field, at)
        for outcome in measurement.values:  # every answer the run can give must be one the learner can pick
            if outcome not in [o.value for o in options]:
                raise ConfigError("exercise_outcome", file=f, exercise=x, field=field, value=outcome)
    return Exercise(lesson, item["id"], item["action"], item["measure"], kind, _texts(item["question"], "question", at),
                    _texts(item["why"], "why", at), options, _tolerance(item.get("tolerance", {}), at))


def _one_of(value, allowed, field, at):
    if not isinstance(value, str) or value not in allowed:
        raise ConfigError("exercise_value", file=at.file, exercise=at.exercise, field=field, value=value,
                          allowed=", ".join(allowed))
    return value


def _texts(value, field, at) -> dict:
    """{language: text} with a non-empty text for every language the app speaks."""
    if not isinstance(value, dict):
        raise ConfigError("exercise_type", file=at.file, exercise=at.exercise, field=field,
                          expected='{"en": …, "zh": …}')
    for lang in languages():
        if not isinstance(value.get(lang), str) or not value[lang].strip():
            raise ConfigError("exercise_language", file=at.file, exercise=at.exercise, field=field, lang=lang)
    return {lang: value[lang] for lang in languages()}


def _options(value, field, at) -> tuple:
    f, x, shape = at.file, at.exercise, '[{"value": …, "en": …, "zh": …}, …] (2 or more)'
    if not isinstance(value, list) or len(value) < 2:
        raise ConfigError("exercise_type", file=f, exercise=x, field=field, expected=shape)
    out = []
    for option in value:
        if not isinstance(option, dict) or "value" not in option or set(option) - {"value", *languages()}:
            raise ConfigError("exercise_type", file=f, exercise=x, field=field, expected=shape)
        v = option["value"]
        if isinstance(v, bool) or not isinstance(v, (str, int, float)) or (isinstance(v, float)
                                                                            and not math.isfinite(v)):
            raise ConfigError("exercise_type", file=f, exercise=x, field=field, expected="a number or a word")
        labels = {k: t for k, t in option.items() if k != "value"}
        if labels and set(labels) != set(languages()):
            missing = ", ".join(sorted(set(languages()) - set(labels)))
            raise ConfigError("exercise_language", file=f, exercise=x, field=field, lang=missing)
        out.append(Option(v, labels))
    return tuple(out)


def _tolerance(value, at) -> tuple:
    ok = isinstance(value, dict) and not set(value) - {"abs", "rel"} and all(
        not isinstance(v, bool) and isinstance(v, (int, float)) and 0 <= v < math.inf for v in value.values())
    if not ok:
        raise ConfigError("exercise_type", file=at.file, exercise=at.exercise, field="tolerance",
                          expected='{"abs": 0.1, "rel": 0.05}')
    return float(value.get("abs", 0.0)), float(value.get("rel", 0.0))
