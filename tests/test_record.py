"""class/record.py against sqlite3 itself: the file's mode and schema, what each write leaves in it, the bounds, the
snapshot and CSV the teacher reads, a new class, and a committed write surviving SIGKILL of the writer."""
from __future__ import annotations

import csv
import io
import json
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "class"))

import record  # noqa: E402  (class/record.py)
from record import LIMITS, ClassRecord, RecordRefused  # noqa: E402
from record_summary import FORMULA_STARTS, load_catalogue  # noqa: E402

HOSTILE = '<img src=x onerror=alert(1)>'


def answer(exercise="lr-diverges", prediction=1, measured=1.0, verdict="right", lesson="lr"):
    return {"lesson": lesson, "exercise": exercise, "prediction": prediction, "measured": measured,
            "verdict": verdict, "config_fingerprint": "ab" * 32, "answered_at": 1_700_000_000.0}


def run(lr=0.1, seed=42, fingerprint="f1", lesson="lr", regime="good"):
    return {"lesson": lesson, "config": {"model": "mlp", "lr": lr, "seed": seed}, "seed": seed, "regime": regime,
            "final_loss": 0.25, "accuracy": 0.9, "fingerprint": fingerprint, "seconds": 1.5}


@pytest.fixture
def rec(tmp_path):
    r = ClassRecord(tmp_path / "class.sqlite", load_catalogue(ROOT / "exercises"))
    yield r
    r.close()


def rows(path, sql):
    with sqlite3.connect(path) as db:
        return db.execute(sql).fetchall()


def test_the_file_is_wal_versioned_and_has_the_contract_s_tables(rec):
    db = sqlite3.connect(rec.path)
    assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert db.execute("PRAGMA user_version").fetchone() == (record.SCHEMA_VERSION,)
    tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"seats", "answers", "runs"} <= tables
    db.close()


def test_a_file_from_a_newer_schema_is_not_opened(tmp_path):
    path = tmp_path / "class.sqlite"
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {record.SCHEMA_VERSION + 1}")
    with pytest.raises(RuntimeError, match="newer"):
        ClassRecord(path)


def test_seats_are_numbered_on_first_sight_and_keep_their_number(rec):
    assert [rec.seat("a" * 32), rec.seat("b" * 32), rec.seat("a" * 32)] == [1, 2, 1]
    assert rows(rec.path, "SELECT seat, number FROM seats ORDER BY number") == [("a" * 32, 1), ("b" * 32, 2)]


def test_the_latest_answer_to_an_exercise_wins_and_each_run_is_a_row(rec):
    rec.add_answer("s" * 32, answer(prediction=0.1, verdict="wrong"))
    rec.add_answer("s" * 32, answer(prediction=1, verdict="right"))
    rec.add_run("s" * 32, run())
    rec.add_run("s" * 32, run())
    assert rows(rec.path, "SELECT prediction, verdict FROM answers") == [("1", "right")]
    assert rows(rec.path, "SELECT COUNT(*) FROM runs") == [(2,)]


def test_a_hostile_name_is_kept_as_the_text_it_is(rec):
    assert rec.set_name("s" * 32, f"  {HOSTILE}\n") == HOSTILE  # whitespace collapsed, nothing else touched
    assert rows(rec.path, "SELECT name FROM seats") == [(HOSTILE,)]
    assert rec.snapshot()["learners"][0]["name"] == HOSTILE
    assert rec.set_name("s" * 32, "   ") is None


@pytest.mark.parametrize("write, code", [
    (lambda r: r.set_name("s" * 32, "x" * (LIMITS["name_chars"] + 1)), "name"),
    (lambda r: r.set_name("s" * 32, 7), "name"),
    (lambda r: r.add_answer("s" * 32, {**answer(), "verdict": "maybe"}), "field"),
    (lambda r: r.add_answer("s" * 32, {**answer(), "prediction": {"a": 1}}), "field"),
    (lambda r: r.add_answer("s" * 32, {**answer(), "prediction": "x" * 500}), "field"),
    (lambda r: r.add_answer("s" * 32, {**answer(), "lesson": "l\x00r"}), "field"),
    (lambda r: r.add_run("s" * 32, {**run(), "config": "not an object"}), "field"),
    (lambda r: r.add_run("s" * 32, {**run(), "config": {"data": "x" * LIMITS["config_bytes"]}}), "field"),
    (lambda r: r.add_run("s" * 32, {**run(), "seed": 1.5}), "field"),
    (lambda r: r.add_run("s" * 32, {**run(), "final_loss": "0.1"}), "field"),
])
def test_what_is_not_a_small_typed_record_is_refused_and_nothing_is_written(rec, write, code):
    with pytest.raises(RecordRefused) as refused:
        write(rec)
    assert refused.value.code == code and str(refused.value)
    assert rows(rec.path, "SELECT COUNT(*) FROM answers") == [(0,)]
    assert rows(rec.path, "SELECT COUNT(*) FROM runs") == [(0,)]


def test_a_seat_s_answers_and_runs_are_bounded(rec, monkeypatch):
    monkeypatch.setitem(LIMITS, "answers", 2)
    monkeypatch.setitem(LIMITS, "runs", 3)
    for i in range(2):
        rec.add_answer("s" * 32, answer(exercise=f"e{i}"))
    rec.add_answer("s" * 32, answer(exercise="e1", verdict="wrong"))  # a new answer to a kept one replaces it
    with pytest.raises(RecordRefused, match="answers") as refused:
        rec.add_answer("s" * 32, answer(exercise="e2"))
    assert refused.value.code == "answers"
    for _ in range(3):
        rec.add_run("s" * 32, run())
    with pytest.raises(RecordRefused) as refused:
        rec.add_run("s" * 32, run())
    assert refused.value.code == "runs"
    rec.add_run("t" * 32, run())  # another seat's bound is its own
    assert rows(rec.path, "SELECT seat, COUNT(*) FROM runs GROUP BY seat ORDER BY seat") == [("s" * 32, 3), ("t" * 32, 1)]
    assert rows(rec.path, "SELECT COUNT(*) FROM answers") == [(2,)]


def test_non_finite_numbers_are_kept_as_nothing(rec):
    rec.add_run("s" * 32, {**run(), "final_loss": float("inf")})
    rec.add_answer("s" * 32, {**answer(), "measured": float("nan")})
    assert rows(rec.path, "SELECT final_loss FROM runs") == [(None,)]
    assert rows(rec.path, "SELECT measured FROM answers") == [("null",)]


def test_the_snapshot_counts_what_sqlite_holds_and_names_no_seat_id(rec):
    a, b, c = "a" * 32, "b" * 32, "c" * 32
    rec.set_name(a, "Ana")
    rec.add_answer(a, answer(prediction=1, verdict="right"))
    rec.add_answer(b, answer(prediction=0.1, verdict="wrong"))
    rec.add_answer(c, answer(prediction=None, verdict="skipped"))
    for seat, fingerprint in ((a, "f1"), (b, "f1"), (c, "f2")):
        rec.add_run(seat, run(fingerprint=fingerprint))
    rec.add_run(a, run(lr=1.0, seed=None, regime="too_large"))
    snap = rec.snapshot({a, "not-a-seat"})
    assert snap["schema"] == 1 and snap["seats"] == {"connected": 1, "total": 3}
    assert [(r["number"], r["name"], r["connected"], r["answers"], r["runs"]) for r in snap["learners"]] == [
        (1, "Ana", True, 1, 2), (2, None, False, 1, 1), (3, None, False, 1, 1)]
    diverges = next(e for e in snap["exercises"] if e["exercise"] == "lr-diverges")
    assert (diverges["kind"], diverges["answered"], diverges["skipped"], diverges["right"]) == ("choice", 2, 1, 1)
    assert diverges["predictions"] == [{"value": 0.1, "count": 1}, {"value": 1, "count": 1}]
    assert diverges["measured"] == [{"value": 1.0, "count": 3}]
    assert snap["texts"]["lr:lr-diverges"]["question"].startswith("Which is the smallest")
    assert rec.snapshot(lang="zh")["texts"]["lr:lr-diverges"]["options"]["none"] == "都不会"
    assert sorted((r["number"], r["lr"], r["regime"]) for r in snap["lr_runs"]) == [
        (1, 0.1, "good"), (1, 1.0, "too_large"), (2, 0.1, "good"), (3, 0.1, "good")]
    (group,) = snap["reproducibility"]  # the unseeded run is in no group
    assert (group["seed"], group["learners"], group["runs"], group["fingerprints"], group["identical"]) == (42, 3, 3, 2, 2)
    assert "lr=0.1" in group["summary"] and "seed=42" in group["summary"]
    text = json.dumps(snap) + rec.csv()
    assert not any(seat in text for seat in (a, b, c))


def test_the_csv_is_every_row_and_no_cell_starts_like_a_formula(rec):
    rec.set_name("s" * 32, '=HYPERLINK("http://x","y")')
    rec.add_answer("s" * 32, answer(prediction="-1+2", measured="@SUM(A1)", verdict="wrong"))
    rec.add_run("s" * 32, {**run(), "regime": "+cmd", "final_loss": -0.5})
    table = list(csv.reader(io.StringIO(rec.csv())))
    header, body = table[0], table[1:]
    assert [row[0] for row in body] == ["answer", "run"]
    cells = [cell for row in body for cell in row]
    assert "'=HYPERLINK(\"http://x\",\"y\")" in cells and "'-1+2" in cells and "'@SUM(A1)" in cells
    assert "'+cmd" in cells
    text_cells = [c for c in cells if not _is_number(c)]
    assert not any(c.startswith(FORMULA_STARTS) for c in text_cells)
    assert dict(zip(header, body[1]))["final_loss"] == "-0.5"  # a number stays a number


def _is_number(cell: str) -> bool:
    try:
        float(cell)
        return True
    except ValueError:
        return False


def test_a_new_class_archives_the_file_and_starts_empty(rec):
    rec.add_run("s" * 32, run())
    archive = rec.new_class()
    assert archive.parent == rec.path.parent and archive.name.startswith("class-") and archive.suffix == ".sqlite"
    assert rows(archive, "SELECT COUNT(*) FROM runs") == [(1,)]
    assert rows(rec.path, "SELECT COUNT(*) FROM runs") == [(0,)]
    assert rec.snapshot()["seats"]["total"] == 0
    assert rec.new_class() != archive  # twice in a second: a second archive, not the first overwritten


def test_a_committed_write_survives_sigkill_of_its_writer(tmp_path):
    """The writer kills itself (SIGKILL: no atexit, no close) right after add_run returns."""
    script = textwrap.dedent(f"""
        import os, signal, sys
        sys.path.insert(0, {str(ROOT / "class")!r})
        from record import ClassRecord
        r = ClassRecord({str(tmp_path / "class.sqlite")!r})
        r.set_name("s" * 32, "Ana")
        r.add_run("s" * 32, {run()!r})
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True)
    assert done.returncode == -9, done.stderr
    assert rows(tmp_path / "class.sqlite", "SELECT name FROM seats") == [("Ana",)]
    assert rows(tmp_path / "class.sqlite", "SELECT fingerprint FROM runs") == [("f1",)]


def test_record_py_agrees_with_core_and_the_kernel_side():
    from core.exercises.check import VERDICTS
    from widgets.shell import record_channel
    import record_local

    assert record.VERDICTS == VERDICTS
    assert record_channel.NAME_CHARS == LIMITS["name_chars"]
    assert (record_channel.ENV_URL, record_channel.ENV_KEY) == (record_local.ENV_URL, record_local.ENV_KEY)
