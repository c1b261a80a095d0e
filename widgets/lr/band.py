"""A finder you can trust (part of panel 1): the finder over several seeds as a band, each rule's suggestions
and their spread, one short run at each rule's suggestion, and the proof that the finder restored its state."""
from __future__ import annotations

import ipywidgets as W
import plotly.graph_objects as go

from core import RULES, classify_regime, lr_find_band, lr_sweep

from ..shell.figures import figure, show_hint, widget_of
from ..shell.i18n import register
from ..shell.runner import Events

register({
    "lr.band.title": ("LR finder over {n} seeds: lowest–highest smoothed loss, median, suggestions",
                      "{n} 个种子上的学习率查找器：平滑损失的最低–最高、中位数与建议值"),
    "lr.band.seeds": ("Seeds", "种子数"),
    "lr.band.run": ("Finder over several seeds", "多个种子运行查找器"),
    "lr.band.train": ("Train at each rule's suggestion", "按每条规则的建议值训练"),
    "lr.band.hint": ("Press “{button}”: the finder runs once per seed.", "按“{button}”：每个种子运行一次查找器。"),
    "lr.band.range": ("lowest–highest", "最低–最高"),
    "lr.band.median": ("median", "中位数"),
    "lr.band.col.rule": ("rule", "规则"),
    "lr.band.col.median": ("median suggestion", "建议值中位数"),
    "lr.band.col.range": ("range over seeds", "各种子范围"),
    "lr.band.col.spread": ("spread (max ÷ min)", "离散度（最大 ÷ 最小）"),
    "lr.band.col.regime": ("a run there", "在此训练"),
    "lr.band.rule.min_div_10": ("lowest ÷ 10", "最低点 ÷ 10"),
    "lr.band.rule.steepest": ("steepest slope", "最陡下降"),
    "lr.band.rule.valley": ("valley", "山谷"),
    "lr.band.restored": ("After each of the {n} finder runs the weights, the optimizer's state and the global RNG "
                         "were put back: digests before = after ({weights}…, {optimizer}…, {rng}…).",
                         "{n} 次查找器运行后，权重、优化器状态和全局随机数状态都已还原：前后摘要一致"
                         "（{weights}…，{optimizer}…，{rng}…）。"),
    "lr.band.not_restored": ("A finder run did not restore its state: the digests before and after differ.",
                             "有一次查找器运行没有还原状态：前后摘要不同。"),
    "err.band_seeds": ("The band needs 1 to {limit} seeds.", "置信带需要 1 到 {limit} 个种子。"),
    "err.finder_range": ("The LR finder needs 0 < start < end and 2 to 10000 steps.",
                         "学习率查找器需要 0 < 起点 < 终点，以及 2 到 10000 步。"),
})
RULE_COLOURS = {"min_div_10": "#d62728", "steepest": "#ff7f0e", "valley": "#1f77b4"}


class FinderBand:
    """Seeds slider, two buttons, the band figure and a table of rules; uses the panel's Stop button."""

    def __init__(self, panel):
        self.panel, self.band, self.regimes = panel, None, {}
        self.seeds = W.IntSlider(value=5, min=2, max=8, continuous_update=False)
        self.seeds.add_class("tp-lr-band-seeds")
        panel.label(self.seeds, "lr.band.seeds")
        self.run = panel.button("lr.band.run", "tp-lr-band-run")
        self.train = panel.button("lr.band.train")
        self.train.disabled = True
        self.table, self.restored = W.HTML(), W.HTML()
        self.restored.add_class("tp-lr-band-restored")
        self.fig = figure([go.Scatter(x=[], y=[], mode="lines", line=dict(width=0), hoverinfo="skip",
                                      showlegend=False),
                           go.Scatter(x=[], y=[], mode="lines", line=dict(width=0), fill="tonexty",
                                      fillcolor="rgba(31,119,180,0.25)"),
                           go.Scatter(x=[], y=[], mode="lines", line=dict(color="#1f77b4"))]
                          + [go.Scatter(x=[], y=[], mode="markers", marker=dict(size=9, color=RULE_COLOURS[r],
                                                                                symbol="line-ns-open"))
                             for r in RULES],
                          xaxis=dict(type="log", exponentformat="power"), height=380)
        panel.on_click(self.run, self.find)
        panel.on_click(self.train, self.train_at_suggestions)
        panel.i18n.call(lambda _: self.retitle())
        self.box = W.VBox([W.HBox([self.seeds, self.run, self.train]), widget_of(self.fig), self.table,
                           self.restored])

    def find(self):
        """Run the finder once per seed (seeds base.seed, base.seed + 1, …) and draw the band."""
        base = self.panel.base.validate()
        first = base.seed if base.seed is not None else 0
        seeds = [first + i for i in range(self.seeds.value)]
        self.regimes = {}

        def work(emit, stop):
            return lr_find_band(base, seeds, start=1e-5, end=10.0, steps=80)

        self.panel.start(work, lambda records: None, self._show, self._buttons(), self.panel.stop_button)

    def _show(self, band):
        self.band = band
        top = max(v for v in band.high if v == v)
        with self.fig.batch_update():
            self.fig.data[0].x, self.fig.data[0].y = band.lrs, band.high
            self.fig.data[1].x, self.fig.data[1].y = band.lrs, band.low
            self.fig.data[2].x, self.fig.data[2].y = band.lrs, band.median
            for trace, rule in zip(self.fig.data[3:], RULES):
                trace.x, trace.y = band.suggestions[rule], [top] * len(band.suggestions[rule])
        self.train.disabled = False
        self.retitle()
        self.panel.status.show("status.ready", "ok")

    def train_at_suggestions(self):
        """One short run at each rule's median suggestion, labelled with its regime."""
        rules = list(RULES)
        lrs = [self.band.suggestion_median[rule] for rule in rules]
        base = self.panel.base

        def work(emit, stop):
            return lr_sweep(base, lrs, callbacks=[Events(emit)], stop=stop)

        def done(histories):
            self.regimes = {rule: classify_regime(h) for rule, h in zip(rules, histories)}
            self.retitle()
            self.panel.status.show("status.ready", "ok")

        self.panel.start(work, lambda records: None, done, self._buttons(), self.panel.stop_button)

    def _buttons(self):
        return [self.run, self.train, self.panel.run, self.panel.finder]

    def retitle(self):
        t, band = self.panel.t, self.band
        with self.fig.batch_update():
            self.fig.layout.title = t("lr.band.title", n=len(band.seeds) if band else self.seeds.value)
            self.fig.layout.xaxis.title = t("lr.axis.rate")
            self.fig.layout.yaxis.title = t("lr.axis.smoothed")
            self.fig.data[1].name, self.fig.data[2].name = t("lr.band.range"), t("lr.band.median")
            for trace, rule in zip(self.fig.data[3:], RULES):
                trace.name = t(f"lr.band.rule.{rule}")
        show_hint(self.fig, None if band else t("lr.band.hint", button=t("lr.band.run")))
        if band is None:
            self.table.value = self.restored.value = ""
            return
        cols = ("rule", "median", "range", "spread") + (("regime",) if self.regimes else ())
        rows = []
        for rule in RULES:
            values = band.suggestions[rule]
            cells = [t(f"lr.band.rule.{rule}"), f"{band.suggestion_median[rule]:.3g}",
                     f"{min(values):.3g} – {max(values):.3g}", f"× {band.spread[rule]:.2f}"]
            if self.regimes:
                cells.append(f"<b>{t('lr.regime.' + self.regimes[rule])}</b>")
            rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
        head = "".join(f"<th>{t('lr.band.col.' + c)}</th>" for c in cols)
        self.table.value = f"<table class='tp-lr-band-table'><tr>{head}</tr>{''.join(rows)}</table>"
        checks = [r.state_check for r in band.runs]
        if all(c["restored"] for c in checks):
            d = checks[0]["after"]
            self.restored.value = t("lr.band.restored", n=len(checks), weights=d["weights"][:8],
                                    optimizer=d["optimizer"][:8], rng=d["rng"][:8])
        else:
            self.restored.value = t("lr.band.not_restored")

    def settings(self) -> dict:
        return {"band_seeds": self.seeds.value}

    def apply(self, data: dict) -> None:
        if "band_seeds" in data:
            self.seeds.value = int(data["band_seeds"])
