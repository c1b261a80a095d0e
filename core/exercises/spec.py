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
    """The lesson's exercises from <folder>/<lesson>.json, every field checked (ConfigError naming the first bad one)."""
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
    def bad(code, exercise="-", field="-", **params):
        return ConfigError(code, file=file, exercise=exercise, field=field, **params)

    if not isinstance(data, dict) or set(data) != {"lesson", "exercises"}:
        raise bad("exercise_top")
    if data["lesson"] != lesson:
        raise bad("exercise_value", field="lesson", value=data["lesson"], allowed=lesson)
    items = data["exercises"]
    if not isinstance(items, list) or not items:
        raise bad("exercise_top")
    seen, out = set(), []
    for n, item in enumerate(items, 1):
        name = item.get("id") if isinstance(item, dict) and isinstance(item.get("id"), str) else f"#{n}"
        out.append(_parse_one(lesson, item, name, lambda code, field, **p: bad(code, name, field, **p)))
        if name in seen:
            raise bad("exercise_duplicate", name, "id")
        seen.add(name)
    return tuple(out)


def _parse_one(lesson, item, name, bad) -> Exercise:
    if not isinstance(item, dict):
        raise bad("exercise_type", "-", expected="{…}")
    for field in sorted(set(item) - FIELDS):
        raise bad("exercise_unknown_field", field)
    for field in ("id", "action", "measure", "kind", "question", "why"):
        if field not in item:
            raise bad("exercise_missing", field)
    if not isinstance(item["id"], str) or not ID.match(item["id"]):
        raise bad("exercise_value", "id", value=item["id"], allowed="a-z, 0-9, -")
    _one_of(item["action"], ACTIONS[lesson], "action", bad)
    _one_of(item["measure"], MEASUREMENTS, "measure", bad)
    kind = _one_of(item["kind"], KINDS, "kind", bad)
    measurement = MEASUREMENTS[item["measure"]]
    if measurement.reads != ACTIONS[lesson][item["action"]]:
        raise bad("exercise_reads", "measure", reads=measurement.reads, action=item["action"])
    if kind == "number" and measurement.values:
        raise bad("exercise_value", "kind", value=kind, allowed="choice, click")
    options = ()
    if kind in ("choice", "click"):
        field = "options" if kind == "choice" else "points"
        options = _options(item.get(field), field, bad)
        values = [o.value for o in options]
        for outcome in measurement.values:  # every answer the run can give must be one the learner can pick
            if outcome not in values:
                raise bad("exercise_outcome", field, value=outcome)
    return Exercise(lesson, item["id"], item["action"], item["measure"], kind, _texts(item["question"], "question", bad),
                    _texts(item["why"], "why", bad), options, _tolerance(item.get("tolerance", {}), bad))


def _one_of(value, allowed, field, bad):
    if not isinstance(value, str) or value not in allowed:
        raise bad("exercise_value", field, value=value, allowed=", ".join(allowed))
    return value


def _texts(value, field, bad) -> dict:
    """{language: text} with a non-empty text for every language the app speaks."""
    if not isinstance(value, dict):
        raise bad("exercise_type", field, expected='{"en": …, "zh": …}')
    for lang in languages():
        if not isinstance(value.get(lang), str) or not value[lang].strip():
            raise bad("exercise_language", field, lang=lang)
    return {lang: value[lang] for lang in languages()}


def _options(value, field, bad) -> tuple:
    if not isinstance(value, list) or len(value) < 2:
        raise bad("exercise_type", field, expected="[{\"value\": …}, …] (2+)")
    out = []
    for option in value:
        if not isinstance(option, dict) or "value" not in option or set(option) - {"value", *languages()}:
            raise bad("exercise_type", field, expected='{"value": …, "en": …, "zh": …}')
        v = option["value"]
        if isinstance(v, bool) or not isinstance(v, (str, int, float)) or (isinstance(v, float) and not math.isfinite(v)):
            raise bad("exercise_type", field, expected="a number or a word")
        labels = {k: t for k, t in option.items() if k != "value"}
        if labels and set(labels) != set(languages()):
            raise bad("exercise_language", field, lang=", ".join(sorted(set(languages()) - set(labels))))
        out.append(Option(v, labels))
    return tuple(out)


def _tolerance(value, bad) -> tuple:
    if not isinstance(value, dict) or set(value) - {"abs", "rel"}:
        raise bad("exercise_type", "tolerance", expected='{"abs": 0.1, "rel": 0.1}')
    for v in value.values():
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v < math.inf:
            raise bad("exercise_type", "tolerance", expected='{"abs": 0.1, "rel": 0.1}')
    return float(value.get("abs", 0.0)), float(value.get("rel", 0.0))
