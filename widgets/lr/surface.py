"""The loss surface of y = w·x + b with gradient descent's path at a chosen step size (part of panel 1)."""
from __future__ import annotations

import ipywidgets as W
import plotly.graph_objects as go

from core import SURFACE_PRESETS, descend, linear_data, surface

from ..shell.figures import figure, widget_of

W_RANGE, B_RANGE = (-2, 6), (-3, 5)


def frame_exit(ws, bs):
    """(index of the last point inside the frame, where the path crosses the frame's edge), or None if it stays in."""
    inside = [W_RANGE[0] <= w <= W_RANGE[1] and B_RANGE[0] <= b <= B_RANGE[1] for w, b in zip(ws, bs)]
    if all(inside):
        return None
    out = inside.index(False)
    if out == 0:
        return None
    (w0, b0), (w1, b1) = (ws[out - 1], bs[out - 1]), (ws[out], bs[out])
    # the largest fraction of the step that stays inside both ranges
    fraction = min([1.0] + [(edge - v0) / (v1 - v0) for v0, v1, lo_hi in ((w0, w1, W_RANGE), (b0, b1, B_RANGE))
                            for edge in lo_hi if v1 != v0 and 0 <= (edge - v0) / (v1 - v0) <= 1])
    return out - 1, (w0 + fraction * (w1 - w0), b0 + fraction * (b1 - b0))


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
                        colorscale="Viridis", ncontours=30, hoverinfo="skip"),
             go.Scatter(x=[], y=[], mode="lines+markers", line=dict(color="white"),
                        marker=dict(size=5, color="#ff4136"))],
            xaxis=dict(title="w", range=list(W_RANGE)), yaxis=dict(title="b", range=list(B_RANGE)), height=400,
            showlegend=False, title=dict(font=dict(size=14)), margin=dict(l=55, r=15, t=60, b=45))
        self.slider.observe(panel.guard(lambda _: self.draw()), "value")
        panel.i18n.call(lambda i18n: self.retitle())
        self.box = W.VBox([self.slider, widget_of(self.fig), self.note], layout=W.Layout(flex="1 1 420px"))

    def retitle(self):
        self.fig.layout.title.text = self.panel.t("lr.surface_title")
        self.fig.data[1].name = self.panel.t("lr.trace.path")
        self.draw()

    def draw(self):
        """Redraw the path for the slider's step size."""
        path = descend(*self.xy, self.slider.value, steps=30)
        exit_ = frame_exit(path.w, path.b)
        with self.fig.batch_update():
            self.fig.data[1].x, self.fig.data[1].y = path.w, path.b
            # A path that flies out is drawn up to the frame, with an arrow there, and where it went is said.
            self.fig.layout.annotations = [] if exit_ is None else [
                dict(name="exit", x=exit_[1][0], y=exit_[1][1], ax=path.w[exit_[0]], ay=path.b[exit_[0]], axref="x",
                     ayref="y", text="", showarrow=True, arrowhead=3, arrowsize=1.5, arrowwidth=2,
                     arrowcolor="#ff4136"),
                dict(name="exit-note", xref="paper", yref="paper", x=0.5, y=0.02, xanchor="center", yanchor="bottom",
                     showarrow=False, font=dict(color="white"), bgcolor="rgba(0,0,0,0.6)",
                     text=self.panel.t("lr.surface_exit", step=exit_[0], last=len(path.w) - 1, w=path.w[-1],
                                       b=path.b[-1], loss=path.loss[-1]))]
        escaped = self.panel.t("lr.escaped") if path.escaped else ""
        self.note.value = self.panel.t("lr.surface_note", n=len(path.w) - 1, loss=path.loss[-1], escaped=escaped)
        self.path = path
