"""The exported loop is one readable template (core/lessons/loop/script.py LOOP): its conditions are known
switches, and each mistake shows up as marked lines exactly when the run makes it."""
import ast
import itertools

import pytest

from core import LOOP_MISTAKES, RunConfig
from core.lessons.loop.script import CODE_COLUMN, LOOP, loop_code

SWITCHES = set(LOOP_MISTAKES) | {"dropout", "rules", "resume"}


def test_every_line_is_code_at_one_column_with_a_known_condition_or_none():
    for line in LOOP.splitlines():
        condition, gap = line[:CODE_COLUMN].strip(), line[CODE_COLUMN - 1:CODE_COLUMN]
        assert gap in ("", " "), line
        assert condition == "" or (condition[0] in "+-" and condition[1:] in SWITCHES), line


@pytest.mark.parametrize("mistake", sorted(LOOP_MISTAKES))
def test_a_mistake_is_written_on_marked_lines_only_when_it_is_made(mistake):
    correct = loop_code(RunConfig(), "torch.optim.SGD(model.parameters(), lr=LR)")
    wrong = loop_code(RunConfig(mistakes=(mistake,)), "torch.optim.SGD(model.parameters(), lr=LR)")
    assert "MISTAKE" not in correct
    changed = set(wrong.splitlines()) - set(correct.splitlines())
    assert changed and all(f"MISTAKE {mistake}:" in line for line in changed)


@pytest.mark.parametrize("mistakes,dropout,rules,save", list(itertools.product(
    [(), tuple(LOOP_MISTAKES)], [0.0, 0.3], [None, {"Linear": {"weight": ("zeros_",)}}], [None, 1])))
def test_every_combination_is_python(mistakes, dropout, rules, save):
    cfg = RunConfig(mistakes=mistakes, dropout=dropout, init_rules=rules)
    code = loop_code(cfg, "torch.optim.SGD(model.parameters(), lr=LR)", save)
    ast.parse(code)
    assert ("--resume" in code) == (save is not None) and ("dropout.active()" in code) == bool(dropout)
    assert ("initialize_weights(" in code) == (rules is not None)
