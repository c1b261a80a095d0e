"""The loss surface of y = w·x + b with gradient descent's path at a chosen step size (part of panel 1)."""
from __future__ import annotations

import ipywidgets as W
import plotly.graph_objects as go

from core import SURFACE_PRESETS, descend, linear_data, surface

from .figures import figure, widget_of
from .i18n import register

register({
    "lr.surface_title": ("Loss surface of y = w·x + b and the path of gradient descent",
                         "y = w·x + b 的损失曲面与梯度下降路径"),
    "lr.surface_lr": ("Step size", "步长"),
    "lr.surface_note": ("{n} steps, final loss {loss:.3g}{escaped}", "{n} 步，最终损失 {loss:.3g}{escaped}"),
    "lr.escaped": (" — it escaped the valley", " ——它逃出了山谷"),
})


class LossSurface:
    """Contour of the MSE over (w, b) and the path plain SGD takes; redrawn when the slider settles."""

    def __init__(self, panel):
        self.panel = panel
        self.xy = linear_data()
        ws, bs, losses = surface(*self.xy)
        self.slider = W.FloatLogSlider(value=SURFACE_PRESETS["good"], base=10, min=-3, max=0.3, step=0.01,
                                       continuous_update=False, readout_format=".3g")
        self.slider.add_class("tp-lr-surface-rate")
        panel.label(self.slider, "lr.surface_lr")
        self.note = W.HTML()
        self.fig = figure(
            [go.Contour(x=ws, y=bs, z=losses, contours_coloring="heatmap", showscale=False,
                        colorscale="Viridis", ncontours=30, name="loss"),
             go.Scatter(x=[], y=[], mode="lines+markers", name="path", line=dict(color="white"),
                        marker=dict(size=5, color="#ff4136"))],
            xaxis=dict(title="w", range=[-2, 6]), yaxis=dict(title="b", range=[-3, 5]), width=430, height=380)
        self.slider.observe(panel.guard(lambda _: self.draw()), "value")
        panel.i18n.call(lambda i18n: self.retitle())
        self.box = W.VBox([self.slider, widget_of(self.fig), self.note])

    def retitle(self):
        self.fig.layout.title = self.panel.t("lr.surface_title")
        self.draw()

    def draw(self):
        """Redraw the path for the slider's step size."""
        path = descend(*self.xy, self.slider.value, steps=30)
        with self.fig.batch_update():
            self.fig.data[1].x, self.fig.data[1].y = path.w, path.b
        escaped = self.panel.t("lr.escaped") if path.escaped else ""
        self.note.value = self.panel.t("lr.surface_note", n=len(path.w) - 1, loss=path.loss[-1], escaped=escaped)
        self.path = path
