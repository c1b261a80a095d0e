"""Schedules (part of panel 1): pick a schedule, train, and watch the loss with the rate it used beneath it."""
from __future__ import annotations

import math

import ipywidgets as W
import plotly.graph_objects as go

from core import MAX_STEPS, SCHEDULES, classify_regime, planned_rates, train

from ..shell.figures import LOG_AXIS, figure, log_nticks_for, show_hint, widget_of
from ..shell.overlays import KEEP, Overlays, spare_traces
from ..shell.parse import parse_float
from ..shell.runner import Events
from ..shell import palette

WARMUP_STEPS = (0, MAX_STEPS)  # the box's range; core refuses a warm-up as long as the run itself


class ScheduleSection:
    """Controls, a two-row figure (loss over rate) and the run; uses the panel's Stop button."""

    def __init__(self, panel):
        self.panel, self.history = panel, None
        self.pick = W.Dropdown(options=[(s, s) for s in SCHEDULES], value="one_cycle")
        self.pick.add_class("tp-lr-schedule")
        self.peak = W.Text(value="0.1", layout=W.Layout(width="14em"), style={"description_width": "initial"})
        self.warmup = W.BoundedIntText(value=20, min=WARMUP_STEPS[0], max=WARMUP_STEPS[1],
                                       layout=W.Layout(width="14em"),
                                       style={"description_width": "initial"})
        for widget, key in ((self.pick, "lr.sched.pick"), (self.peak, "lr.sched.peak"),
                            (self.warmup, "lr.sched.warmup")):
            panel.label(widget, key)
        self.run = panel.button("lr.sched.train", "tp-lr-schedule-run")
        self.from_finder = panel.button("lr.sched.from_finder")
        self.note = W.HTML()
        loss = go.Scatter(x=[], y=[], mode="lines", yaxis="y", line=dict(color=palette.GREEN))
        self.fig = figure([loss, go.Scatter(x=[], y=[], mode="lines", yaxis="y2", line=dict(color=palette.PURPLE)),
                           *spare_traces(loss, 2 * KEEP)],
                          yaxis=dict(domain=[0.42, 1.0], **LOG_AXIS),
                          yaxis2=dict(domain=[0.0, 0.32], anchor="x", exponentformat="power", rangemode="tozero"),
                          xaxis=dict(anchor="y2"), height=470, legend=dict(orientation="h", y=-0.18))
        self.earlier = Overlays(panel, (self.fig, range(2, 2 + 2 * KEEP)))  # "compare schedules": the last stays
        panel.on_click(self.run, self.train)
        panel.on_click(self.from_finder, self.one_cycle_from_finder)
        panel.i18n.call(lambda _: self.retitle())
        self.box = W.VBox([W.HBox([self.pick, self.peak, self.warmup]),
                           W.HBox([self.run, self.from_finder, self.earlier.clear_button]),
                           widget_of(self.fig), self.note])

    def config(self):
        """The panel's model and data with this section's schedule, peak rate and warm-up (validated)."""
        warmup = self.warmup.value if self.pick.value == "warmup_cosine" else 0
        return self.panel.base.replace(schedule=self.pick.value, lr=parse_float(self.peak.value, "learning rate"),
                                       warmup_steps=warmup).validate()

    def train(self):
        """Draw the schedule's rates at once, then train; the loss grows above them live."""
        cfg = self.config()
        self.earlier.remember([0, 1])
        self.history = None
        with self.fig.batch_update():
            self.fig.data[0].x, self.fig.data[0].y = [], []
            rates = planned_rates(cfg)
            self.fig.data[1].x, self.fig.data[1].y = list(range(len(rates))), rates
        show_hint(self.fig, None)

        def work(emit, stop):
            return train(cfg, callbacks=[Events(emit)], stop=stop)

        def flush(records):
            steps = [r for kind, r in records if kind == "step"]
            self.fig.extend(0, [r["step"] for r in steps],
                            [r["loss"] if math.isfinite(r["loss"]) else None for r in steps])

        def done(history):
            self.history = history
            with self.fig.batch_update():
                self.fig.data[1].x, self.fig.data[1].y = list(range(len(history.lr))), history.lr
            self.fig.layout.yaxis.nticks = log_nticks_for([y for t in self.fig.data if t.visible is not False
                                                           and t.yaxis in (None, "y") for y in (t.y or ())])
            self.retitle()
            self.panel.status.show("panel.stopped" if history.stopped else "status.ready", "ok")

        self.panel.start(work, flush, done, [self.run, self.from_finder, self.panel.run], self.panel.stop_button)

    def one_cycle_from_finder(self):
        """One-cycle with the finder's suggestion as its peak (the finder runs first if it has not)."""
        if self.panel.finder_result is None:
            self.panel.find()
        self.pick.value = "one_cycle"
        self.peak.value = f"{self.panel.finder_result.suggestion:.3g}"
        self.train()

    def retitle(self):
        t = self.panel.t
        chosen = self.pick.value
        self.pick.options = [(t(f"lr.sched.{s}"), s) for s in SCHEDULES]  # new options reset the value: put it back
        self.pick.value = chosen
        with self.fig.batch_update():
            self.fig.layout.title = t("lr.sched.title")
            self.fig.layout.xaxis.title = t("lr.step")
            self.fig.layout.yaxis.title = t("lr.axis.loss")
            self.fig.layout.yaxis2.title = t("lr.sched.axis.rate")
            h = self.history
            run = t("lr.sched.run", schedule=t(f"lr.sched.{h.config.schedule}"), lr=h.config.lr) if h else ""
            self.fig.data[0].name = t("lr.sched.trace.loss", run=run)
            self.fig.data[1].name = t("lr.sched.trace.rate", run=run)
        show_hint(self.fig, None if self.history else t("lr.sched.hint", button=t("lr.sched.train")))
        h = self.history
        if h is None or not h.train_loss:
            self.note.value = ""
            return
        self.note.value = t("lr.sched.done", schedule=t(f"lr.sched.{h.config.schedule}"), loss=h.final_loss,
                            regime=t(f"lr.regime.{classify_regime(h)}"))
