"""Seeds panel, lab section: the knob matrix, seed-noise bands, and the global-RNG interference demo."""
from __future__ import annotations

import html

import ipywidgets as W
import plotly.graph_objects as go

from core import MAX_ENSEMBLE_SEEDS, ConfigError, interference_demo, knob_matrix, seed_ensemble

from ..shell.figures import figure, hint_until_drawn, widget_of
from ..shell.i18n import known
from ..shell.page_a11y import mark
from ..shell.parse import parse_float, parse_int
from ..shell import palette

KNOB_REPEATS = 3  # enough to see each row's noise, few enough for a class machine


def _yes(panel, flag):
    return mark("yes" if flag else "no") + panel.t("lab.yes" if flag else "lab.no")


def _slowdown(t, row):
    if row.what != "run":
        return "—"
    return f"×{row.slowdown:.2f}" + (f" <i>({t('lab.knobs.noise')})</i>" if row.same_within_noise else "")


def knob_name(t, name):
    """A knob row's name in the current language (a row core adds later shows core's English name)."""
    return t(f"lab.knob.{name}") if known(f"lab.knob.{name}") else name


class ReproLab:
    """Knob matrix, seed-noise bands and the interference demo, driven by the Seeds panel's config."""

    def __init__(self, panel):
        self.panel = panel
        self.knobs_button = panel.button("lab.knobs.button", "tp-lab-knobs")
        self.knobs_table = W.HTML()
        self.knobs_table.add_class("tp-lab-knobs-table")
        self.band_button = panel.button("lab.band.button", "tp-lab-band")
        self.n_seeds = panel.label(W.IntSlider(value=5, min=2, max=MAX_ENSEMBLE_SEEDS, continuous_update=False), "lab.band.seeds")
        self.lr_a = panel.label(W.Text(value="0.1", layout=W.Layout(width="14em")), "lab.band.lr_a")
        self.lr_b = panel.label(W.Text(value="0.05", layout=W.Layout(width="14em")), "lab.band.lr_b")
        colours = (palette.BLUE, palette.ORANGE)
        traces = []
        for c in colours:
            traces += [go.Scatter(x=[], y=[], mode="lines", line=dict(width=0), showlegend=False, hoverinfo="skip"),
                       go.Scatter(x=[], y=[], mode="lines", line=dict(width=0), fill="tonexty",
                                  fillcolor=palette.rgba(c, 0.25)),
                       go.Scatter(x=[], y=[], mode="lines", line=dict(color=palette.rgb(c)))]
        self.band_fig = figure(traces)
        self.inter_button = panel.button("lab.inter.button", "tp-lab-interference")
        self.inter_table = W.HTML()
        self.inter_table.add_class("tp-lab-interference-table")
        self.rows = self.ensembles = self.interference = None
        panel.on_click(self.knobs_button, self.run_knobs)
        panel.on_click(self.band_button, self.run_band)
        panel.on_click(self.inter_button, self.run_interference)
        panel.i18n.call(lambda _: self.render())
        self.buttons = [self.knobs_button, self.band_button, self.inter_button]
        self.widget = W.VBox([
            panel.label(W.HTML(), "lab.knobs.help", "value"), self.knobs_button, self.knobs_table,
            panel.label(W.HTML(), "lab.band.help", "value"), W.HBox([self.n_seeds, self.lr_a, self.lr_b]),
            self.band_button, widget_of(self.band_fig),
            panel.label(W.HTML(), "lab.inter.help", "value"), self.inter_button, self.inter_table,
        ])

    def _background(self, work, done):
        p = self.panel
        p.start(lambda emit, stop: work(stop), lambda records: None, done, [p.run, *self.buttons], p.stop_button)

    def run_knobs(self):
        """Every knob row, KNOB_REPEATS times each, in the background; then the table."""
        cfg = self.panel.config().replace(epochs=1, unseeded=())
        self._background(lambda stop: knob_matrix(cfg, repeats=KNOB_REPEATS, stop=stop), self._knobs_done)

    def _knobs_done(self, rows):
        if rows is None:  # stopped: the last table stays
            self.panel.status.show("panel.stopped", "ok")
            return
        self.rows = rows
        self.render()
        self.panel.status.show("lab.knobs.done", "ok")

    def run_band(self):
        """Seed ensembles for rates A and B, drawn as mean lines inside min–max bands."""
        lrs = [parse_float(box.value, "learning rate") for box in (self.lr_a, self.lr_b)]
        n = parse_int(self.n_seeds.value, "seeds")
        if not 2 <= n <= MAX_ENSEMBLE_SEEDS:  # core's limit, not the slider's (the page can change its max)
            raise ConfigError("spread_seeds", limit=MAX_ENSEMBLE_SEEDS)
        cfgs = [self.panel.config().replace(lr=lr, unseeded=()).validate() for lr in lrs]
        p = self.panel
        p.start(lambda emit, stop: [seed_ensemble(c, range(n), stop=stop) for c in cfgs], lambda records: None,
                self._band_done, [p.run, *self.buttons], p.stop_button)

    def _band_done(self, ensembles):
        self.ensembles = ensembles
        self.render()
        self.panel.status.show("lab.band.done", "ok")

    def run_interference(self):
        """A alone vs beside B, sharing the global generator and with private ones."""
        cfg = self.panel.config().replace(epochs=1, unseeded=())
        self._background(lambda stop: interference_demo(cfg, stop), self._inter_done)

    def _inter_done(self, demo):
        if demo is None:  # stopped: the last table stays
            self.panel.status.show("panel.stopped", "ok")
            return
        self.interference = demo
        self.render()
        self.panel.status.show("status.ready", "ok")

    def render(self):
        t = self.panel.t
        if self.rows:
            head = "".join(f"<th>{t(k)}</th>" for k in ("lab.knobs.setting", "lab.knobs.seeded", "lab.knobs.identical",
                                                         "lab.knobs.seconds", "lab.knobs.slowdown",
                                                         "lab.knobs.fingerprints"))
            body = "".join(
                f"<tr><td>{html.escape(knob_name(t, r.name))}</td><td>{_yes(self.panel, r.seeded)}</td>"
                f"<td>{_yes(self.panel, r.identical)}</td><td>{r.seconds:.3f} ({r.low:.3f}–{r.high:.3f})</td>"
                f"<td>{_slowdown(t, r)}</td>"
                f"<td><code>{' '.join(fp[:8] for fp in r.fingerprints)}</code></td></tr>" for r in self.rows)
            self.knobs_table.value = (f"<table class='tp-table'><tr>{head}</tr>{body}</table>"
                                      f"<p class='tp-jargon'>{t('lab.knobs.jargon')}</p>")
        with self.band_fig.batch_update():
            self.band_fig.layout.title = t("lab.band.title")
            self.band_fig.layout.xaxis.title, self.band_fig.layout.yaxis.title = t("lab.band.step"), t("lab.band.loss")
            ensembles = list(self.ensembles or [])
            for k in range(2):
                # each name set once per render: inside batch_update a second assignment equal to the trace's
                # current value is dropped, so a generic name set first would win over the rate's
                low, high, mean = self.band_fig.data[3 * k:3 * k + 3]
                if k >= len(ensembles):
                    high.name, mean.name = t("lab.band.minmax"), t("lab.band.mean")
                    continue
                ens = ensembles[k]
                steps = list(range(len(ens.mean)))
                low.x, low.y, high.x, high.y = steps, ens.low, steps, ens.high
                mean.x, mean.y = steps, ens.mean
                mean.name = f"{t('rate.name', lr=ens.runs[0].config.lr)} (n={len(ens.runs)})"
                high.name = f"{t('rate.name', lr=ens.runs[0].config.lr)} {t('lab.band.minmax')}"
        hint_until_drawn(self.band_fig, t("chart.hint", button=t("lab.band.button")))
        if self.interference is not None:
            d = self.interference
            rows = [("lab.inter.shared", d.shared_alone, d.shared_beside, d.shared_reproducible),
                    ("lab.inter.private", d.private_alone, d.private_beside, d.private_reproducible)]
            body = "".join(
                f"<tr><td>{t(name)}</td><td><code>{a[:12]}</code></td><td><code>{b[:12]}</code></td>"
                f"<td><b style='color:{palette.OK if same else palette.ERROR}'>"
                f"{t('lab.inter.same' if same else 'lab.inter.changed')}</b></td></tr>" for name, a, b, same in rows)
            self.inter_table.value = (f"<table class='tp-table'><tr><th></th><th>{t('lab.inter.alone')}</th>"
                                      f"<th>{t('lab.inter.beside')}</th><th></th></tr>{body}</table>")
