"""The class record (issue 26): per learner seat, each answered exercise and each finished run's summary.

Standard library only (sqlite3), so the class server, the hub service and the tests import it without Voila.
One SQLite file, `class.sqlite` in the class's data folder, in WAL mode: a write is committed before the learner's
post is answered, and a committed write survives `kill -9` of the server (the WAL is in the OS's hands at commit;
synchronous=NORMAL only risks the last commits on a power cut, not on a process crash).

Kept: a seat's number, its optional display name (text, never HTML), each exercise's prediction, measurement and
verdict (one row per exercise, the latest wins), each run's lesson, config, seed, regime, final loss and
accuracy, fingerprint and seconds. Never a data set, an upload or other free text: every field is checked
and bounded here, whatever the page or the kernel sends.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import math
import sqlite3
import threading
import time
from pathlib import Path

from record_summary import csv_text, snapshot

SCHEMA_VERSION = 1
FILE_NAME = "class.sqlite"
# Per seat and per post; a post past one gets a short refusal. A class's exercises number a few dozen and a
# lesson's runs a few hundred, so an honest learner never meets these; a looping script does.
LIMITS = {"answers": 200, "runs": 2000, "body_bytes": 16_384, "name_chars": 40, "config_bytes": 4096,
          "value_chars": 200, "id_chars": 64}
# core.exercises.check.VERDICTS (record.py stays stdlib-only; tests/test_record.py checks they agree)
VERDICTS = ("right", "wrong", "skipped")
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS seats (seat TEXT PRIMARY KEY, number INTEGER UNIQUE NOT NULL, name TEXT,
    first_seen REAL NOT NULL, last_seen REAL NOT NULL);
CREATE TABLE IF NOT EXISTS answers (seat TEXT NOT NULL REFERENCES seats(seat), lesson TEXT NOT NULL,
    exercise TEXT NOT NULL, prediction TEXT, measured TEXT, verdict TEXT NOT NULL, config_fingerprint TEXT,
    answered_at REAL NOT NULL, PRIMARY KEY (seat, lesson, exercise));
CREATE TABLE IF NOT EXISTS runs (id INTEGER PRIMARY KEY AUTOINCREMENT, seat TEXT NOT NULL REFERENCES seats(seat),
    lesson TEXT NOT NULL, config TEXT NOT NULL, config_fingerprint TEXT NOT NULL, seed INTEGER, regime TEXT,
    final_loss REAL, accuracy REAL, fingerprint TEXT, seconds REAL, at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS runs_by_seat ON runs(seat);
"""


class RecordRefused(ValueError):
    """A write the record does not take; `code` names why (a catalogue key `record.<code>`), str() says it."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def _text(value, field: str, limit: int = LIMITS["id_chars"], optional: bool = False):
    if value is None and optional:
        return None
    if not isinstance(value, str) or not value or len(value) > limit or not value.isprintable():
        raise RecordRefused("field", f"{field}: expected a short text")
    return value


def _number(value, field: str):
    """A finite float or None (inf/NaN are kept as None: JSON and the teacher's chart have no place for them)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise RecordRefused("field", f"{field}: expected a number")
    return float(value) if math.isfinite(value) else None


def _value(value, field: str) -> str:
    """A prediction or measurement (a choice id, a number, a bool or nothing) as JSON text."""
    if isinstance(value, float) and not math.isfinite(value):
        value = None
    if value is not None and not isinstance(value, (str, int, float, bool)):
        raise RecordRefused("field", f"{field}: expected a choice or a number")
    text = json.dumps(value)
    if len(text) > LIMITS["value_chars"]:
        raise RecordRefused("field", f"{field}: too long")
    return text


def clean_name(name) -> str | None:
    """A display name as stored: text, whitespace collapsed, at most LIMITS['name_chars'] characters; '' -> None."""
    if name is None:
        return None
    if not isinstance(name, str):
        raise RecordRefused("name", "the name must be text")
    name = " ".join("".join(c if c.isprintable() else " " for c in name).split())
    if len(name) > LIMITS["name_chars"]:
        raise RecordRefused("name", f"a name has at most {LIMITS['name_chars']} characters")
    return name or None


def config_fingerprint(config: dict) -> str:
    """SHA-256 of a run's config, keys sorted (computed here, so a post cannot make two configs look alike)."""
    return hashlib.sha256(json.dumps(config, sort_keys=True).encode()).hexdigest()


class ClassRecord:
    """The record of one class in one SQLite file. Thread-safe (one connection behind a lock)."""

    def __init__(self, path, catalogue: dict | None = None):
        self.path = Path(path)
        self.catalogue = catalogue or {}  # (lesson, exercise) -> {"kind", "question", "options"} for the snapshot
        self.lock = threading.Lock()
        self.db = self._open()

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA foreign_keys=ON")
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise RuntimeError(f"{self.path} is from a newer version of the app (schema {version})")
        db.executescript(SCHEMA)  # each CREATE … IF NOT EXISTS: a file of an earlier start is kept as it is
        db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        db.execute("INSERT OR IGNORE INTO meta VALUES ('class_started', ?)", (repr(time.time()),))
        return db

    @contextlib.contextmanager
    def _transaction(self):
        """One write transaction under the lock: committed when the block ends, rolled back if it raises
        (a refusal included), so a bound checked inside holds against a concurrent writer."""
        with self.lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")

    @staticmethod
    def _seen(db, seat_id: str) -> int:
        """Within a transaction: the seat's number, given on first sight; marks the seat seen now."""
        _text(seat_id, "seat")
        now = time.time()
        db.execute("INSERT INTO seats (seat, number, first_seen, last_seen) VALUES "
                   "(?, (SELECT COALESCE(MAX(number), 0) + 1 FROM seats), ?, ?) "
                   "ON CONFLICT(seat) DO UPDATE SET last_seen = excluded.last_seen", (seat_id, now, now))
        return db.execute("SELECT number FROM seats WHERE seat = ?", (seat_id,)).fetchone()[0]

    # -- seats -------------------------------------------------------------------------------------------
    def seat(self, seat_id: str) -> int:
        """The seat's number ("seat 7"), given on first sight; marks the seat seen now."""
        with self._transaction() as db:
            return self._seen(db, seat_id)

    def set_name(self, seat_id: str, name) -> str | None:
        name = clean_name(name)
        with self._transaction() as db:
            self._seen(db, seat_id)
            db.execute("UPDATE seats SET name = ? WHERE seat = ?", (name, seat_id))
        return name

    # -- what a learner's kernel posts -------------------------------------------------------------------
    def add_answer(self, seat_id: str, answer: dict) -> None:
        """An answered exercise (core.ExerciseRecord.to_dict()); the seat's latest answer to it wins."""
        if not isinstance(answer, dict):
            raise RecordRefused("field", "an answer is an object")
        row = (seat_id, _text(answer.get("lesson"), "lesson"), _text(answer.get("exercise"), "exercise"),
               _value(answer.get("prediction"), "prediction"), _value(answer.get("measured"), "measured"),
               answer.get("verdict"), _text(answer.get("config_fingerprint"), "config_fingerprint", optional=True),
               _number(answer.get("answered_at"), "answered_at") or time.time())
        if row[5] not in VERDICTS:
            raise RecordRefused("field", "verdict: expected right, wrong or skipped")
        with self._transaction() as db:
            self._seen(db, seat_id)
            held, again = db.execute("SELECT COUNT(*), SUM(lesson = ? AND exercise = ?) FROM answers WHERE seat = ?",
                                     (row[1], row[2], seat_id)).fetchone()
            if held >= LIMITS["answers"] and not again:
                raise RecordRefused("answers", f"this seat has {LIMITS['answers']} answers: no more are kept")
            db.execute("INSERT OR REPLACE INTO answers VALUES (?, ?, ?, ?, ?, ?, ?, ?)", row)

    def add_run(self, seat_id: str, run: dict) -> None:
        """A finished run's summary: lesson, config (a JSON object), seed, regime, final loss, accuracy,
        fingerprint, seconds."""
        if not isinstance(run, dict) or not isinstance(run.get("config"), dict):
            raise RecordRefused("field", "a run is an object with a config object")
        config = json.dumps(run["config"], sort_keys=True, allow_nan=False, default=str)
        if len(config) > LIMITS["config_bytes"]:
            raise RecordRefused("field", "config: too long")
        seed = run.get("seed")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or abs(seed) >= 2 ** 63):
            raise RecordRefused("field", "seed: expected a whole number")
        row = (seat_id, _text(run.get("lesson"), "lesson"), config, config_fingerprint(run["config"]), seed,
               _text(run.get("regime"), "regime", optional=True), _number(run.get("final_loss"), "final_loss"),
               _number(run.get("accuracy"), "accuracy"), _text(run.get("fingerprint"), "fingerprint", optional=True),
               _number(run.get("seconds"), "seconds"), time.time())
        with self._transaction() as db:
            self._seen(db, seat_id)
            if db.execute("SELECT COUNT(*) FROM runs WHERE seat = ?", (seat_id,)).fetchone()[0] >= LIMITS["runs"]:
                raise RecordRefused("runs", f"this seat has {LIMITS['runs']} runs: no more are kept")
            db.execute("INSERT INTO runs (seat, lesson, config, config_fingerprint, seed, regime, final_loss, "
                       "accuracy, fingerprint, seconds, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", row)

    # -- what the teacher reads --------------------------------------------------------------------------
    def snapshot(self, connected: set = frozenset(), lang: str = "en") -> dict:
        """The teacher page's state (schema 1 of docs/teacher contract); seat ids never leave the server."""
        with self.lock:
            return snapshot(self.db, set(connected), lang, self.catalogue)

    def csv(self) -> str:
        """Every answer and run as CSV, one row each (text cells guarded against spreadsheet formulas)."""
        with self.lock:
            return csv_text(self.db)

    def new_class(self) -> Path:
        """Archive this class's file as class-<UTC stamp>.sqlite next to it, and start an empty one."""
        with self.lock:
            self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self.db.close()
            stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
            archive = self.path.with_name(f"class-{stamp}.sqlite")
            n = 1
            while archive.exists():
                n += 1
                archive = self.path.with_name(f"class-{stamp}-{n}.sqlite")
            self.path.rename(archive)
            for side in ("-wal", "-shm"):
                Path(f"{self.path}{side}").unlink(missing_ok=True)
            self.db = self._open()
        return archive

    def close(self) -> None:
        with self.lock:
            self.db.close()
