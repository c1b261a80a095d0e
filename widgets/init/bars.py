"""The at-init view of the init panel: per-layer bars, predicted vs measured weight std, and the numbers table."""
from __future__ import annotations

import math

import ipywidgets as W
import plotly.graph_objects as go

from core import scale_verdict

from ..shell.figures import figure, show_hint, widget_of
from ..shell.overlays import KEEP, Overlays, spare_traces
from .matmul import finite_or_none, verdict_text
from ..shell import palette

COLUMNS = ("layer", "fans", "predicted", "measured", "act_mean", "act_std", "grad_std")
DECADES = (-6, 3)  # one log axis for every scheme, 10⁻⁶ … 10³, so "stays near 1" and "shrinks" look different
SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def power(v: float) -> str:
    """v as 2.6×10⁻⁹ (readable where SI prefixes would say 2.6n)."""
    exponent = math.floor(math.log10(abs(v)))
    return f"{v / 10 ** exponent:.2g}×10{str(exponent).translate(SUPERSCRIPT)}"


def layer_label(t, name: str) -> str:
    """A layer's name as core gives it ("layer3", "out") in the reader's language."""
    return t("init.layer_out") if name == "out" else t("init.layer_n", n=name.removeprefix("layer"))


def off_axis_labels(names, values):
    """Labels at the axis edge for the bars the fixed log axis cannot draw: 0, inf/NaN, or beyond its decades."""
    labels = []
    for name, v in zip(names, values):
        if v is None or math.isnan(v):
            text, top = "NaN", False
        elif v == 0:
            text, top = "0", False
        elif math.isinf(v) or v > 10 ** DECADES[1]:
            text, top = "↑ " + ("inf" if math.isinf(v) else power(v)), True
        elif v < 10 ** DECADES[0]:
            text, top = "↓ " + power(v), False
        else:
            continue
        labels.append(dict(name="off-axis", x=name, xref="x", yref="paper", y=1 if top else 0,
                           yanchor="top" if top else "bottom", text=text, showarrow=False, textangle=-90,
                           font=dict(size=11, color=palette.ERROR)))
    return labels


class BarsSection:
    """Figures act_fig, grad_fig, weight_fig (traces: predicted, measured); HTML summary and table."""

    def __init__(self, panel):
        self.panel, self.report, self.log = panel, None, True
        axis = dict(exponentformat="power")
        act, grad = go.Bar(x=[], y=[], marker_color=palette.BLUE), go.Bar(x=[], y=[], marker_color=palette.ORANGE)
        # earlier looks stay beside the bars, faded ("default vs Kaiming"): the legend names each
        self.act_fig = figure([act, *spare_traces(act, KEEP)], height=340, showlegend=True, yaxis=axis)
        self.grad_fig = figure([grad, *spare_traces(grad, KEEP)], height=340, showlegend=True, yaxis=axis)
        self.earlier = Overlays(panel, (self.act_fig, range(1, 1 + KEEP)), (self.grad_fig, range(1, 1 + KEEP)))
        self.weight_fig = figure([go.Bar(x=[], y=[], marker_color=palette.NEUTRAL),
                                  go.Bar(x=[], y=[], marker_color=palette.BLUE)], height=300, barmode="group",
                                 yaxis=dict(rangemode="tozero", **axis))  # from zero: a 1 % gap must look like 1 %
        self.figs = (self.act_fig, self.grad_fig, self.weight_fig)
        self.table, self.summary = W.HTML(), W.HTML()
        self.table.add_class("tp-init-table")
        self.summary.add_class("tp-init-summary")
        panel.i18n.call(lambda _: self._retitle())
        self.widget = W.VBox([W.HBox([widget_of(self.act_fig), widget_of(self.grad_fig)]),
                              widget_of(self.weight_fig), self.summary, self.table])

    def show(self, r):
        """Draw a core InitReport."""
        self.earlier.remember([0], [0])
        p = self.panel
        self.drawn = (p.scheme.value, p.activation.value)  # the legend's name for these bars
        self.report = r
        with self.act_fig.batch_update(), self.grad_fig.batch_update(), self.weight_fig.batch_update():
            for fig, ys in zip(self.figs, ([r.act_std], [r.grad_std], [r.expected_std, r.weight_std])):
                for trace, y in zip(fig.data, ys):
                    trace.x, trace.y = r.names, finite_or_none(y)
        self._retitle()

    def set_log(self, log: bool):
        self.log = log
        self._axes()

    def _axes(self):
        """Activation and gradient stds span decades: on a log axis, the same decades for every scheme.
        Weight stds sit near each other and stay on their linear axis from zero."""
        t, r = self.panel.t, self.report
        for fig, values in ((self.act_fig, r and r.act_std), (self.grad_fig, r and r.grad_std)):
            with fig.batch_update():
                fig.layout.yaxis.update(type="log" if self.log else "linear", range=list(DECADES) if self.log else None,
                                        dtick=1 if self.log else None,
                                        title=t("init.axis.std_log" if self.log else "init.axis.std"))
                fig.layout.annotations = off_axis_labels(r.names, values) if self.log and r else []
        for fig in self.figs:
            with fig.batch_update():
                fig.layout.xaxis.title = t("init.axis.layer")
                names = r.names if r else []
                fig.layout.xaxis.update(tickvals=names, ticktext=[layer_label(t, n) for n in names])
                show_hint(fig, None if r else t("init.bars_hint", button=t("init.look")))
        self.weight_fig.layout.yaxis.title = t("init.axis.std")

    def _describe(self):
        r, t = self.report, self.panel.t
        if r is None:
            return
        depth = len(r.names) - 1  # the last entry is the output layer
        verdict = verdict_text(t, scale_verdict(r.act_std[:depth], r.act_mean[:depth], weight_stds=r.weight_std[:depth]))
        self.summary.value = t("init.summary", depth=depth, verdict=verdict, loss=r.loss)
        head = "".join(f"<th style='padding:2px 8px'>{t('init.col.' + c)}</th>" for c in COLUMNS)
        rows = []
        for i, name in enumerate(r.names):
            cells = [name, f"{r.fan_in[i]} → {r.fan_out[i]}"] + [
                "—" if v is None else f"{v:.3g}"
                for v in (r.expected_std[i], r.weight_std[i], r.act_mean[i], r.act_std[i], r.grad_std[i])]
            rows.append("<tr>" + "".join(f"<td style='padding:2px 8px'>{c}</td>" for c in cells) + "</tr>")
        self.table.value = f"<table><tr>{head}</tr>{''.join(rows)}</table>"

    def _retitle(self):
        t = self.panel.t
        with self.act_fig.batch_update(), self.grad_fig.batch_update(), self.weight_fig.batch_update():
            self.act_fig.layout.title = t("init.act_title")
            self.grad_fig.layout.title = t("init.grad_title")
            self.weight_fig.layout.title = t("init.weight_title")
            self.weight_fig.data[0].name, self.weight_fig.data[1].name = t("init.predicted"), t("init.measured")
            r = self.report
            name = t("init.look_name", scheme=self.drawn[0], activation=self.drawn[1], depth=len(r.names) - 1) if r else ""
            self.act_fig.data[0].name = self.grad_fig.data[0].name = name
        self._axes()
        self._describe()
