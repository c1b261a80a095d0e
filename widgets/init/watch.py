"""The 'train and watch' part of the init panel: per-layer statistics over steps, and the histogram image."""
from __future__ import annotations

import ipywidgets as W
import plotly.graph_objects as go
from plotly.colors import qualitative

from core import hist_image, HIST_RANGE

from ..shell.figures import LOG_TICKS, figure, show_hint, widget_of
from .bars import layer_label
from .matmul import finite_or_none
from ..shell import palette

METRICS = ("act_std", "act_mean", "grad_std")
MAX_LINES = 13  # the depth slider's 12 hidden layers and the output layer


class WatchSection:
    """Figures time_fig (one line per layer) and heat_fig (histograms over steps); store `series` like History.layer_stats."""

    def __init__(self, panel):
        self.panel = panel
        self.metric = panel.label(W.Dropdown(layout=W.Layout(width="18em")), "init.watch.metric")
        self.layer = panel.label(W.Dropdown(options=[], layout=W.Layout(width="12em")), "init.watch.layer")
        colours = qualitative.Plotly + qualitative.D3
        self.time_fig = figure([go.Scatter(x=[], y=[], mode="lines", line=dict(color=colours[i % len(colours)]),
                                           visible=False) for i in range(MAX_LINES)],
                               yaxis=dict(type="log", exponentformat="power"))
        self.heat_fig = figure([go.Heatmap(x=[], y=[], z=[[]], colorscale="Viridis",
                                           colorbar=dict(title="log(1+n)"))], height=360)
        self.loss_fig = figure([go.Scatter(x=[], y=[], mode="lines", line=dict(color=palette.BLUE))], showlegend=False,
                               yaxis=dict(type="log", exponentformat="power"))
        self.series, self.hist_range, self.losses = {}, HIST_RANGE, []
        self._syncing = False  # True while the code itself sets a dropdown: no redraw per change
        redraw = panel.guard(lambda _: None if self._syncing else self.draw())
        self.metric.observe(redraw, "value")
        self.layer.observe(redraw, "value")
        panel.i18n.call(self._relabel)
        self.widget = W.VBox([W.HBox([self.metric, self.layer]),
                              W.HBox([widget_of(self.loss_fig), widget_of(self.time_fig)]), widget_of(self.heat_fig)])

    def reset(self):
        """Forget the last run's statistics and clear both figures."""
        self.series, self.hist_range, self.losses = {}, HIST_RANGE, []
        self.draw()

    def add(self, records):
        """Append the sampled statistics of streamed ("step", record) pairs, then redraw."""
        for kind, record in records:
            if kind == "step":
                self.losses.append(record["loss"])
            for name, values in ((record.get("stats") or {}).items() if kind == "step" else ()):
                row = self.series.setdefault(name, {"step": [], **{k: [] for k in values}})
                row["step"].append(record["step"])
                for key, value in values.items():
                    row[key].append(value)
        self.draw()

    def show_history(self, history):
        """Draw a finished run from its History (the complete record, whatever the stream delivered)."""
        self.series, self.hist_range = history.layer_stats, tuple(history.hist_range)
        self.losses = list(history.train_loss)
        self.draw()

    def draw(self):
        names = list(self.series)
        options = [(layer_label(self.panel.t, n), n) for n in names]
        if list(self.layer.options) != options:
            keep = self.layer.value if self.layer.value in names else (names[0] if names else None)
            self._set(self.layer, options, keep)
        metric = self.metric.value or "act_std"
        with self.time_fig.batch_update():
            for i, trace in enumerate(self.time_fig.data):
                row = self.series.get(names[i]) if i < len(names) else None
                trace.visible = row is not None
                trace.name = layer_label(self.panel.t, names[i]) if row is not None else None
                trace.x = row["step"] if row is not None else []
                trace.y = finite_or_none(row[metric]) if row is not None else []
            log = metric != "act_mean" and self.panel.log.value
            self.time_fig.layout.yaxis.update(type="log" if log else "linear", nticks=LOG_TICKS if log else None)
        with self.loss_fig.batch_update():
            self.loss_fig.data[0].x, self.loss_fig.data[0].y = list(range(len(self.losses))), finite_or_none(self.losses)
        row = self.series.get(self.layer.value)
        centres, z = hist_image(row["hist"], self.hist_range) if row else ([], [[]])
        with self.heat_fig.batch_update():
            trace = self.heat_fig.data[0]
            trace.x, trace.y, trace.z = (row["step"] if row else []), centres, z
        self._retitle()

    def _relabel(self, i18n):
        self._set(self.metric, [(i18n.t(f"init.watch.{m}"), m) for m in METRICS], self.metric.value or "act_std")
        self.draw()  # layer names in the new language

    def _set(self, dropdown, options, value):
        """Replace a dropdown's options and keep (or choose) its value without triggering redraws."""
        self._syncing = True
        try:
            dropdown.options = options
            dropdown.value = value
        finally:
            self._syncing = False

    def _retitle(self):
        t = self.panel.t
        hint = None if self.losses else t("init.watch.hint", button=t("init.train"))
        with self.loss_fig.batch_update():
            self.loss_fig.layout.title = t("init.watch.loss_title")
            self.loss_fig.layout.xaxis.title = t("init.watch.step")
            self.loss_fig.layout.yaxis.title = t("init.watch.loss")
        for fig in (self.loss_fig, self.time_fig, self.heat_fig):
            show_hint(fig, hint)
        with self.time_fig.batch_update():
            self.time_fig.layout.title = t("init.watch.title", metric=t(f"init.watch.{self.metric.value or 'act_std'}"))
            self.time_fig.layout.xaxis.title = t("init.watch.step")
            self.time_fig.layout.yaxis.title = t(f"init.watch.{self.metric.value or 'act_std'}")
        with self.heat_fig.batch_update():
            layer = layer_label(t, self.layer.value) if self.layer.value else "—"
            self.heat_fig.layout.title = t("init.watch.heat_title", layer=layer)
            self.heat_fig.layout.xaxis.title = t("init.watch.step")
            self.heat_fig.layout.yaxis.title = t("init.watch.value")
