"""Run blocking core work off the UI: a thread, a stop event, and throttled (~10 Hz) figure updates."""
from __future__ import annotations

import threading
import time
import traceback

from core import MAX_RUNS_AT_ONCE, ConfigError

# One kernel's threads of work at once, over all its panels: pressing Run everywhere cannot start more.
RUN_SLOTS = threading.BoundedSemaphore(MAX_RUNS_AT_ONCE)
UPDATE_INTERVAL = 0.08  # seconds between figure updates: a little above 10 Hz, smooth and cheap to send
# An update also waits until the run itself has worked half an interval (CPU time of its thread), so a run that
# shares the cores with a class (thirty kernels on two cores get a fifteenth each) sends the frames it would send
# alone — the same steps in each — instead of one every 80 ms of waiting, each costing it and the server CPU
# that the runs lack. Past MAX_UPDATE_GAP an update goes anyway (a run waiting on a GPU uses little CPU).
WORK_SHARE = 0.5  # of an interval: what the run must have worked (CPU) before its next update
MAX_UPDATE_GAP = 1.0


def in_kernel() -> bool:
    """True inside a Jupyter/Voila kernel, where long work must not block the message loop."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


class BackgroundRun:
    """Calls work(on_record, stop) in a thread; `flush(records)` gets new records every ~100 ms.

    Outside a kernel (headless tests) it runs in the caller's thread unless threaded=True, so a
    test's click() returns with the result drawn.
    """

    wall_clock, work_clock = staticmethod(time.perf_counter), staticmethod(time.thread_time)  # tests fake them

    def __init__(self, work, flush, done, fail, threaded=None, interval=UPDATE_INTERVAL):
        self.work, self.flush, self.done, self.fail = work, flush, done, fail
        self.threaded = in_kernel() if threaded is None else threaded
        self.interval = interval
        self.stop_event = threading.Event()
        self._pending, self._lock = [], threading.Lock()
        self._last_flush = self._last_work = None  # wall and CPU clock at the last update; None: none yet
        self.thread = None
        self.reported = False  # done or fail has been called: the buttons are back, the thread is ending
        self.updates = 0  # flushes sent, for the benchmark's update rate

    def start(self):
        """Begin the work (returns at once when threaded); ConfigError when the kernel runs its most already."""
        if self.threaded:
            if not RUN_SLOTS.acquire(blocking=False):
                raise ConfigError("too_many_runs", limit=MAX_RUNS_AT_ONCE)
            self.thread = threading.Thread(target=self._in_a_slot, daemon=True, name="training-playground-run")
            self.thread.start()
        else:
            self._body()
        return self

    def stop(self):
        """Ask the work to end after its current step."""
        self.stop_event.set()

    @property
    def running(self) -> bool:
        """True until the work's outcome is reported (the thread may then take a moment to end)."""
        return self.thread is not None and self.thread.is_alive() and not self.reported

    def join(self, timeout=None):
        if self.thread is not None:
            self.thread.join(timeout)

    def _record(self, record):
        with self._lock:
            self._pending.append(record)
        if self._update_due():
            self._flush()

    def _update_due(self) -> bool:
        """True for the first record, then once `interval` has passed and the run has worked WORK_SHARE of it
        (or MAX_UPDATE_GAP has passed); notes the clocks when it says so."""
        now, work = self.wall_clock(), self.work_clock()
        if self._last_flush is not None:
            waited, worked = now - self._last_flush, work - self._last_work
            if waited < self.interval or (worked < WORK_SHARE * self.interval and waited < MAX_UPDATE_GAP):
                return False
        self._last_flush, self._last_work = now, work
        return True

    def _flush(self):
        with self._lock:
            records, self._pending = self._pending, []
        if records:
            self.flush(records)
            self.updates += 1

    def _in_a_slot(self):
        try:
            self._body()
        finally:
            RUN_SLOTS.release()

    def _body(self):
        try:
            result = self.work(self._record, self.stop_event)
            self._flush()
            self.reported = True
            self.done(result)
        except Exception as exc:  # reported on the status line by the panel's fail handler
            self._flush_quietly()
            traceback.clear_frames(exc.__traceback__)  # let go of the failed work's tensors before saying so
            self.reported = True
            self.fail(exc)

    def _flush_quietly(self):
        try:
            self._flush()
        except Exception:
            pass


class Events:
    """A core callback that forwards step and epoch records as ("step"|"epoch", record) pairs."""

    def __init__(self, emit):
        self.emit = emit

    def on_step(self, record):
        self.emit(("step", record))

    def on_epoch(self, record):
        self.emit(("epoch", record))
