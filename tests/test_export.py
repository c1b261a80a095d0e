"""The exported script is plain PyTorch: run alone in an empty folder, in a fresh isolated process, it prints
the run's fingerprint; and it runs the engine's own code (core/plain.py verbatim), not a twin of it."""
import ast
import csv
import inspect
import subprocess
import sys

import numpy as np
import pytest

from core import ConfigError, RunConfig, plain, train
from core.data import mnist
from core.data import toy as toy_data
from core.lessons.seeds.export import export_script
from test_mnist import _write_mnist

CONFIGS = [
    RunConfig(epochs=1),
    RunConfig(dataset="spiral", hidden=(8, 8), init="kaiming_normal", optimizer="adam", lr=0.01, epochs=2, seed=3),
    RunConfig(model="cnn", hidden=(8,), init="lsuv", activation="tanh", epochs=1, optimizer="momentum"),
    RunConfig(init="sparse", activation="leaky_relu", epochs=1, deterministic=True, val_fraction=0.0),
    RunConfig(lr=1e5, epochs=1, init="xavier_uniform", activation="selu"),  # diverges: still reproduced
]


def imported_modules(tree) -> set:
    """The top-level packages a parsed script imports."""
    modules = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
               for alias in node.names}
    return modules | {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}


def start_alone(script_text, folder, *args) -> subprocess.Popen:
    """Start a script with `python -I` in a new folder that holds nothing else."""
    folder.mkdir()
    (folder / "reproduce.py").write_text(script_text)
    return start_in(folder, *args)


def start_in(folder, *args) -> subprocess.Popen:
    """Start the folder's reproduce.py again, in a fresh isolated process."""
    return subprocess.Popen([sys.executable, "-I", "reproduce.py", *args], cwd=folder, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def finished(process: subprocess.Popen) -> subprocess.CompletedProcess:
    try:
        out, err = process.communicate(timeout=300)
    finally:
        process.kill()
        process.wait()
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def run_alone(script_text, tmp_path, *args):
    """Run a script with `python -I` in a folder that holds nothing else; return the CompletedProcess."""
    return finished(start_alone(script_text, tmp_path / "alone", *args))


def assert_reproduces(cfg, tmp_path, *args):
    expected = train(cfg).fingerprint
    out = run_alone(export_script(cfg, expected), tmp_path, *args)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == expected


@pytest.fixture(scope="module")
def started(tmp_path_factory):
    """Each of CONFIGS trained here, its exported script started alone as soon as its fingerprint is known:
    the scripts' fresh processes run side by side, and beside the training here, instead of in turn."""
    runs = []
    try:
        for cfg in CONFIGS:
            expected = train(cfg).fingerprint
            folder = tmp_path_factory.mktemp("export") / "alone"
            runs.append((expected, start_alone(export_script(cfg, expected), folder)))
        yield runs
    finally:
        for _expected, process in runs:
            process.kill()
            process.wait()


@pytest.mark.parametrize("cfg", CONFIGS, ids=lambda c: f"{c.dataset}-{c.model}-{c.init}")
def test_exported_script_reproduces_the_fingerprint_alone_in_an_empty_folder(cfg, started):
    expected, process = started[CONFIGS.index(cfg)]
    out = finished(process)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == expected


def test_a_run_on_an_uploaded_csv_is_reproduced_without_the_file(tmp_path):
    rng = np.random.default_rng(0)
    rows = "\n".join(f"{a:.3f},{b:.3f},{'yes' if a * b > 0 else 'no'}" for a, b in rng.normal(size=(90, 2)))
    upload = tmp_path / "uploads" / "points.csv"
    upload.parent.mkdir()
    upload.write_text("x1,x2,label\n" + rows + "\n")
    cfg = RunConfig(dataset=str(upload), hidden=(6,), epochs=2, seed=5)
    expected = train(cfg).fingerprint
    script = export_script(cfg, expected)
    upload.unlink()  # the learner's machine has only the script
    assert str(tmp_path) not in script  # no server path leaks into the download
    out = run_alone(script, tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == expected


def test_an_mnist_run_is_reproduced_from_the_files_named_on_the_command_line(tmp_path, monkeypatch):
    monkeypatch.setenv("TP_DATA_DIR", str(tmp_path / "cache"))
    _write_mnist(tmp_path / "cache" / "mnist")
    assert_reproduces(RunConfig(dataset="mnist", hidden=(8,), epochs=1, seed=2), tmp_path,
                      str(tmp_path / "cache" / "mnist"))


def test_an_mnist_script_without_its_files_says_what_it_needs(tmp_path):
    out = run_alone(export_script(RunConfig(dataset="mnist")), tmp_path)
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert "This run trains on MNIST" in out.stderr and mnist.FILES["train_images"] in out.stderr


def test_the_script_embeds_the_engines_own_source_verbatim():
    toy = export_script(CONFIGS[1])
    assert inspect.getsource(plain) in toy and inspect.getsource(toy_data) in toy
    digits = export_script(CONFIGS[0])
    assert inspect.getsource(plain) in digits and inspect.getsource(toy_data) not in digits


@pytest.mark.parametrize("cfg", CONFIGS, ids=lambda c: f"{c.dataset}-{c.model}-{c.init}")
def test_exported_script_imports_only_torch_numpy_and_the_standard_library_and_has_no_dead_branch(cfg):
    tree = ast.parse(export_script(cfg))
    assert imported_modules(tree) - set(sys.stdlib_module_names) == {"torch", "numpy"}
    constant_tests = [node for node in ast.walk(tree) if isinstance(node, (ast.If, ast.While))
                      and isinstance(node.test, ast.Constant)]
    assert constant_tests == []


@pytest.mark.parametrize("cfg", [RunConfig(seed=None), RunConfig(unseeded=("order",))])
def test_unseeded_runs_cannot_be_exported(cfg):
    with pytest.raises(ConfigError, match="seed"):
        export_script(cfg)


@pytest.mark.parametrize("cfg", [RunConfig(epochs=2, hidden=(16,), optimizer="momentum"),
                                 RunConfig(epochs=3, hidden=(16,), optimizer="adam", lr=0.01, seed=4),
                                 RunConfig(epochs=2, hidden=(16,), dropout=0.3, mistakes=("no_shuffle",))],
                         ids=["momentum", "adam", "dropout-and-a-mistake"])
def test_a_script_saved_after_an_epoch_and_resumed_in_a_fresh_process_prints_the_same_fingerprint(cfg, tmp_path):
    expected = train(cfg).fingerprint
    folder = tmp_path / "alone"
    running = start_alone(export_script(cfg, expected, save_epoch=1), folder)  # writes nothing: runs beside --save
    try:
        saved = finished(start_in(folder, "--save"))
        resumed = finished(start_in(folder, "--resume")) if saved.returncode == 0 else None
    finally:
        straight = finished(running)
    assert saved.returncode == 0, saved.stderr
    assert "saved checkpoint.pt after epoch 1" in saved.stdout and expected not in saved.stdout
    assert resumed.returncode == 0, resumed.stderr
    assert resumed.stdout.strip().splitlines()[-1] == expected
    assert straight.stdout.strip().splitlines()[-1] == expected


def test_a_save_epoch_must_leave_an_epoch_to_resume():
    for epoch in (0, 2, True):
        with pytest.raises(ConfigError):
            export_script(RunConfig(epochs=2), save_epoch=epoch)


HOSTILE = 'a"""; open("INJECTED", "w").write("code ran"); """b\\N{x}\n#'


def test_a_learners_names_never_become_code_in_the_script(tmp_path):
    """Issue 23.3: a file name, CSV headers and class labels that would close the docstring and run code
    (the review's probe) are exported, and the script, run isolated, creates nothing and prints the run's
    fingerprint. Every other named setting is refused before a script is written."""
    rng = np.random.default_rng(1)
    upload = tmp_path / "uploads" / 'a""";open("INJECTED","w").write("code ran");"""b.csv'
    upload.parent.mkdir()
    with open(upload, "w", newline="") as f:
        table = csv.writer(f)
        table.writerow([HOSTILE + "0", HOSTILE + "1", "label"])
        table.writerows([f"{a:.3f}", f"{b:.3f}", f"{HOSTILE}{int(a > 0)}"] for a, b in rng.normal(size=(60, 2)))
    cfg = RunConfig(dataset=str(upload), hidden=(5,), epochs=1, seed=4)
    expected = train(cfg).fingerprint
    script = export_script(cfg, expected)
    assert "INJECTED" not in script and "code ran" not in script
    out = run_alone(script, tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == expected
    assert sorted(p.name for p in (tmp_path / "alone").iterdir()) == ["reproduce.py"]
    for field in ("model", "activation", "init", "optimizer", "device", "norm"):
        with pytest.raises(ConfigError):
            export_script(cfg.replace(**{field: HOSTILE}))
    with pytest.raises(ValueError):
        export_script(cfg, expected=HOSTILE)
