"""Batch size × learning rate (part of panel 1): final validation loss as a heat map, diverged cells marked,
and the linear-scaling line (rate ∝ batch size) through the panel's own rate and batch size."""
from __future__ import annotations

import math

import ipywidgets as W
import numpy as np
import plotly.graph_objects as go

from core import ConfigError, batch_lr_grid

from ..shell.figures import figure, show_hint, widget_of
from ..shell.parse import parse_float, parse_int
from ..shell.runner import Events
from ..shell import palette


def parse_list(text, parse, what):
    """'16, 64' -> [16, 64] with each item parsed; an empty list is a ConfigError."""
    parts = [p for p in str(text).replace(";", ",").split(",") if p.strip()]
    if not parts:
        raise ConfigError("empty_list", what=what)
    return sorted(parse(p, what) for p in parts)


class BatchRateGrid:
    """Two list boxes, a button, the heat map; uses the panel's Stop button."""

    def __init__(self, panel):
        self.panel, self.grid = panel, None
        self.batches = W.Text(value="16, 64, 256", style={"description_width": "initial"})
        self.rates = W.Text(value="0.01, 0.1, 1, 10", style={"description_width": "initial"})
        self.batches.add_class("tp-lr-grid-batches")
        self.rates.add_class("tp-lr-grid-rates")
        panel.label(self.batches, "lr.grid.batches")
        panel.label(self.rates, "lr.grid.rates")
        self.run = panel.button("lr.grid.run", "tp-lr-grid-run")
        self.fig = figure([go.Heatmap(x=[], y=[], z=[], colorscale="Viridis", texttemplate="%{text}",
                                      hoverongaps=False),
                           go.Scatter(x=[], y=[], mode="markers", marker=dict(symbol="x", size=14, color=palette.RED)),
                           go.Scatter(x=[], y=[], mode="lines+markers", line=dict(color=palette.WHITE, dash="dash"))],
                          # a grey legend: the scaling line is white, to stand out on the colour map
                          showlegend=True, legend=dict(orientation="h", y=-0.22, bgcolor=palette.NEUTRAL), height=380)
        panel.on_click(self.run, self.start)
        panel.i18n.call(lambda _: self.retitle())
        self.box = W.VBox([W.HBox([self.batches, self.rates, self.run]), widget_of(self.fig)])

    def start(self):
        """Train every cell (round-robin) and draw the map when all are done."""
        sizes = parse_list(self.batches.value, parse_int, "batch size")
        lrs = parse_list(self.rates.value, parse_float, "learning rate")
        base = self.panel.base

        def work(emit, stop):
            return batch_lr_grid(base, sizes, lrs, callbacks=[Events(emit)], stop=stop)

        def done(grid):
            self.grid = grid
            self.draw()
            stopped = any(r == "stopped" for row in grid.regimes for r in row)
            self.panel.status.show("panel.stopped" if stopped else "status.ready", "ok")

        self.panel.start(work, lambda records: None, done, [self.run, self.panel.run], self.panel.stop_button)

    def draw(self):
        g, t = self.grid, self.panel.t
        cols, rows = range(len(g.lrs)), range(len(g.batch_sizes))
        z = [[v if math.isfinite(v) else None for v in row] for row in g.val_loss]
        text = [[f"{v:.3g}" if v is not None else "" for v in row] for row in z]
        crossed = [(j, i) for i in rows for j in cols if g.regimes[i][j] == "diverged"]
        # The scaling line in the map's index coordinates: rates sit at equal steps of log(rate) only if typed so.
        logs = np.log(g.lrs)
        line = [(float(np.interp(math.log(s), logs, list(cols))), i) for i, s in enumerate(g.scaling)
                if logs[0] <= math.log(s) <= logs[-1]]
        with self.fig.batch_update():
            self.fig.data[0].x, self.fig.data[0].y, self.fig.data[0].z = list(cols), list(rows), z
            self.fig.data[0].text = text
            self.fig.data[1].x, self.fig.data[1].y = [c[0] for c in crossed], [c[1] for c in crossed]
            self.fig.data[2].x, self.fig.data[2].y = [p[0] for p in line], [p[1] for p in line]
            self.fig.layout.xaxis.update(tickvals=list(cols), ticktext=[f"{lr:g}" for lr in g.lrs])
            self.fig.layout.yaxis.update(tickvals=list(rows), ticktext=[str(b) for b in g.batch_sizes])
        self.retitle()

    def retitle(self):
        t = self.panel.t
        with self.fig.batch_update():
            self.fig.layout.title = t("lr.grid.title")
            self.fig.layout.xaxis.title = t("lr.axis.rate")
            self.fig.layout.yaxis.title = t("lr.grid.axis.batch")
            self.fig.data[0].colorbar.title.text = t("lr.grid.colour")
            self.fig.data[1].name = t("lr.grid.diverged")
            self.fig.data[2].name = t("lr.grid.scaling", lr=self.panel.base.lr, batch=self.panel.base.batch_size)
        show_hint(self.fig, None if self.grid else t("lr.grid.hint", button=t("lr.grid.run")))
