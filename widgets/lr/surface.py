"""The loss surface of y = w·x + b with gradient descent's path at a chosen step size (part of panel 1)."""
from __future__ import annotations

import ipywidgets as W
import plotly.graph_objects as go

from core import DESCENT_STEPS, OPTIMIZERS, SURFACE_PRESETS, descend, linear_data, surface

from ..shell.figures import figure, widget_of
from ..shell.options import relabel
from ..shell import palette

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
    """Contour of the MSE over (w, b) and the path SGD, momentum or Adam takes, with the gradient and the applied
    step at a chosen step as arrows; redrawn when a control settles."""

    def __init__(self, panel):
        self.panel = panel
        self.xy = linear_data()
        ws, bs, losses = surface(*self.xy)
        self.slider = W.FloatLogSlider(value=SURFACE_PRESETS["good"], base=10, min=-3, max=0.3, step=0.01,
                                       continuous_update=False, readout_format=".3g")
        self.slider.add_class("tp-lr-surface-rate")
        panel.label(self.slider, "lr.surface_lr")
        self.optimizer = W.ToggleButtons(options=list(OPTIMIZERS), value="sgd")
        self.optimizer.add_class("tp-lr-surface-optimizer")
        panel.label(self.optimizer, "lr.surface_optimizer")
        self.step = W.IntSlider(value=0, min=0, max=DESCENT_STEPS, continuous_update=False)
        self.step.add_class("tp-lr-surface-step")
        panel.label(self.step, "lr.surface_step")
        self.note, self.arrows_note = W.HTML(), W.HTML()
        self.fig = figure(
            [go.Contour(x=ws, y=bs, z=losses, contours_coloring="heatmap", showscale=False,
                        colorscale="Viridis", ncontours=30, hoverinfo="skip"),
             go.Scatter(x=[], y=[], mode="lines+markers", line=dict(color=palette.WHITE),
                        marker=dict(size=5, color=palette.PATH))],
            xaxis=dict(title="w", range=list(W_RANGE)), yaxis=dict(title="b", range=list(B_RANGE)), height=400,
            showlegend=True, title=dict(font=dict(size=14)), margin=dict(l=55, r=15, t=60, b=45))
        self.slider.observe(panel.guard(lambda _: self.draw()), "value")
        self.optimizer.observe(panel.guard(lambda _: self.draw()), "value")
        self.step.observe(panel.guard(lambda _: self.draw()), "value")
        panel.i18n.call(lambda i18n: self.retitle())
        panel.i18n.call(lambda i18n: relabel(self.optimizer, [(i18n.t(f"train.opt.{o}"), o) for o in OPTIMIZERS], panel))
        self.box = W.VBox([self.optimizer, self.slider, widget_of(self.fig), self.step, self.note, self.arrows_note],
                          layout=W.Layout(flex="1 1 420px"))

    def retitle(self):
        self.fig.layout.title.text = self.panel.t("lr.surface_title")
        self.fig.data[1].name = self.panel.t("lr.trace.path")
        self.draw()

    def draw(self):
        """Redraw the path for the slider's step size."""
        path = descend(*self.xy, self.slider.value, optimizer=self.optimizer.value)
        exit_ = frame_exit(path.w, path.b)
        self.step.max = max(0, len(path.updates) - 1)
        k = self.step.value
        with self.fig.batch_update():
            self.fig.data[1].x, self.fig.data[1].y = path.w, path.b
            # A path that flies out is drawn up to the frame, with an arrow there, and where it went is said.
            self.fig.layout.annotations = self._arrows(path, k) + ([] if exit_ is None else [
                dict(name="exit", x=exit_[1][0], y=exit_[1][1], ax=path.w[exit_[0]], ay=path.b[exit_[0]], axref="x",
                     ayref="y", text="", showarrow=True, arrowhead=3, arrowsize=1.5, arrowwidth=2,
                     arrowcolor=palette.PATH),
                dict(name="exit-note", xref="paper", yref="paper", x=0.5, y=0.02, xanchor="center", yanchor="bottom",
                     showarrow=False, font=dict(color=palette.WHITE), bgcolor=palette.rgba(palette.BLACK, 0.6),
                     text=self.panel.t("lr.surface_exit", step=exit_[0], last=len(path.w) - 1, w=path.w[-1],
                                       b=path.b[-1], loss=path.loss[-1]))])
        escaped = self.panel.t("lr.escaped") if path.escaped else ""
        self.note.value = self.panel.t("lr.surface_note", n=len(path.w) - 1, loss=path.loss[-1], escaped=escaped)
        self.path = path
        self._describe_step(path, k)

    def _arrows(self, path, k):
        """At point k: −rate × gradient (what plain descent would do) and the step the optimizer applied."""
        if k >= len(path.updates):
            return []
        w, b, lr = path.w[k], path.b[k], self.slider.value
        (gw, gb), (uw, ub) = path.grads[k], path.updates[k]
        return [dict(name=name, x=w + dw, y=b + db, ax=w, ay=b, axref="x", ayref="y", xref="x", yref="y", text="",
                     showarrow=True, arrowhead=2, arrowwidth=2, arrowcolor=colour)
                for name, dw, db, colour in (("gradient", -lr * gw, -lr * gb, palette.BLACK),
                                             ("update", uw, ub, palette.PATH))]

    def _describe_step(self, path, k):
        t = self.panel.t
        if k >= len(path.updates):
            self.arrows_note.value = ""
            return
        inside = ""
        if path.velocity:
            inside = t("lr.surface_velocity", a=path.velocity[k][0], b=path.velocity[k][1])
        elif path.m_hat:
            inside = t("lr.surface_adam", a=path.m_hat[k][0], b=path.m_hat[k][1], c=path.v_hat_sqrt[k][0],
                       d=path.v_hat_sqrt[k][1])
        (gw, gb), (uw, ub) = path.grads[k], path.updates[k]
        self.arrows_note.value = t("lr.surface_arrows", k=k, gw=gw, gb=gb, uw=uw, ub=ub, inside=inside)
