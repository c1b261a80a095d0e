import random

import numpy as np
import torch

from core import RunConfig
from core.lessons.seeds.repro import audit_under, run_twice, seed_report
from core.engine.seeding import cudnn_flags

SMALL = RunConfig(epochs=1, batch_size=64)


def test_seeded_runs_are_identical():
    first, second, comparison = run_twice(SMALL.replace(seed=3))
    assert comparison.identical and comparison.first_diff_step is None and comparison.max_abs_diff == 0.0
    assert first.fingerprint == second.fingerprint and first.train_loss == second.train_loss


def test_each_unseeded_part_makes_the_first_step_differ():
    for part in ("init", "order", "split"):
        first, second, comparison = run_twice(SMALL.replace(seed=3, unseeded=(part,)))
        assert not comparison.identical, part
        assert comparison.first_diff_step == 0, part
        assert comparison.max_abs_diff > 0, part


def test_no_seed_differs():
    assert not run_twice(SMALL.replace(seed=None))[2].identical


def test_records_are_tagged_with_the_run():
    runs = []
    run_twice(SMALL.replace(seed=1), callbacks=[lambda r: runs.append(r["run"])])
    assert runs[:4] == [0, 1, 0, 1] and runs.count(0) == runs.count(1)


def test_benchmark_is_scoped_and_audited():
    saved = torch.backends.cudnn.benchmark
    with cudnn_flags(benchmark=not saved):
        assert torch.backends.cudnn.benchmark is (not saved)
    assert torch.backends.cudnn.benchmark is saved
    assert "cudnn.benchmark" in {f.name for f in audit_under(benchmark=True)}
    # Deterministic mode switches benchmark off during a run, so nothing is left to flag.
    assert "cudnn.benchmark" not in {f.name for f in audit_under(deterministic=True, benchmark=True)}
    assert torch.backends.cudnn.benchmark is saved


def test_deterministic_audit_restores_the_flag():
    saved = torch.are_deterministic_algorithms_enabled()
    assert "deterministic_algorithms" not in {f.name for f in audit_under(deterministic=True)}
    assert torch.are_deterministic_algorithms_enabled() is saved


def test_seed_report_notes_pythonhashseed_and_restores_state():
    before = (random.getstate(), np.random.get_state()[1].copy(), torch.get_rng_state())
    report = seed_report(9)
    assert {"random", "numpy", "torch"} <= set(report.seeded)
    assert any("PYTHONHASHSEED" in note for note in report.notes)
    assert random.getstate() == before[0]
    assert np.array_equal(np.random.get_state()[1], before[1])
    assert torch.equal(torch.get_rng_state(), before[2])
