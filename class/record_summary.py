"""What the teacher reads from the class record: the snapshot JSON of /teacher/api/state (schema 1) and the CSV.

Both read an open sqlite3 connection of class/record.py (which holds its lock around the call). Seat ids never
appear in either: the teacher sees seat numbers and names.
"""
from __future__ import annotations

import csv
import io
import json
import time
from collections import Counter, defaultdict

SNAPSHOT_SCHEMA = 1
REPRO_ROWS = 20  # the reproducibility table's largest groups (a projector shows no more)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet reads as a formula (OWASP's CSV injection)
SUMMARY_KEYS = ("dataset", "model", "hidden", "activation", "init", "optimizer", "lr", "batch_size", "epochs", "seed")


def _counts(values) -> list:
    """[{"value": v, "count": n}], most frequent first (None left out: a skipped prediction is counted elsewhere)."""
    counted = Counter(json.dumps(v) for v in values if v is not None)
    return [{"value": json.loads(v), "count": n} for v, n in sorted(counted.items(), key=lambda kv: (-kv[1], kv[0]))]


def _kind(values) -> str:
    numbers = [v for v in values if v is not None]
    return "number" if numbers and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in numbers) \
        else "choice"


def summary_of(config: dict) -> str:
    """A run's config in a line a teacher reads: "mlp, relu, sgd, lr=0.1, seed=42, …"."""
    parts = []
    for key in SUMMARY_KEYS:
        if key in config and config[key] is not None:
            value = config[key]
            parts.append(f"{key}={value}" if key in ("lr", "batch_size", "epochs", "seed", "hidden") else str(value))
    return ", ".join(parts) or json.dumps(config, sort_keys=True)[:120]


def _exercises(db, catalogue: dict, lang: str) -> tuple[list, dict]:
    rows = defaultdict(list)
    for lesson, exercise, prediction, measured, verdict in db.execute(
            "SELECT lesson, exercise, prediction, measured, verdict FROM answers"):
        rows[(lesson, exercise)].append((json.loads(prediction), json.loads(measured), verdict))
    keys = [*catalogue, *sorted(k for k in rows if k not in catalogue)]
    exercises, texts = [], {}
    for lesson, exercise in keys:
        answers = rows.get((lesson, exercise), [])
        known = catalogue.get((lesson, exercise), {})
        exercises.append({
            "lesson": lesson, "exercise": exercise,
            "kind": known.get("kind") or _kind([m for _, m, _ in answers]),
            "answered": sum(v != "skipped" for *_, v in answers), "skipped": sum(v == "skipped" for *_, v in answers),
            "right": sum(v == "right" for *_, v in answers),
            "predictions": _counts(p for p, _, _ in answers), "measured": _counts(m for _, m, _ in answers)})
        if known:
            texts[f"{lesson}:{exercise}"] = {
                "question": known["question"].get(lang) or known["question"].get("en", ""),
                "options": {str(o["value"]): o.get(lang) or o.get("en", str(o["value"])) for o in known["options"]}}
    return exercises, texts


def _lr_runs(db, names: dict) -> list:
    """Every seat's latest run per learning rate in the learning-rate lesson."""
    latest = {}
    for seat, config, final_loss, regime in db.execute(
            "SELECT seat, config, final_loss, regime FROM runs WHERE lesson = 'lr' ORDER BY id"):
        lr = json.loads(config).get("lr")
        if isinstance(lr, (int, float)) and not isinstance(lr, bool):
            latest[(seat, lr)] = {"number": names[seat][0], "name": names[seat][1], "lr": lr,
                                  "final_loss": final_loss, "regime": regime}
    return sorted(latest.values(), key=lambda r: (r["number"], r["lr"]))


def _reproducibility(db) -> list:
    """Seeded runs grouped by lesson and config (the seed is in it): who ran it, and how many fingerprints came out."""
    groups = defaultdict(list)
    configs = {}
    for lesson, fp, config, seed, seat, fingerprint in db.execute(
            "SELECT lesson, config_fingerprint, config, seed, seat, fingerprint FROM runs WHERE seed IS NOT NULL"):
        groups[(lesson, fp, seed)].append((seat, fingerprint))
        configs[(lesson, fp, seed)] = config
    table = []
    for (lesson, fp, seed), runs in groups.items():
        prints = Counter(f for _, f in runs if f)
        common = prints.most_common(1)[0][0] if prints else None
        table.append({"lesson": lesson, "config": fp[:12], "summary": summary_of(json.loads(configs[(lesson, fp, seed)])),
                      "seed": seed, "learners": len({s for s, _ in runs}), "runs": len(runs), "fingerprints": len(prints),
                      "identical": len({s for s, f in runs if common is not None and f == common})})
    table.sort(key=lambda r: (-r["learners"], -r["runs"], r["lesson"], r["config"]))
    return table[:REPRO_ROWS]


def snapshot(db, connected: set, lang: str, catalogue: dict) -> dict:
    seats = db.execute("SELECT seat, number, name, last_seen FROM seats ORDER BY number").fetchall()
    names = {seat: (number, name) for seat, number, name, _ in seats}
    answers = dict(db.execute("SELECT seat, COUNT(*) FROM answers GROUP BY seat").fetchall())
    runs = dict(db.execute("SELECT seat, COUNT(*) FROM runs GROUP BY seat").fetchall())
    started = float(db.execute("SELECT value FROM meta WHERE key = 'class_started'").fetchone()[0])
    exercises, texts = _exercises(db, catalogue, lang)
    return {
        "schema": SNAPSHOT_SCHEMA, "updated": time.time(), "class_started": started,
        "seats": {"connected": sum(seat in connected for seat, *_ in seats), "total": len(seats)},
        "learners": [{"number": number, "name": name, "connected": seat in connected, "answers": answers.get(seat, 0),
                      "runs": runs.get(seat, 0), "last_seen": last_seen} for seat, number, name, last_seen in seats],
        "exercises": exercises, "texts": texts, "lr_runs": _lr_runs(db, names), "reproducibility": _reproducibility(db),
    }


def guard_cell(value):
    """A cell a spreadsheet shows as text: a string starting like a formula gets a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return "" if value is None else value


def _plain(json_text):
    value = json.loads(json_text) if json_text is not None else None
    return guard_cell(value) if not isinstance(value, bool) else str(value).lower()


CSV_COLUMNS = ("record", "seat", "name", "lesson", "exercise", "prediction", "measured", "verdict",
               "config_fingerprint", "config", "seed", "regime", "final_loss", "accuracy", "fingerprint", "seconds",
               "at_utc")


def _utc(epoch) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def csv_text(db) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in db.execute(
            "SELECT s.number, s.name, a.lesson, a.exercise, a.prediction, a.measured, a.verdict, a.config_fingerprint,"
            " a.answered_at FROM answers a JOIN seats s USING (seat) ORDER BY s.number, a.answered_at"):
        number, name, lesson, exercise, prediction, measured, verdict, cfp, at = row
        writer.writerow(["answer", number, guard_cell(name), guard_cell(lesson), guard_cell(exercise), _plain(prediction),
                         _plain(measured), verdict, guard_cell(cfp), "", "", "", "", "", "", "", _utc(at)])
    for row in db.execute(
            "SELECT s.number, s.name, r.lesson, r.config_fingerprint, r.config, r.seed, r.regime, r.final_loss,"
            " r.accuracy, r.fingerprint, r.seconds, r.at FROM runs r JOIN seats s USING (seat) ORDER BY s.number, r.id"):
        number, name, lesson, cfp, config, seed, regime, loss, accuracy, fingerprint, seconds, at = row
        writer.writerow(["run", number, guard_cell(name), guard_cell(lesson), "", "", "", "", guard_cell(cfp),
                         guard_cell(config), guard_cell(seed), guard_cell(regime), guard_cell(loss),
                         guard_cell(accuracy), guard_cell(fingerprint), guard_cell(seconds), _utc(at)])
    return out.getvalue()


def load_catalogue(folder) -> dict:
    """exercises/*.json read with json alone: (lesson, id) -> kind, question and options, in the files' order."""
    from pathlib import Path
    catalogue = {}
    for path in sorted(Path(folder).glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            for e in data["exercises"]:
                catalogue[(data["lesson"], e["id"])] = {"kind": e["kind"], "question": e["question"],
                                                        "options": e.get("options") or e.get("points") or []}
        except (OSError, ValueError, KeyError, TypeError):
            continue  # a malformed file is the app's to report (core.load_exercises); the teacher sees no texts
    return catalogue
