"""Seeds panel, 'where does the spread come from': final-accuracy spread per seeded part, and all together."""
from __future__ import annotations

import math

import ipywidgets as W
import plotly.graph_objects as go

from core import MAX_SPREAD_SEEDS, ConfigError, outside_range_chance, rate_gap, variance_sources, widest_spread

from ..shell.figures import figure, hint_until_drawn, widget_of
from ..shell.parse import is_whole_in, parse_float
from ..shell.settings import control
from ..shell import palette


def check_seed_count(panel, value) -> int:
    """A shared seed count for the spread: a whole number from 2 to MAX_SPREAD_SEEDS."""
    if not is_whole_in(value, 2, MAX_SPREAD_SEEDS):
        raise ConfigError("spread_seeds", limit=MAX_SPREAD_SEEDS)
    return value


SETTINGS = (control("spread_seeds", "sources.n_seeds", check_seed_count),)


class SpreadSources:
    """The spread section: a seed count, a button, floating bars with per-seed dots, and a sentence."""

    def __init__(self, panel, lab):
        self.panel, self.lab = panel, lab
        self.n_seeds = panel.label(W.IntSlider(value=4, min=2, max=MAX_SPREAD_SEEDS, continuous_update=False), "sources.seeds")
        self.button = panel.button("sources.button", "tp-seeds-sources")
        self.fig = figure([go.Bar(x=[], y=[], base=[], marker=dict(color=palette.rgba(palette.BLUE, 0.35))),
                           go.Scatter(x=[], y=[], mode="markers", marker=dict(color=palette.BLUE, size=9))])
        self.sentence = W.HTML()
        self.sentence.add_class("tp-seeds-sources-sentence")
        self.rows = self.gap = None
        panel.on_click(self.button, self.run)
        panel.i18n.call(lambda _: self.render())
        self.widget = W.VBox([panel.label(W.HTML(), "sources.help", "value"), W.HBox([self.n_seeds, self.button]),
                              widget_of(self.fig), self.sentence])

    def run(self):
        """Every source over seeds cfg.seed+1 … cfg.seed+n, then the two rates of the seed-noise lab."""
        p = self.panel
        cfg = p.config().replace(unseeded=())
        if cfg.seed is None:
            cfg = cfg.replace(seed=0)
        n = check_seed_count(p, self.n_seeds.value)  # core's limit, not the slider's (the page can change its max)
        seeds = [(cfg.seed + k) % 2**32 for k in range(1, n + 1)]
        lrs = [parse_float(box.value, "learning rate") for box in (self.lab.lr_a, self.lab.lr_b)]

        def work(emit, stop):
            rows = variance_sources(cfg, seeds, stop=stop)
            return rows, (lrs, rate_gap(cfg, lrs, stop=stop))

        p.start(work, lambda records: None, self.done, [p.run, self.button], p.stop_button)

    def done(self, result):
        self.rows, self.gap = result
        self.render()
        stopped = any(r.stopped for r in self.rows) or len(self.rows) < 4
        self.panel.status.show("panel.stopped" if stopped else "sources.done", "ok")

    def render(self):
        t = self.panel.t
        with self.fig.batch_update():
            self.fig.layout.title = t("sources.title")
            self.fig.layout.yaxis.title = t("sources.axis")
            self.fig.data[0].name, self.fig.data[1].name = t("sources.spread"), t("sources.dots")
            rows = [r for r in self.rows or [] if not r.stopped]
            names = [t(f"sources.{r.source}") for r in rows]
            lows = [min(r.final_val_acc) for r in rows]
            self.fig.data[0].x, self.fig.data[0].base = names, lows
            self.fig.data[0].y = [max(r.range, 0.002) for r in rows]  # a zero spread still shows as a line
            self.fig.data[1].x = [n for n, r in zip(names, rows) for _ in r.final_val_acc]
            self.fig.data[1].y = [a for r in rows for a in r.final_val_acc]
        hint_until_drawn(self.fig, t("chart.hint", button=t("sources.button")))
        # the conclusion reads the chart: luck spans at least its widest bar, and a few seeds understate even that
        widest = widest_spread(rows)
        if widest is None or self.gap is None or any(map(math.isnan, self.gap[1])):
            self.sentence.value = ""
            return
        (a, b), (acc_a, acc_b) = self.gap
        gap, n = abs(acc_a - acc_b), len(widest.seeds)
        verdict = t("sources.bigger" if gap > widest.range else "sources.within")
        self.sentence.value = "<p>" + t("sources.sentence", spread=widest.range, source=t(f"sources.{widest.source}"),
                                       n=n, a=a, b=b, gap=gap, verdict=verdict,
                                       outside=outside_range_chance(n)) + "</p>"
