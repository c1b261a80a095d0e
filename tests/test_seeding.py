import os
import random

import numpy as np
import torch

from core import audit, seed_everything, seeded


def test_same_seed_gives_the_course_numbers():
    with seeded(0):  # restore afterwards so other tests keep their global state
        random.seed(1024)
        first = [random.random(), random.random()]
        random.seed(1024)
        again = [random.random(), random.random()]
    assert again == first == [0.7970515714521261, 0.4834988702079559]


def test_seed_everything_seeds_python_numpy_and_torch_and_reports_it():
    with seeded(0):  # restore afterwards so other tests keep their global state
        report = seed_everything(7)
        a = (random.random(), np.random.rand(), torch.rand(1).item())
        seed_everything(7)
        b = (random.random(), np.random.rand(), torch.rand(1).item())
    assert a == b
    assert {"random", "numpy", "torch"} <= set(report.seeded)
    assert any("PYTHONHASHSEED" in note for note in report.notes)


def test_seed_everything_deterministic_sets_flags(global_state_restored):
    report = seed_everything(1, deterministic=True)
    assert report.flags == {"cudnn.deterministic": True, "cudnn.benchmark": False,
                            "deterministic_algorithms": True}
    assert os.environ["CUBLAS_WORKSPACE_CONFIG"] == ":4096:8"


def test_seeded_restores_every_generator_state():
    before = (random.getstate(), np.random.get_state()[1].copy(), torch.get_rng_state())
    with seeded(123):
        inside = torch.rand(3)
        random.random()
        np.random.rand()
    assert random.getstate() == before[0]
    assert np.array_equal(np.random.get_state()[1], before[1])
    assert torch.equal(torch.get_rng_state(), before[2])
    with seeded(123):
        assert torch.equal(torch.rand(3), inside)


def test_audit_flags_cudnn_benchmark_only_when_on():
    saved = torch.backends.cudnn.benchmark
    try:
        torch.backends.cudnn.benchmark = True
        assert "cudnn.benchmark" in {f.name for f in audit()}
        torch.backends.cudnn.benchmark = False
        assert "cudnn.benchmark" not in {f.name for f in audit()}
    finally:
        torch.backends.cudnn.benchmark = saved
    assert all(f.fix and f.message for f in audit())


def test_deterministic_algorithms_alone_leave_cudnn_benchmark_on_and_the_help_says_the_apps_switch_does_it(
        global_state_restored):
    import json
    from pathlib import Path

    from core.engine.seeding import deterministic_mode
    torch.backends.cudnn.benchmark = True
    torch.use_deterministic_algorithms(True)  # torch itself: benchmark is a separate flag
    assert torch.backends.cudnn.benchmark is True
    torch.use_deterministic_algorithms(False)
    with deterministic_mode(True):  # the app's switch
        assert torch.backends.cudnn.benchmark is False
    root = Path(__file__).resolve().parent.parent
    for lang in ("en", "zh"):
        text = json.loads((root / "locales" / f"{lang}.json").read_text())["seeds.benchmark_help"]
        assert "use_deterministic_algorithms(True)" in text, lang  # names what alone does not switch it off
