"""What a learner's kernel must not load: torch.compile's machinery (torch._dynamo, torch._inductor, sympy),
about 1 s and 70 MB per kernel with torch 2.13, pulled in by torch.optim, by empty_like on meta tensors
and by torch.use_deterministic_algorithms. The app never compiles, so none of it may be imported."""
import subprocess
import sys
from pathlib import Path

import torch

from core.engine.seeding import deterministic_mode, seed_everything

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("torch._dynamo", "torch._inductor", "sympy")


def test_runs_surfaces_and_deterministic_mode_leave_torch_compile_unloaded():
    code = ("import sys\n"
            "from core import RunConfig, train, seed_everything\n"
            "from core.lessons.lr.surface import descend, linear_data\n"
            "for opt in ('sgd', 'momentum', 'adam'):\n"
            "    train(RunConfig(epochs=1, hidden=(8,), optimizer=opt, deterministic=True))\n"
            "train(RunConfig(epochs=1, hidden=(8,), schedule='one_cycle'))\n"
            "for opt in ('sgd', 'momentum', 'adam'):\n"
            "    descend(*linear_data(), lr=0.1, optimizer=opt)\n"
            "from core import lr_find\n"
            "lr_find(RunConfig(hidden=(8,), optimizer='adam'), steps=20)\n"
            "seed_everything(0, deterministic=True)\n"
            f"print(sorted(m for m in sys.modules if m.startswith({HEAVY!r}))[:3])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]", out.stdout


def test_deterministic_mode_sets_and_restores_the_flag_torch_reads(global_state_restored):
    before = torch.are_deterministic_algorithms_enabled()
    with deterministic_mode(True):
        assert torch.are_deterministic_algorithms_enabled()
    assert torch.are_deterministic_algorithms_enabled() == before
    seed_everything(0, deterministic=True)
    assert torch.are_deterministic_algorithms_enabled()
