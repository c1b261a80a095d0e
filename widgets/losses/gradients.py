"""MSE vs cross-entropy on the same predictions: each loss and its gradient as p(true class) goes 0.01 → 0.99."""
from __future__ import annotations

import ipywidgets as W
import plotly.graph_objects as go

from core import loss_curves, loss_gradients

from ..shell.figures import figure, widget_of
from ..shell import palette

CE_COLOUR, MSE_COLOUR = palette.BLUE, palette.RED
P_RANGE = (0.01, 0.99)  # p(true class) on the slider, and what shared settings may ask for
WRONG_ZONE = dict(type="rect", xref="x", yref="paper", x0=0, x1=0.1, y0=0, y1=1, fillcolor=palette.RED,
                  opacity=0.08, line_width=0)


class GradientCurves:
    """Loss and gradient figures with a marker at the slider's p; attributes slider, loss_fig, grad_fig, note."""

    def __init__(self, panel):
        self.panel, self.t = panel, panel.t
        self.slider = W.FloatSlider(value=0.05, min=P_RANGE[0], max=P_RANGE[1], step=0.01, continuous_update=False,
                                    readout_format=".2f", style={"description_width": "initial"})
        self.slider.add_class("tp-losses-p")
        panel.label(self.slider, "losses.p")
        self.note = W.HTML()
        self.note.add_class("tp-losses-grad-note")
        self.loss_fig = self._figure()
        self.grad_fig = self._figure(shapes=[WRONG_ZONE])
        self.slider.observe(panel.guard(lambda _: self.mark()), "value")
        self.compute()
        panel.i18n.call(lambda _: self.retitle())
        help_ = panel.label(W.HTML(), "losses.grad_help", "value")
        self.box = W.VBox([help_, self.slider, W.HBox([widget_of(self.loss_fig), widget_of(self.grad_fig)]),
                           self.note])

    @staticmethod
    def _figure(**layout):
        # traces: CE curve, MSE curve, CE marker, MSE marker
        # a marker shares its curve's legend entry (and is shown or hidden with it)
        curves = [go.Scatter(x=[], y=[], mode="lines", line=dict(color=c), legendgroup=g)
                  for c, g in ((CE_COLOUR, "ce"), (MSE_COLOUR, "mse"))]
        marks = [go.Scatter(x=[], y=[], mode="markers", marker=dict(color=c, size=11), showlegend=False, legendgroup=g)
                 for c, g in ((CE_COLOUR, "ce"), (MSE_COLOUR, "mse"))]
        return figure(curves + marks, width=470, xaxis=dict(range=[0, 1]), **layout)

    def compute(self):
        """Redraw both curves from core's autograd values, then the markers."""
        c = loss_curves()
        for fig, keys in ((self.loss_fig, ("ce", "mse")), (self.grad_fig, ("ce_grad", "mse_grad"))):
            with fig.batch_update():
                for trace, key in zip(fig.data[:2], keys):
                    trace.x, trace.y = c["p"], c[key]
        self.mark()

    def mark(self):
        """Move the markers to the slider's p and say both gradients there."""
        r = loss_gradients([self.slider.value])
        for fig, keys in ((self.loss_fig, ("ce", "mse")), (self.grad_fig, ("ce_grad", "mse_grad"))):
            with fig.batch_update():
                for trace, key in zip(fig.data[2:], keys):
                    trace.x, trace.y = r["p"], r[key]
        self.values = {k: v[0] for k, v in r.items()}
        self.note.value = self.t("losses.grad_note", **self.values)

    def retitle(self):
        for fig, key, axis in ((self.loss_fig, "losses.loss_title", "losses.loss_axis"),
                               (self.grad_fig, "losses.grad_title", "losses.grad_axis")):
            with fig.batch_update():
                fig.layout.title = self.t(key)
                fig.layout.xaxis.title = self.t("losses.p_axis")
                fig.layout.yaxis.title = self.t(axis)
                fig.data[0].name, fig.data[1].name = self.t("losses.ce"), self.t("losses.mse")
        self.note.value = self.t("losses.grad_note", **self.values)
