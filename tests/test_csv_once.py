"""An uploaded CSV is parsed once: the check on arrival and every run after it share one parse, until the
file's bytes change."""
import csv

import pytest

from core import RunConfig, train
from core.data import csv_table
from core.data.csv_table import read_csv


def _table(n=30, shift=0):
    return "a,b,label\n" + "".join(f"{i},{(i * 7 + shift) % 5},{i % 2}\n" for i in range(n))


@pytest.fixture
def parses(monkeypatch):
    """Counts the passes of Python's csv reader over a file, starting from an empty memory of parses."""
    monkeypatch.setattr(csv_table, "_LAST", {}, raising=False)
    count = []
    reader = csv.reader
    monkeypatch.setattr(csv_table.csv, "reader", lambda *a, **k: count.append(1) or reader(*a, **k))
    return count


def test_a_run_reuses_the_parse_made_when_the_file_arrived(tmp_path, parses):
    path = tmp_path / "mine.csv"
    path.write_text(_table())
    x, y, names = read_csv(path)  # the upload's check
    history = train(RunConfig(dataset=str(path), epochs=1, batch_size=8))
    assert len(parses) == 1 and history.steps == 3 and names == ("0", "1")
    assert not x.flags.writeable and not y.flags.writeable  # shared, so no run can change it


def test_changed_bytes_are_parsed_again(tmp_path, parses):
    path = tmp_path / "mine.csv"
    path.write_text(_table())
    first = read_csv(path)
    path.write_text(_table(shift=1))  # same length, other numbers
    second = read_csv(path)
    assert len(parses) == 2 and (first[0] != second[0]).any()
