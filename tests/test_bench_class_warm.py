"""bench/class_load.py's warm and cold classes: the options parsed, the figures written to bench/latest.json under
the names bench/measures.py gives them, each with when, how and the machine's load, and shown by bench/report.py."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import class_load  # noqa: E402
import report  # noqa: E402
from measures import MEASURES  # noqa: E402


def figures(warm: bool, page_p95: float) -> dict:
    q = lambda p50, p95: {"p50": p50, "p95": p95, "max": p95}  # noqa: E731
    return {"learners": 30, "warm": warm, "pool": 30 if warm else 0, "seats_ready_s": 84.0 if warm else None,
            "all_pages_ready_s": page_p95, "page_ready_s": q(page_p95 / 2, page_p95),
            "first_lesson_ready_s": q(page_p95 / 4, page_p95 / 3),
            "click_to_first_update_s": q(0.2, 0.4), "click_to_finished_s": q(4.0, 7.5),
            "alone_click_to_first_update_s": 0.05, "alone_click_to_finished_s": 0.7,
            "plot_updates_per_run": q(20, 25), "kernel_cpu_per_click_s": q(0.25, 0.3), "server_cpu_s": 6.0,
            "kernel_rss_mb": q(300, 310), "server_rss_mb": 350.0,
            "class_pss_mb": 6000.0, "load_average": 3.5, "load_average_before": 1.5, "finished_same_as_alone": 30,
            "lost": 0, "alone_fingerprints": [], "errors": [], "date": "2026-12-06 19:30",
            "command": ".venv/bin/python bench/class_load.py --learners 30" + ("" if warm else " --cold")}


def test_the_options_default_to_a_warm_class_of_thirty():
    args = class_load.parse_args([])
    assert args.learners == [30] and args.cold is False
    args = class_load.parse_args(["--learners", "6", "30", "--cold"])
    assert args.learners == [6, 30] and args.cold is True
    with pytest.raises(SystemExit):
        class_load.parse_args(["--learners", "0"])


def test_warm_and_cold_are_written_under_their_names_with_how_they_were_measured(tmp_path, monkeypatch):
    latest = tmp_path / "latest.json"
    before = {key: value for key, value in figures(True, 20.0).items()  # an entry from before the warm pool
              if key not in ("warm", "seats_ready_s", "class_pss_mb", "load_average_before", "first_lesson_ready_s")}
    before.update(learners=10, pool=4)
    latest.write_text(json.dumps({"machine": "Test CPU, 2 cores", "torch": "2.13.0", "overhead_ratio": 1.05,
                                  "class": {"10": before}}))
    monkeypatch.setattr(class_load, "LATEST", latest)
    monkeypatch.setattr(class_load, "measure", lambda n, cold: {**figures(not cold, 60.0 if cold else 12.0),
                                                                 "learners": n})
    class_load.main(["--learners", "30"])
    class_load.main(["--learners", "30", "--cold"])
    result = json.loads(latest.read_text())
    assert result["overhead_ratio"] == 1.05 and result["class"]["10"] == before  # the rest is kept
    assert set(result["class"]) == {"10", "30", "30-cold"}
    assert result["class_30_warm_page_ready_p95_s"] == 12.0 and result["class_30_warm_page_ready_p50_s"] == 6.0
    assert result["class_30_cold_page_ready_p95_s"] == 60.0 and result["class_30_cold_page_ready_p50_s"] == 30.0
    assert result["class_30_warm_first_lesson_p95_s"] == 4.0 and result["class_30_cold_first_lesson_p95_s"] == 20.0
    assert result["class_30_warm_seats_ready_s"] == 84.0 and result["class_30_total_mb"] == 6000.0
    assert result["class_30_first_update_p95_s"] == 0.4 and result["class_30_finished_p95_s"] == 7.5
    assert result["class_30_kernel_cpu_per_click_s"] == 0.25 and result["class_30_server_cpu_per_click_s"] == 0.2
    assert result["measured"]["class_30_warm"]["load_average"] == [1.5, 3.5]
    assert result["measured"]["class_30_cold"]["command"].endswith("--cold")
    named = {key for key in result if key.startswith("class_30_")}
    assert named == {key for key in MEASURES if key.startswith("class_30_")}  # every goal has its figure

    text = report.render(result)
    row = lambda key: next(line for line in text.splitlines() if line.startswith(f"| `{key}`"))  # noqa: E731
    assert "≤ 10 NOT met" in row("class_30_warm_page_ready_p95_s") and "12 s" in row("class_30_warm_page_ready_p95_s")
    assert "≤ 45 NOT met" in row("class_30_cold_page_ready_p95_s")
    assert "≤ 0.5 met" in row("class_30_first_update_p95_s") and "≤ 6 NOT met" in row("class_30_finished_p95_s")
    assert "≤ 5120 NOT met" in row("class_30_total_mb") and "| 6000 MB |" in row("class_30_total_mb")
    assert "load 1.5–3.5, `.venv/bin/python bench/class_load.py --learners 30 --cold`" in row(
        "class_30_cold_page_ready_p95_s")
    assert "10 learners, pool 4 (p50" in text  # the earlier entry still reads
    assert "**30 learners**" in text and "**30 learners, cold**" in text and "said its seats were ready in 84 s" in text and "cold: no pool" in text
