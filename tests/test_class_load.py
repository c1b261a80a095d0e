"""bench/class_load.py's simulated learner speaks Voila's real protocol: against a real class server it loads
the page, clicks the learning-rate panel's Run over the comm, and reads the four runs' fingerprints."""
from __future__ import annotations

import asyncio

import pytest
import torch

from bench.class_load import a_class
from classroom import class_server
from widgets.shell.app import App

pytestmark = pytest.mark.server


def fingerprints_alone() -> list:
    """The four presets' fingerprints from the same panel in this process, with the class kernel's one thread."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # class/serve.py's default --threads
    try:
        panel = App().panel("lr")
        panel.run.click()  # headless: runs inline
        return [h.fingerprint[:12] for _slot, h in sorted(panel.results.items())]
    finally:
        torch.set_num_threads(threads)


def test_a_simulated_learner_runs_the_presets_as_one_learner_alone(tmp_path):
    with class_server(tmp_path, size=1, pool=1, name="class-load-test") as server:
        (learner,), (error,), _ready, measured = asyncio.run(a_class(server, 1, run_timeout=120))
    assert error is None
    assert [fingerprint for *_, fingerprint in learner.rows] == fingerprints_alone()
    assert learner.updates > 0 and learner.clicked < learner.first_update < learner.finished
    # the kernel dated its first update after the click, by the same wall clock (one machine)
    assert learner.clicked_wall < learner.first_update_dated < learner.clicked_wall + (learner.finished - learner.clicked)
    assert measured["kernel_rss_mb"][0] > 100  # the learner's own kernel, found by its id
    # the click's CPU time: the kernel trained four runs (more than a clock tick), the server relayed them
    assert len(measured["kernel_cpu_s"]) == 1 and measured["kernel_cpu_s"][0] > 0.02 and measured["server_cpu_s"] > 0
