"""The at-init view of the init panel: per-layer bars, predicted vs measured weight std, and the numbers table."""
from __future__ import annotations

import ipywidgets as W
import plotly.graph_objects as go

from core.init_probe import scale_verdict

from .figures import figure, widget_of
from .i18n import register
from .init_matmul import finite_or_none, verdict_text

register({
    "init.act_title": ("Activation std per layer at init", "初始化时各层激活值的标准差"),
    "init.grad_title": ("Weight-gradient std per layer at init", "初始化时各层权重梯度的标准差"),
    "init.weight_title": ("Weight std: the formula's prediction vs what was drawn", "权重标准差：公式预测值与实际抽样值"),
    "init.predicted": ("predicted", "预测"),
    "init.measured": ("measured", "实测"),
    "init.col.layer": ("layer", "层"),
    "init.col.fans": ("fan_in → fan_out", "fan_in → fan_out"),
    "init.col.predicted": ("predicted weight std", "预测的权重标准差"),
    "init.col.measured": ("measured weight std", "实测的权重标准差"),
    "init.col.act_mean": ("activation mean", "激活值均值"),
    "init.col.act_std": ("activation std", "激活值标准差"),
    "init.col.grad_std": ("gradient std", "梯度标准差"),
    "init.summary": ("Through the {depth} hidden layers: {verdict} Loss at init {loss:.4g} (a uniform guess over 10 "
                     "digits gives ln 10 ≈ 2.303).",
                     "经过 {depth} 个隐藏层：{verdict}初始损失 {loss:.4g}（对 10 个数字均匀瞎猜的损失是 ln 10 ≈ 2.303）。"),
})

COLUMNS = ("layer", "fans", "predicted", "measured", "act_mean", "act_std", "grad_std")


class BarsSection:
    """Figures act_fig, grad_fig, weight_fig (traces: predicted, measured); HTML summary and table."""

    def __init__(self, panel):
        self.panel, self.report = panel, None
        self.act_fig = figure([go.Bar(x=[], y=[], marker_color="#1f77b4")], height=300, showlegend=False)
        self.grad_fig = figure([go.Bar(x=[], y=[], marker_color="#ff7f0e")], height=300, showlegend=False)
        self.weight_fig = figure([go.Bar(x=[], y=[], marker_color="#9e9e9e"),
                                  go.Bar(x=[], y=[], marker_color="#1f77b4")], height=300, barmode="group",
                                 yaxis=dict(rangemode="tozero"))  # from zero: a 1 % gap must look like 1 %
        self.figs = (self.act_fig, self.grad_fig, self.weight_fig)
        self.table, self.summary = W.HTML(), W.HTML()
        self.table.add_class("tp-init-table")
        self.summary.add_class("tp-init-summary")
        panel.i18n.call(lambda _: self._retitle())
        self.widget = W.VBox([W.HBox([widget_of(self.act_fig), widget_of(self.grad_fig)]),
                              widget_of(self.weight_fig), self.summary, self.table])

    def show(self, r):
        """Draw a core InitReport."""
        self.report = r
        with self.act_fig.batch_update(), self.grad_fig.batch_update(), self.weight_fig.batch_update():
            for fig, ys in zip(self.figs, ([r.act_std], [r.grad_std], [r.expected_std, r.weight_std])):
                for trace, y in zip(fig.data, ys):
                    trace.x, trace.y = r.names, finite_or_none(y)
        self._describe()

    def set_log(self, log: bool):
        for fig in self.figs[:2]:  # activation and gradient stds span decades; weight stds sit near each other
            with fig.batch_update():
                fig.layout.yaxis.type = "log" if log else "linear"

    def _describe(self):
        r, t = self.report, self.panel.t
        if r is None:
            return
        depth = len(r.names) - 1  # the last entry is the output layer
        verdict = verdict_text(t, scale_verdict(r.act_std[:depth], r.act_mean[:depth]))
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
        self._describe()
