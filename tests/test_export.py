"""The exported script is plain PyTorch: run in a fresh process, it prints the run's fingerprint."""
import ast
import subprocess
import sys
from pathlib import Path

import pytest

from core import ConfigError, RunConfig, train
from core.export import export_script

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = [
    RunConfig(epochs=1),
    RunConfig(dataset="spiral", hidden=(8, 8), init="kaiming_normal", optimizer="adam", lr=0.01, epochs=2, seed=3),
    RunConfig(model="cnn", hidden=(8,), init="lsuv", activation="tanh", epochs=1, optimizer="momentum"),
    RunConfig(init="sparse", activation="leaky_relu", epochs=1, deterministic=True, val_fraction=0.0),
    RunConfig(lr=1e5, epochs=1, init="xavier_uniform", activation="selu"),  # diverges: still reproduced
]


@pytest.mark.parametrize("cfg", CONFIGS, ids=lambda c: f"{c.dataset}-{c.model}-{c.init}")
def test_exported_script_reproduces_the_fingerprint_in_a_fresh_process(cfg, tmp_path):
    expected = train(cfg).fingerprint
    script = tmp_path / "reproduce.py"
    script.write_text(export_script(cfg, expected))
    # run from another folder with a bare environment: nothing of the app is importable there
    out = subprocess.run([sys.executable, "-I", str(script)], cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == expected


def test_exported_script_imports_only_torch_numpy_and_the_standard_library():
    tree = ast.parse(export_script(CONFIGS[1]))
    modules = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
               for alias in node.names}
    modules |= {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert modules <= {"torch", "numpy", "gzip", "hashlib", "math", "os", "collections"}
    assert "core" not in modules and "widgets" not in modules


@pytest.mark.parametrize("cfg", [RunConfig(seed=None), RunConfig(unseeded=("order",))])
def test_unseeded_runs_cannot_be_exported(cfg):
    with pytest.raises(ConfigError, match="seed"):
        export_script(cfg)
