"""The background runner: a failed run reports once its work has let go, and is over for the panel at once."""
import gc
import weakref

from widgets.shell.runner import BackgroundRun


class Tensors:
    """Stands in for what a failed run was holding (a half-built model)."""


def test_a_failed_run_has_let_go_of_its_work_and_is_not_running_when_it_reports():
    held, seen = [], []

    def work(emit, stop):
        model = Tensors()
        held.append(weakref.ref(model))
        raise MemoryError("the allocation failed")

    def fail(exc):
        gc.collect()
        seen.append((type(exc).__name__, held[0]() is None, job.running))

    job = BackgroundRun(work, lambda records: None, lambda result: None, fail, threaded=True)
    job.start().join(10)
    assert seen == [("MemoryError", True, False)]


def test_a_finished_run_is_not_running_while_its_result_is_drawn():
    seen = []
    job = BackgroundRun(lambda emit, stop: 42, lambda records: None, lambda result: seen.append((result, job.running)),
                        lambda exc: seen.append(exc), threaded=True)
    job.start().join(10)
    assert seen == [(42, False)]
