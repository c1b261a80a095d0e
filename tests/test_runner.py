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


def batches(wall_per_record: float, work_per_record: float, records: int = 41) -> list:
    """How many records each update of a run carries, on clocks that advance by these seconds a record."""
    clock = {"wall": 100.0, "work": 5.0}
    sizes = []

    def work(emit, stop):
        for step in range(records):
            clock["wall"] += wall_per_record
            clock["work"] += work_per_record
            emit(("step", {"step": step}))

    job = BackgroundRun(work, lambda records: sizes.append(len(records)), lambda result: None,
                        lambda exc: sizes.append(exc), threaded=False)
    job.wall_clock, job.work_clock = lambda: clock["wall"], lambda: clock["work"]
    job.start()
    return sizes


def test_a_run_sharing_the_cores_with_a_class_updates_per_its_own_work_not_per_80_ms_of_waiting():
    # alone: a step takes 11 ms of wall and CPU time, so an update (≥ 80 ms apart) carries 8 steps
    assert batches(0.011, 0.011) == [1, 8, 8, 8, 8, 8]
    # one of thirty kernels on two cores: the same step takes 15 times as long to come; an update each 80 ms of
    # waiting would carry every single step (41 messages); it waits for 40 ms of the run's own work instead
    assert batches(0.165, 0.011) == [1] + [4] * 10
    # a run that waits on a GPU and uses little CPU still updates at least once a second
    assert batches(0.3, 0.0) == [1] + [4] * 10
