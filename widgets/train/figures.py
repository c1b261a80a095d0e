"""Training panel figures: loss, validation accuracy, the decision boundary and the k-fold bars."""
from __future__ import annotations

import math

import ipywidgets as W
import plotly.graph_objects as go

from ..shell.figures import figure, hint_until_drawn, show_hint, widget_of
from ..shell import palette

TICK_STEPS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)

CLASS_COLOURS = [[0, palette.CLASS_0], [1, palette.CLASS_1]]  # class 0 blue, class 1 red, as in the heatmap


def epoch_axis(last: int) -> dict:
    """x-axis for points at epochs 1…last: whole-number ticks, about ten at most, nothing below 1."""
    step = next((s for s in TICK_STEPS if last / s <= 10), TICK_STEPS[-1])
    return dict(range=[0.5, max(last, 1) + 0.5], dtick=step, tick0=1 if step == 1 else 0)


def _finite(value):
    """Plotly cannot draw inf/NaN: a diverged loss becomes a gap."""
    return value if value is not None and math.isfinite(value) else None


class TrainFigures:
    """Creates the figures once (traces given up front) and updates them in place."""

    def __init__(self, i18n):
        self.i18n = i18n
        self.loss = figure([go.Scatter(x=[], y=[], mode="lines"),
                            go.Scatter(x=[], y=[], mode="lines+markers")], yaxis=dict(type="log"))
        self.acc = figure([go.Scatter(x=[], y=[], mode="lines+markers")], yaxis=dict(range=[0, 1.02]),
                          showlegend=True)
        self.boundary = figure([
            go.Heatmap(x=[], y=[], z=[], zmin=0, zmax=1, colorscale="RdBu", reversescale=True, opacity=0.75),
            go.Scatter(x=[], y=[], mode="markers", marker=dict(size=5, color=[], colorscale=CLASS_COLOURS, cmin=0,
                                                               cmax=1, line=dict(width=0.5, color=palette.WHITE)))],
            width=400)
        self.folds = figure([go.Bar(x=[], y=[], text=[], textposition="outside")], yaxis=dict(range=[0, 1.1]))
        # A FigureWidget's .layout is plotly's, so each figure that can hide sits in a Box we can hide.
        self.boundary_box = W.Box([widget_of(self.boundary)])
        self.folds_box = W.Box([widget_of(self.folds)])
        # one row that wraps: on a wide screen the boundary stands beside the curves, in view while they grow
        for child, basis in ((widget_of(self.loss), "420px"), (widget_of(self.acc), "420px"), (self.boundary_box, "400px")):
            child.layout.flex = f"1 1 {basis}"
        widget_of(self.loss).add_class("tp-train-loss")
        self.boundary_box.add_class("tp-train-boundary")
        self.widget = W.VBox([W.Box([widget_of(self.loss), widget_of(self.acc), self.boundary_box],
                                    layout=W.Layout(flex_flow="row wrap", align_items="flex-start")), self.folds_box])
        self.clear()
        i18n.call(self._retitle)

    def clear(self):
        """Empty every series (a new run, a new fold, or Reset)."""
        self.series = {"step": [], "loss": [], "val_step": [], "val_loss": [], "epoch": [], "val_acc": []}
        self.fold = None
        with self.loss.batch_update():
            for trace in self.loss.data:
                trace.x, trace.y = [], []
        with self.acc.batch_update():
            self.acc.data[0].x, self.acc.data[0].y = [], []
        with self.boundary.batch_update():
            self.boundary.data[0].x, self.boundary.data[0].y, self.boundary.data[0].z = [], [], []
            self.boundary.data[1].x, self.boundary.data[1].y, self.boundary.data[1].marker.color = [], [], []
        self._axis_and_hint()

    def add(self, records):
        """Append ("step"|"epoch", record) pairs; a record from a new k-fold fold starts the curves afresh."""
        fresh = {"loss": ([], []), "val_loss": ([], []), "val_acc": ([], [])}
        for kind, record in records:
            if record.get("fold", self.fold) != self.fold:
                self.clear()
                self.fold = record["fold"]
                fresh = {key: ([], []) for key in fresh}
            s = self.series
            if kind == "step":
                s["step"].append(record["step"])
                s["loss"].append(_finite(record["loss"]))
                fresh["loss"][0].append(record["step"])
                fresh["loss"][1].append(s["loss"][-1])
            elif kind == "epoch":
                s["val_step"].append(record["step"])
                s["val_loss"].append(_finite(record["val_loss"]))
                s["epoch"].append(record["epoch"])
                s["val_acc"].append(record["val_acc"])
                fresh["val_loss"][0].append(record["step"])
                fresh["val_loss"][1].append(s["val_loss"][-1])
                fresh["val_acc"][0].append(record["epoch"])
                fresh["val_acc"][1].append(record["val_acc"])
        with self.loss.batch_update():  # only the new points travel: a long run costs no more per update
            self.loss.extend(0, *fresh["loss"])
            self.loss.extend(1, *fresh["val_loss"])
        with self.acc.batch_update():
            self.acc.extend(0, *fresh["val_acc"])
        self._axis_and_hint()

    def _axis_and_hint(self):
        """Epoch ticks that fit the run so far; a hint instead of empty axes before the first step."""
        s = self.series
        self.acc.layout.xaxis.update(epoch_axis(max(s["epoch"], default=1)))
        hint = None if s["step"] else self.i18n.t("train.hint", button=self.i18n.t("train.play"))
        for fig in (self.loss, self.acc):
            show_hint(fig, hint)
        press = self.i18n.t("chart.hint", button=self.i18n.t("train.play"))
        for fig in (self.boundary, self.folds):
            hint_until_drawn(fig, press)

    def draw_boundary(self, xs, ys, probs, points, labels):
        """The probability grid (z[i][j] at xs[j], ys[i]) under the training points."""
        with self.boundary.batch_update():
            self.boundary.data[0].x, self.boundary.data[0].y, self.boundary.data[0].z = xs, ys, probs
            self.boundary.data[1].x, self.boundary.data[1].y = points[:, 0], points[:, 1]
            self.boundary.data[1].marker.color = labels
        self._axis_and_hint()

    def draw_folds(self, accs):
        """One bar per fold; a fold without an accuracy (stopped, diverged, not run yet) has no bar."""
        with self.folds.batch_update():
            bar = self.folds.data[0]
            bar.x = [str(i + 1) for i in range(len(accs))]
            bar.y = [a if a is not None else 0 for a in accs]
            bar.text = [f"{a:.3f}" if a is not None else "–" for a in accs]
        self._axis_and_hint()

    def show(self, boundary=None, folds=None):
        """Show or hide the boundary and fold figures (None leaves one as it is)."""
        for box, flag in ((self.boundary_box, boundary), (self.folds_box, folds)):
            if flag is not None:
                box.layout.display = None if flag else "none"

    def _retitle(self, i18n):
        t = i18n.t
        with self.loss.batch_update():
            self.loss.layout.title = t("train.loss_title")
            self.loss.layout.xaxis.title = t("train.axis.step")
            self.loss.layout.yaxis.title = t("train.axis.loss")
            self.loss.data[0].name, self.loss.data[1].name = t("train.trace.train"), t("train.trace.val")
        with self.acc.batch_update():
            self.acc.layout.title = t("train.acc_title")
            self.acc.layout.xaxis.title = t("train.axis.epoch")
            self.acc.layout.yaxis.title = t("train.axis.acc")
            self.acc.data[0].name = t("train.trace.acc")
        with self.boundary.batch_update():
            self.boundary.layout.title = t("train.boundary_title")
            self.boundary.data[0].name, self.boundary.data[1].name = t("train.trace.prob"), t("train.trace.points")
        with self.folds.batch_update():
            self.folds.layout.title = t("train.folds_title")
            self.folds.layout.xaxis.title = t("train.axis.fold")
            self.folds.layout.yaxis.title = t("train.axis.acc")
        self._axis_and_hint()  # the hint in the new language
