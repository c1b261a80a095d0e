"""The pinned run-time set is stated once (requirements.txt); Binder's environment.yml must agree."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNTIME = {"torch", "numpy", "ipywidgets", "plotly", "anywidget", "voila", "ipykernel"}


def _pins(lines):
    pins = {}
    for line in lines:
        m = re.match(r"^\s*(?:-\s*)?([A-Za-z0-9_.-]+)==([^\s#]+)", line)
        if m:
            pins[m.group(1).lower()] = m.group(2)
    return pins


def test_requirements_pin_exactly_the_runtime_set():
    pins = _pins((ROOT / "requirements.txt").read_text().splitlines())
    assert set(pins) == RUNTIME
    assert pins["torch"] == "2.13.0"
    assert int(pins["ipywidgets"].split(".")[0]) == 8
    assert 6 <= int(pins["plotly"].split(".")[0]) < 8
    major, minor, patch = (int(x) for x in pins["voila"].split("."))
    assert (0, 5, 6) <= (major, minor, patch) < (0, 6, 0)  # GHSA-2q59-h24c-w6fg fixed in 0.5.6


def test_environment_yml_lists_the_same_pins():
    lines = (ROOT / "environment.yml").read_text().splitlines()
    pip_section = lines[next(i for i, l in enumerate(lines) if l.strip() == "- pip:") + 1:]
    assert _pins(pip_section) == _pins((ROOT / "requirements.txt").read_text().splitlines())


def test_no_heavy_or_test_packages_at_run_time():
    text = (ROOT / "requirements.txt").read_text().lower() + (ROOT / "environment.yml").read_text().lower()
    for banned in ("scikit-learn", "sklearn", "pandas", "pytest", "playwright", "nbclient"):
        assert banned not in text
    test_pins = _pins((ROOT / "requirements-test.txt").read_text().splitlines())
    assert {"pytest", "nbclient", "playwright"} <= set(test_pins) and not set(test_pins) & RUNTIME


def test_core_imports_no_ui_package():
    pattern = re.compile(r"^\s*(import|from)\s+(ipywidgets|plotly|IPython|anywidget|voila|traitlets|widgets)\b", re.M)
    files = sorted((ROOT / "core").rglob("*.py"))
    assert len(files) > 30  # the walk reaches every subpackage (engine, data, lessons/*)
    offenders = [str(p.relative_to(ROOT)) for p in files if pattern.search(p.read_text())]
    assert offenders == []


def test_widgets_import_only_cores_public_face():
    deep = re.compile(r"^\s*(from\s+core\.\w|import\s+core\b)", re.M)
    files = sorted((ROOT / "widgets").rglob("*.py"))
    assert len(files) > 30
    offenders = [str(p.relative_to(ROOT)) for p in files if deep.search(p.read_text())]
    assert offenders == []
