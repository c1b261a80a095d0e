"""Panel 4 — training: the classic loop, live; Play / Stop / Step / Reset, a decision boundary, k-fold."""
from __future__ import annotations

import time

import ipywidgets as W

from core import cross_validate, decision_grid, fold_summary, input_points, Run, RunConfig, TOY_SETS

from ..shell.panel import Panel
from ..shell.runner import Events
from ..shell.settings import RunSettings, control
from .controls import TrainControls, check_kfold
from .figures import TrainFigures
from .info import fold_progress, folds_line, run_line

BOUNDARY_INTERVAL = 0.5  # seconds between boundary redraws during a run: a grid forward pass each time
GRID = 50


class TrainPanel(Panel):
    """Training panel; attributes controls, play, stop_button, step_button, reset_button, figs, info, current."""

    name = "train"
    schema = (RunSettings(lambda p: p.controls.config(), lambda p, cfg: p.controls.set_config(cfg),
                          base=lambda p: p.controls.base),
              control("k", "controls.kfold", lambda p, k: check_kfold(k)))

    def __init__(self, ctx):
        super().__init__(ctx)
        self.controls = TrainControls(self, RunConfig())
        self.play = self.button("train.play", "tp-run", "primary", "play")
        self.stop_button = self.button("panel.stop", "tp-stop", "warning", "stop")
        self.stop_button.disabled = True
        self.step_button = self.button("train.step", "tp-train-step", icon="step-forward")
        self.reset_button = self.button("train.reset", "tp-train-reset", icon="undo")
        self.figs = TrainFigures(self.i18n)
        self.info = W.HTML()
        self.info.add_class("tp-train-info")
        self.current = None  # the Run being trained; it stays open while paused
        self.fold_histories, self._folds_k = None, 0  # the last k-fold result and its k
        self.threaded = None  # None: a thread inside a kernel, the caller's thread headless; tests may force True
        self._seconds, self._lap, self._boundary_at = 0.0, None, 0.0  # training time excludes pauses
        self.on_click(self.play, lambda: self.play_run(None))
        self.on_click(self.step_button, lambda: self.play_run(1))
        self.on_click(self.stop_button, self.stop)
        self.on_click(self.reset_button, self.reset)
        self.controls.dataset.observe(self.guard(lambda _: self._show_figures()), "value")
        self.controls.kfold.observe(self.guard(lambda _: self._show_figures()), "value")
        self._show_figures()
        self.i18n.call(lambda _: self._render_info())
        self.sections(
            ("setup", [self.label(W.HTML(), "train.help", "value"), self.controls.widget]),
            ("run", [W.HBox([self.play, self.stop_button, self.step_button, self.reset_button]), self.info,
                     self.figs.widget, self.share_box()]),
        )

    # -- one run: Play, Stop (pause), Step, Reset ----------------------------------------
    def play_run(self, limit):
        """Continue the current run (or start one from the controls) for `limit` steps, or to the end."""
        if self.controls.kfolds() >= 2 and limit is None:
            return self.play_folds()
        cfg = None
        if self.current is None or self.current.done:
            cfg = self.controls.config()  # checked here, before anything starts
            self.reset(quiet=True)

        def work(emit, stop):
            if self.current is None:  # built in the background: MNIST may download first
                self.current = Run(cfg)
                self._show_figures()
            run, self._lap = self.current, time.perf_counter()
            run.callbacks = (Events(emit),)
            # The job's stop event pauses: the loop leaves and the Run stays open for the next Play.
            # (Run's own stop would end the run, so none is given to it.)
            try:
                run.drive(limit, pause=stop)
            except BaseException:  # drive closed the failed run: the next Play starts afresh, not from its wreck
                self.current = None
                raise
            finally:
                self._seconds, self._lap = self._elapsed(), None
            return run

        def done(run):
            self._draw_boundary(force=True)
            self._render_info()
            h = run.history
            if not run.done:
                self.status.show("train.stepped" if limit else "train.paused", "ok", step=h.steps)
            elif h.diverged_at is not None:
                self.status.show("train.diverged", "ok", step=h.diverged_at)
            else:
                self.status.show("train.finished", "ok", acc=h.test_acc)

        self.start(work, self._flush, done, self._run_buttons, self.stop_button, threaded=self.threaded)

    @property
    def _run_buttons(self):
        return [self.play, self.step_button, self.reset_button]

    def _flush(self, records):
        self.figs.add(records)
        self._draw_boundary()
        self._render_info()

    def reset(self, quiet=False):
        """Forget the run and the k-fold result and clear the figures."""
        if self.current is not None:
            self.current.close()
        self.current, self.fold_histories, self._seconds = None, None, 0.0
        self.figs.clear()
        self.figs.draw_folds([])
        self._show_figures()
        self._render_info()
        if not quiet:
            self.status.show("train.cleared", "ok")

    # -- k-fold cross-validation ---------------------------------------------------------
    def play_folds(self):
        """k-fold cross-validation of the controls' config; one bar per fold, filled as folds finish."""
        cfg, k = self.controls.config(), self.controls.kfolds()
        self.reset(quiet=True)
        live = [None] * k

        def work(emit, stop):
            started = time.perf_counter()
            try:
                return cross_validate(cfg, k, [Events(emit)], stop)
            finally:
                self._seconds = time.perf_counter() - started

        def flush(records):
            self.figs.add(records)
            for kind, record in records:
                if kind == "epoch":
                    live[record["fold"]] = record["val_acc"]
            self.figs.draw_folds(live)
            self.info.value = fold_progress(self.t, self.figs.fold, k, len(self.figs.series["step"]))

        def done(histories):
            self.fold_histories, self._folds_k = histories, k
            accs, _, _ = fold_summary(histories)
            self.figs.draw_folds(accs + [None] * (k - len(accs)))
            self._render_info()
            self.status.show("train.kfold_done", "ok", n=sum(a is not None for a in accs), k=k)

        self.start(work, flush, done, self._run_buttons, self.stop_button, threaded=self.threaded)

    # -- drawing -------------------------------------------------------------------------
    def _boundary_data(self):
        """The current run's data when it has a decision boundary to draw (2-D inputs, two classes)."""
        data = self.current.data if self.current is not None else None
        return data if data is not None and tuple(data.input_shape) == (2,) and data.n_classes == 2 else None

    def _show_figures(self):
        kfold = self.controls.kfolds() >= 2
        if self.current is not None:
            boundary = self._boundary_data() is not None
        else:
            boundary = self.controls.dataset.value in TOY_SETS
        self.figs.show(boundary=boundary and not kfold, folds=kfold)

    def _draw_boundary(self, force=False):
        data, now = self._boundary_data(), time.perf_counter()
        if data is None or (not force and now - self._boundary_at < BOUNDARY_INTERVAL):
            return
        self._boundary_at = now
        xs, ys, probs = decision_grid(self.current.model, data, GRID)
        self.figs.draw_boundary(xs, ys, probs, *input_points(data))

    def _elapsed(self) -> float:
        return self._seconds + (time.perf_counter() - self._lap if self._lap is not None else 0.0)

    def _render_info(self):
        if self.fold_histories is not None:
            self.info.value = folds_line(self.t, self.fold_histories, self._folds_k, self._seconds)
        else:
            self.info.value = run_line(self.t, self.current, self._elapsed())
