"""An exported script reproduces a run with mistakes, batch norm, dropout and init rules: each mistake stands on
its own line, marked with a comment, and the script prints the app's fingerprint."""
import ast
import sys

import pytest

from core import LOOP_MISTAKES, RunConfig, train
from core.lessons.seeds.export import export_script
from test_export import imported_modules, run_alone

CONFIGS = [
    RunConfig(hidden=(16,), epochs=2, batch_size=64, dropout=0.3, norm="batch",
              mistakes=("no_zero_grad", "no_eval_mode", "softmax_then_ce", "eval_with_grad")),
    RunConfig(model="cnn", hidden=(8,), epochs=1, batch_size=64, lr=0.002, dropout=0.2, norm="batch", seed=4,
              mistakes=("no_shuffle", "leaky_normalisation", "sum_reduction"),
              init_rules={"Conv2d": {"weight": ("normal", {"mean": 0.1}), "bias": ("constant", {"val": 0.3})},
                          "BatchNorm2d": {"weight": ("uniform", {"a": 0.5, "b": 1.5})}}),
    RunConfig(dataset="moons", hidden=(8,), epochs=2, dropout=0.5, mistakes=("no_eval_mode",)),
]


@pytest.mark.parametrize("cfg", CONFIGS, ids=lambda c: "+".join(c.mistakes))
def test_the_exported_script_reproduces_a_run_with_mistakes(cfg, tmp_path):
    expected = train(cfg).fingerprint
    out = run_alone(export_script(cfg, expected), tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == expected


def test_each_mistake_is_written_on_a_line_marked_with_a_comment():
    marked = set()
    for cfg in CONFIGS:
        script = export_script(cfg)
        for key in cfg.mistakes:
            lines = [line for line in script.splitlines() if f"MISTAKE {key}:" in line]
            assert lines, key
            marked.add(key)
        assert "MISTAKE" not in export_script(cfg.replace(mistakes=()))
    assert marked == set(LOOP_MISTAKES)
    zero_grad = next(line for line in export_script(CONFIGS[0]).splitlines() if "MISTAKE no_zero_grad" in line)
    assert zero_grad.strip().startswith("# optimizer.zero_grad(")


@pytest.mark.parametrize("cfg", CONFIGS, ids=lambda c: "+".join(c.mistakes))
def test_a_loop_lab_script_imports_only_torch_numpy_and_the_standard_library(cfg):
    assert imported_modules(ast.parse(export_script(cfg))) - set(sys.stdlib_module_names) == {"torch", "numpy"}
