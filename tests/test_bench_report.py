"""docs/performance.md's figures come from bench/latest.json with the machine, date, load and command of each."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import report  # noqa: E402
from measures import MEASURES, verdict  # noqa: E402

LATEST = {
    "machine": "Test CPU, 2 cores, 2 torch threads", "torch": "2.13.0", "date": "2026-12-06",
    "overhead_ratio": 1.05, "update_hz_200": 7.5, "kernel_rss_mb": 301.0,
    "measured": {"overhead": {"date": "2026-12-06 17:00", "command": ".venv/bin/python bench/run.py overhead",
                              "load_average": [0.4, 1.2]}},
}


def test_each_figure_is_written_with_its_goal_and_how_it_was_measured():
    text = report.render(LATEST)
    row = next(line for line in text.splitlines() if line.startswith("| `overhead_ratio`"))
    assert "1.05" in row and "≤ 1.1 met" in row
    assert "2026-12-06 17:00, load 0.4–1.2, `.venv/bin/python bench/run.py overhead`" in row
    hz = next(line for line in text.splitlines() if line.startswith("| `update_hz_200`"))
    assert "≥ 10 NOT met" in hz and "7.5 Hz" in hz
    assert "Test CPU, 2 cores" in text
    assert "`sweep_ratio`" not in text  # not measured: no row, never a stale or invented figure


def test_verdicts_follow_each_goals_direction():
    for key, (_part, _what, goal, _unit) in MEASURES.items():
        if goal is None:
            assert verdict(key, 1.0) == ""
            continue
        op, bound = goal
        better, worse = (bound * 0.5, bound * 2) if op == "<=" else (bound * 2, bound * 0.5)
        assert verdict(key, better).endswith(" met") and verdict(key, worse).endswith("NOT met")


def test_the_report_replaces_only_what_stands_between_the_markers(tmp_path, monkeypatch):
    doc = tmp_path / "performance.md"
    doc.write_text(f"intro\n{report.BEGIN}\nold figures\n{report.END}\nhistory\n")
    monkeypatch.setattr(report, "DOC", doc)
    monkeypatch.setattr(report, "ROOT", tmp_path)
    (tmp_path / "bench").mkdir()
    (tmp_path / "bench" / "latest.json").write_text(__import__("json").dumps(LATEST))
    report.main()
    text = doc.read_text()
    assert text.startswith("intro\n") and text.endswith("\nhistory\n") and "old figures" not in text
    assert "`overhead_ratio`" in text
