"""A finder you can trust (part of panel 1): the finder over several seeds as a band, each rule's suggestions
and their spread, one short run at each rule's suggestion, and the proof that the finder restored its state."""
from __future__ import annotations

import ipywidgets as W
import plotly.graph_objects as go

from core import RULES, classify_regime, lr_find_band, lr_sweep

from ..shell.figures import figure, log_nticks, show_hint, widget_of
from ..shell.runner import Events
from ..shell import palette

# seeds the band may be drawn over: within core's MAX_BAND_SEEDS, few enough for a band in seconds
SEED_COUNTS = (2, 8)
RULE_COLOURS = {"min_div_10": palette.RED, "steepest": palette.ORANGE, "valley": palette.BLUE}


class FinderBand:
    """Seeds slider, two buttons, the band figure and a table of rules; uses the panel's Stop button."""

    def __init__(self, panel):
        self.panel, self.band, self.regimes = panel, None, {}
        self.seeds = W.IntSlider(value=5, min=SEED_COUNTS[0], max=SEED_COUNTS[1], continuous_update=False)
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
                                      fillcolor=palette.rgba(palette.BLUE, 0.25)),
                           go.Scatter(x=[], y=[], mode="lines", line=dict(color=palette.BLUE))]
                          + [go.Scatter(x=[], y=[], mode="markers", marker=dict(size=9, color=RULE_COLOURS[r],
                                                                                symbol="line-ns-open"))
                             for r in RULES],
                          xaxis=dict(type="log", exponentformat="power", nticks=log_nticks(-5, 1)), height=380)
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
        self.table.value = (f"<table class='tp-lr-band-table'><tr>{head}</tr>{''.join(rows)}</table>"
                            f"<p class='tp-jargon'>{t('lr.band.jargon')}</p>")
        checks = [r.state_check for r in band.runs]
        if all(c["restored"] for c in checks):
            d = checks[0]["after"]
            self.restored.value = t("lr.band.restored", n=len(checks), weights=d["weights"][:8],
                                    optimizer=d["optimizer"][:8], rng=d["rng"][:8])
        else:
            self.restored.value = t("lr.band.not_restored")
