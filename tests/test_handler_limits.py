"""Issue 23.4: a handler checks what it is sent against core's limits, not against the control's own min/max
(a page can raise those in a widget update), obeys Stop, and one kernel runs a bounded number of runs at once.
Each probe is the review's: a crafted comm update through the widget's own set_state, then a click."""
from __future__ import annotations

import threading

import pytest

from core import MAX_ENSEMBLE_SEEDS, MATMUL_DEPTH, MAX_RUNS_AT_ONCE, MAX_SPREAD_SEEDS, ConfigError
from widgets.shell import runner
from widgets.shell.app import App


def crafted(slider, value):
    """What a page can send: the slider's bounds raised, then the value."""
    slider.set_state({"max": value, "value": value})
    assert slider.value == value


def test_deep_matmul_depth_beyond_cores_limit_is_refused():
    app = App("lesson=init")
    section = app.init.matmul
    crafted(section.depth, MATMUL_DEPTH + 1)
    section.run.click()
    assert app.status.kind == "error" and f"1 to {MATMUL_DEPTH}" in app.status.text
    assert section.result is None and not section.run.disabled


def test_seed_band_size_beyond_cores_limit_is_refused():
    app = App("lesson=seeds")
    lab = app.seeds.lab
    crafted(lab.n_seeds, MAX_ENSEMBLE_SEEDS + 1)
    lab.band_button.click()
    assert app.status.kind == "error" and f"2 to {MAX_ENSEMBLE_SEEDS}" in app.status.text
    assert lab.ensembles is None


def test_spread_sources_beyond_cores_limit_are_refused():
    app = App("lesson=seeds")
    spread = app.seeds.sources
    crafted(spread.n_seeds, MAX_SPREAD_SEEDS + 1)
    spread.button.click()
    assert app.status.kind == "error" and f"2 to {MAX_SPREAD_SEEDS}" in app.status.text
    assert spread.rows is None


class _AlreadySet(threading.Event):
    """A stop event pressed before the work begins: work that obeys Stop ends at once."""

    def __init__(self):
        super().__init__()
        self.set()


@pytest.mark.parametrize("press", ["band", "matmul"])
def test_the_seed_band_and_deep_matmul_obey_stop(press, monkeypatch):
    monkeypatch.setattr(runner.threading, "Event", _AlreadySet)
    app = App("lesson=init,seeds")
    if press == "band":
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
