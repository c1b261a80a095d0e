"""Issue 23.4: a handler checks what it is sent against core's limits, not against the control's own min/max
(a page can raise those in a widget update), obeys Stop, and one kernel runs a bounded number of runs at once.
Each probe is the review's: a crafted comm update through the widget's own set_state, then a click."""
from __future__ import annotations

import threading

import pytest

from core import MAX_ENSEMBLE_SEEDS, MATMUL_DEPTH, MAX_RUNS_AT_ONCE, MAX_SPREAD_SEEDS, ConfigError, catalogue
from widgets.shell import runner
from widgets.shell.app import App


def crafted(slider, value):
    """What a page can send: the slider's bounds raised, then the value."""
    slider.set_state({"max": value, "value": value})
    assert slider.value == value


@pytest.mark.parametrize("lesson, section, control, button, low, high, result", [
    ("init", "matmul", "depth", "run", 1, MATMUL_DEPTH, "result"),
    ("seeds", "lab", "n_seeds", "band_button", 2, MAX_ENSEMBLE_SEEDS, "ensembles"),
    ("seeds", "sources", "n_seeds", "button", 2, MAX_SPREAD_SEEDS, "rows"),
], ids=["deep-matmul depth", "seed-band size", "spread seeds"])
def test_a_crafted_value_beyond_cores_limit_is_refused(lesson, section, control, button, low, high, result):
    """The page raised the control's own max and sent a value past core's limit: refused, nothing computed."""
    app = App(f"lesson={lesson}")
    part = getattr(getattr(app, lesson), section)
    crafted(getattr(part, control), high + 1)
    getattr(part, button).click()
    assert app.status.kind == "error" and f"{low} to {high}" in app.status.text
    assert getattr(part, result) is None and not getattr(part, button).disabled


class _AlreadySet(threading.Event):
    """A stop event pressed before the work begins: work that obeys Stop ends at once."""

    def __init__(self):
        super().__init__()
        self.set()


@pytest.mark.parametrize("press", ["band", "matmul", "knobs", "interference"])
def test_the_seed_band_deep_matmul_knob_matrix_and_interference_obey_stop(press, monkeypatch):
    monkeypatch.setattr(runner.threading, "Event", _AlreadySet)
    app = App("lesson=init,seeds")
    if press in ("knobs", "interference"):  # nothing to show but the word: a cut-short repeat would read "not identical"
        getattr(app.seeds.lab, f"{'knobs' if press == 'knobs' else 'inter'}_button").click()
        assert app.status.text == catalogue("en")["panel.stopped"]
        assert app.seeds.lab.rows is None and app.seeds.lab.interference is None
    elif press == "band":
        app.seeds.lab.n_seeds.value = 2
        app.seeds.lab.band_button.click()
        runs = [h for ensemble in app.seeds.lab.ensembles for h in ensemble.runs]
        assert runs and all(h.stopped for h in runs)
    else:
        app.init.matmul.run.click()
        assert app.init.matmul.result.stds == []  # stopped before its first layer


def test_a_kernel_runs_at_most_its_limit_at_once_and_says_so():
    release = threading.Event()
    held = [runner.BackgroundRun(lambda emit, stop: release.wait(), lambda r: None, lambda r: None,
                                 lambda e: None, threaded=True).start() for _ in range(MAX_RUNS_AT_ONCE)]
    try:
        app = App("lesson=train")
        train = app.train
        train.threaded = True
        train.play.click()
        assert app.status.kind == "error" and f"{MAX_RUNS_AT_ONCE} runs" in app.status.text
        assert not train.play.disabled and train.stop_button.disabled  # the page is usable again
        with pytest.raises(ConfigError):
            runner.BackgroundRun(lambda e, s: None, lambda r: None, lambda r: None, lambda e: None,
                                 threaded=True).start()
    finally:
        release.set()
        for job in held:
            job.join()
    job = runner.BackgroundRun(lambda emit, stop: 7, lambda r: None, lambda r: None, lambda e: None,
                               threaded=True).start()
    job.join()  # a slot freed by an ended run is taken again
