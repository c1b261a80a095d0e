"""Exercise files: the shipped ones load; a malformed one is refused with one message naming the file, the
exercise and the field (in both languages); docs/exercises.md lists exactly core's measurements."""
import copy
import json
import re
from pathlib import Path

import pytest

from core import LESSONS, MEASUREMENTS, RESULTS, ConfigError, catalogue, load_exercises
from core.exercises.spec import ACTIONS, FOLDER

DOCS = Path(__file__).resolve().parent.parent / "docs" / "exercises.md"
LR = json.loads((FOLDER / "lr.json").read_text(encoding="utf-8"))


def test_every_shipped_file_loads_with_both_languages():
    for lesson in LESSONS:
        for e in load_exercises(lesson):
            assert set(e.question) == set(e.why) == {"en", "zh"}
            assert all(o.labels == {} or set(o.labels) == {"en", "zh"} for o in e.options)


def _edit(fn):
    data = copy.deepcopy(LR)
    fn(data)
    return data


def _set(index, field, value):
    def edit(data):
        data["exercises"][index][field] = value
    return edit


def _drop(index, field):
    return lambda data: data["exercises"][index].pop(field)


CASES = [  # (what is wrong, the edit, exercise, field, words of the message)
    ("unknown measurement", _set(0, "measure", "lr.fastest"), "lr-diverges", "measure", "lr.fastest is not one of"),
    ("missing why", _drop(1, "why"), "lr-best", "why", "this field is missing"),
    ("misspelt field", _set(2, "questoin", {}), "lr-good", "questoin", "there is no such field"),
    ("no Chinese", _set(3, "question", {"en": "How many?"}), "lr-count", "question", "no text for the language zh"),
    ("action of another lesson", _set(0, "action", "look"), "lr-diverges", "action", "look is not one of: run"),
    ("measurement of another lesson", _set(3, "measure", "init.loss"), "lr-count", "measure",
     "reads the result 'init_report'"),
    ("a number for a choice", _set(0, "kind", "number"), "lr-diverges", "kind", "number is not one of: choice, click"),
    ("unknown kind", _set(0, "kind", "slider"), "lr-diverges", "kind", "slider is not one of"),
    ("an answer no option offers", lambda d: d["exercises"][0]["options"].pop(), "lr-diverges", "options",
     "the run can measure none"),
    ("options not a list", _set(0, "options", "0.1, 1"), "lr-diverges", "options", "expected"),
    ("negative tolerance", _set(3, "tolerance", {"abs": -1}), "lr-count", "tolerance", "expected"),
    ("bad id", _set(2, "id", "Good Rate!"), "Good Rate!", "id", "is not one of: a-z, 0-9, -"),
    ("twice the same id", _set(1, "id", "lr-diverges"), "lr-diverges", "id", "this id is used twice"),
    ("a number as the question", _set(0, "question", 7), "lr-diverges", "question", "expected"),
    ("no exercises", lambda d: d.update(exercises=[]), "-", "-", "non-empty"),
    ("another lesson's file", lambda d: d.update(lesson="init"), "-", "lesson", "init is not one of: lr"),
]


@pytest.mark.parametrize("what, edit, exercise, field, words", CASES, ids=[c[0] for c in CASES])
def test_a_malformed_file_gets_one_message_naming_file_exercise_and_field(tmp_path, what, edit, exercise, field,
                                                                         words):
    (tmp_path / "lr.json").write_text(json.dumps(_edit(edit), ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_exercises("lr", tmp_path)
    message = str(caught.value)
    assert message.startswith(f"Exercise file lr.json, exercise {exercise}, field {field}: "), message
    assert words in message
    zh = catalogue("zh")[f"err.{caught.value.code}"].format(**caught.value.params)
    assert zh.startswith(f"练习文件 lr.json，练习 {exercise}，字段 {field}：")


def test_a_file_that_is_not_json_names_the_line(tmp_path):
    (tmp_path / "lr.json").write_text('{"lesson": "lr",\n "exercises": [}\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_exercises("lr", tmp_path)
    assert str(caught.value) == "Exercise file lr.json is not valid JSON (line 2)."


def test_the_docs_list_exactly_core_s_measurements_and_results():
    text = DOCS.read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `([a-z_]+\.[a-z0-9_.]+)` \| `[a-z_]+` \| .*? \| (.*) \|$", text, re.M))
    assert rows == {name: m.doc for name, m in MEASUREMENTS.items()}
    for name, doc in RESULTS.items():
        assert f"| `{name}` | {doc} |" in text
    for lesson, actions in ACTIONS.items():
        for action, result in actions.items():
            assert re.search(rf"^\| `{lesson}` \| `{action}` \| .* \| `{result}` \|$", text, re.M)


def test_chinese_exercise_texts_use_no_english_ui_word():
    """What test_page_shell checks on the page in 中文 mode, for every exercise (most are closed on the page)."""
    from test_page_shell import english_ui_words, words

    terms = english_ui_words()
    found = {e.id: sorted(words(" ".join([e.question["zh"], e.why["zh"], *(o.label("zh") for o in e.options)]))
                          & terms) for lesson in LESSONS for e in load_exercises(lesson)}
    assert {k: v for k, v in found.items() if v} == {}
