"""Panel 1 — learning rate: four presets racing on one chart, a custom rate, the LR finder, a loss surface."""
from __future__ import annotations

import math

import ipywidgets as W
import plotly.graph_objects as go

from core import (LR_PRESETS, OPTIMIZERS, SCHEDULES, SUGGESTION_DIVISOR, ConfigError, RunConfig, classify_regime,
                  lr_find, lr_sweep)

from ..shell.figures import LOG_AXIS, figure, log_nticks, show_hint, widget_of
from ..shell.overlays import KEEP, Overlays, spare_traces
from .chart import mark_edges
from .band import SEED_COUNTS, FinderBand
from .grid import BatchRateGrid
from .schedule import WARMUP_STEPS, ScheduleSection
from .surface import LossSurface
from ..shell.panel import Panel
from ..shell.parse import check_choice, is_whole_in, parse_float
from ..shell.runner import Events
from ..shell.settings import RunSettings, control
from ..shell import palette

PRESET_ORDER = ("too_small", "good", "too_large", "diverged")
# the presets in their regime's colour, the custom rates in the series colours after them
COLOURS = (*(palette.REGIME_COLOURS[regime] for regime in PRESET_ORDER), *palette.SERIES[len(PRESET_ORDER):])
CUSTOM_SLOTS = 3


class LRPanel(Panel):
    """Learning-rate panel; attributes run, stop, lr_input, add, finder, loss_fig, finder_fig, surface_fig."""

    name = "lr"
    schema = (RunSettings(lambda p: p.base, lambda p, cfg: setattr(p, "base", cfg)),
              control("custom_lr", "lr_input", lambda p, v: str(v)),
              control("surface_lr", "surface_lr", lambda p, v: parse_float(v, "step size")),
              control("surface_optimizer", "surface.optimizer", lambda p, v: check_choice(v, OPTIMIZERS, "optimizer")),
              control("sched", "schedule.pick", lambda p, v: check_choice(v, SCHEDULES, "schedule")),
              control("sched_lr", "schedule.peak", lambda p, v: str(v)),
              control("sched_warmup", "schedule.warmup", lambda p, v: _whole(v, *WARMUP_STEPS)),
              control("band_seeds", "band.seeds", lambda p, v: _whole(v, *SEED_COUNTS)),
              control("grid_batches", "grid.batches", lambda p, v: str(v)),
              control("grid_rates", "grid.rates", lambda p, v: str(v)))

    def __init__(self, ctx):
        super().__init__(ctx)
        self.base = RunConfig(epochs=2)
        self.run = self.button("lr.run", "tp-run", "primary", "play")
        self.stop_button = self.button("panel.stop", "tp-stop", "warning", "stop")
        self.stop_button.disabled = True
        self.lr_input = W.Text(value="0.03", layout=W.Layout(width="18em"), style={"description_width": "initial"})
        self.lr_input.add_class("tp-lr")
        self.label(self.lr_input, "lr.custom")
        self.add = self.button("lr.add", "tp-lr-add")
        self.finder = self.button("lr.find")
        self.summary = W.HTML()
        curves = [go.Scatter(x=[], y=[], mode="lines", line=dict(color=c), visible=i < 4)
                  for i, c in enumerate(COLOURS[:4 + CUSTOM_SLOTS])]
        self.loss_fig = figure([*curves, *spare_traces(curves[0], len(PRESET_ORDER) * KEEP)], yaxis=LOG_AXIS,
                               height=380)
        # a run of the presets (or a custom rate's curve replaced) leaves its curves behind, faded
        first_spare = len(curves)
        self.earlier = Overlays(self, (self.loss_fig, range(first_spare, first_spare + len(PRESET_ORDER) * KEEP)))
        self.curves = {}  # slot -> the raw losses drawn there (inf/NaN kept: the chart marks where they start)
        self.finder_fig = figure([go.Scatter(x=[], y=[], mode="lines"),
                                  go.Scatter(x=[], y=[], mode="lines", line=dict(dash="dash", color=palette.RED))],
                                 xaxis={**LOG_AXIS, "nticks": log_nticks(-5, 1)})  # the finder sweeps 1e-5 … 10
        self.finder_result = None
        self.finder_note = W.HTML()
        self.finder_note.add_class("tp-lr-finder-note")
        self.surface = LossSurface(self)
        self.surface_fig, self.surface_lr = self.surface.fig, self.surface.slider
        self.schedule, self.band, self.grid = ScheduleSection(self), FinderBand(self), BatchRateGrid(self)
        self.on_click(self.run, self.run_presets)
        self.on_click(self.stop_button, self.stop)
        self.on_click(self.add, self.add_custom)
        self.on_click(self.finder, self.find)
        self._custom_used = 0
        self.results = {}
        self.i18n.call(lambda _: self._retitle())
        help_ = self.label(W.HTML(), "lr.help", "value")
        self.sections(
            ("race", [help_, W.HBox([self.run, self.stop_button, self.lr_input, self.add, self.finder,
                              self.earlier.clear_button]),
                      widget_of(self.loss_fig), self.summary]),
            ("finder", [widget_of(self.finder_fig), self.finder_note]),
            ("surface", [self.surface.box]),
            ("band", [self.band.box]), ("schedules", [self.schedule.box]), ("grid", [self.grid.box, self.share_box()]),
        )

    # -- the race of four presets --------------------------------------------------------
    def run_presets(self):
        """Train the four presets side by side; curves grow live. The last run's curves stay, faded; an added
        rate's curve stays as it is."""
        if self.refuse_if_busy():
            return
        slots = list(range(len(PRESET_ORDER)))
        with self.loss_fig.batch_update():  # the faded copies and the emptied curves: one message, at once
            self.earlier.remember(slots)
            for slot, key in zip(slots, PRESET_ORDER):
                self.results.pop(slot, None)
                trace = self.loss_fig.data[slot]
                trace.x, trace.y, trace.name = [], [], self.t("rate.name", lr=LR_PRESETS[key])
        self._launch([LR_PRESETS[k] for k in PRESET_ORDER], slots)

    def add_custom(self):
        """Train the typed rate as one more curve (validated first)."""
        if self.refuse_if_busy():
            return
        lr = parse_float(self.lr_input.value, "learning rate")
        self.base.replace(lr=lr).validate()
        slot = 4 + self._custom_used % CUSTOM_SLOTS
        self._custom_used += 1
        self.results.pop(slot, None)
        with self.loss_fig.batch_update():
            self.earlier.remember([slot])  # a fourth added rate takes the first one's place: that one stays, faded
            trace = self.loss_fig.data[slot]
            trace.x, trace.y, trace.name, trace.visible = [], [], self.t("rate.name", lr=lr), True
        self._launch([lr], [slot])

    def _launch(self, lrs, slots):
        cfg = self.base.validate()
        for slot in slots:
            self.curves[slot] = []

        def work(emit, stop):
            return lr_sweep(cfg, lrs, callbacks=[Events(emit)], stop=stop)

        def flush(records):
            fresh = {slot: ([], []) for slot in slots}
            for kind, record in records:
                if kind == "step":
                    xs, ys = fresh[slots[record["run"]]]
                    xs.append(record["step"])
                    # inf/NaN leave a gap in the line; mark_edges labels where it starts
                    ys.append(record["loss"] if math.isfinite(record["loss"]) else None)
                    self.curves[slots[record["run"]]].append(record["loss"])
            with self.loss_fig.batch_update():
                for slot, (xs, ys) in fresh.items():
                    self.loss_fig.extend(slot, xs, ys)
                mark_edges(self.loss_fig, self.curves, COLOURS, self.t)

        def done(histories):
            for slot, h in zip(slots, histories):
                self.results[slot] = h
            self._retitle()
            stopped = any(h.stopped for h in histories)
            self.status.show("panel.stopped" if stopped else "status.ready", "ok")

        self.start(work, flush, done, [self.run, self.add, self.finder], self.stop_button)

    def _retitle(self):
        t, rows = self.t, []
        with self.loss_fig.batch_update():
            self.loss_fig.layout.title = t("lr.loss_title")
            self.loss_fig.layout.xaxis.title = t("lr.step")
            self.loss_fig.layout.yaxis.title = t("lr.axis.loss")
            for slot, h in sorted(self.results.items()):
                regime = t(f"lr.regime.{classify_regime(h)}")
                self.loss_fig.data[slot].name = f"{self.t('rate.name', lr=h.config.lr)} · {regime}"
                where = t("lr.at_step", step=h.diverged_at) if h.diverged_at is not None else ""
                final = f"{h.final_loss:.4g}" if math.isfinite(h.final_loss) else "inf/NaN"
                rows.append(f"<tr><td>{self.t('rate.name', lr=h.config.lr)}</td><td><b>{regime}</b>{where}</td>"
                            f"<td>{final}</td><td><code>{h.fingerprint[:12]}</code></td></tr>")
            mark_edges(self.loss_fig, self.curves, COLOURS, t)
        with self.finder_fig.batch_update():
            self.finder_fig.layout.title = t("lr.finder_title")
            self.finder_fig.layout.xaxis.title = t("lr.axis.rate")
            self.finder_fig.layout.yaxis.title = t("lr.axis.smoothed")
            self.finder_fig.data[0].name, self.finder_fig.data[1].name = t("lr.trace.loss"), t("lr.trace.suggestion")
            show_hint(self.finder_fig, None if self.finder_result else t("lr.finder_hint", button=t("lr.find")))
        self._describe_suggestion()
        head = "".join(f"<th>{t('lr.col.' + c)}</th>" for c in ("rate", "regime", "final", "fingerprint"))
        self.summary.value = (f"<table class='tp-lr-table'><tr>{head}</tr>{''.join(rows)}</table>"
                              f"<p class='tp-jargon'>{t('jargon.fingerprint')}</p>") if rows else ""

    # -- LR finder -----------------------------------------------------------------------
    def find(self):
        """Run the LR finder on the panel's model and mark its suggestion."""
        result = self.finder_result = lr_find(self.base, start=1e-5, end=10.0, steps=80)
        finite = [v for v in result.losses if math.isfinite(v)]
        top = max(finite) if finite else 1.0
        with self.finder_fig.batch_update():
            self.finder_fig.data[0].x = result.lrs
            self.finder_fig.data[0].y = [v if math.isfinite(v) else None for v in result.losses]
            self.finder_fig.data[1].x = [result.suggestion, result.suggestion]
            self.finder_fig.data[1].y = [0, top]
            show_hint(self.finder_fig, None)
        self.lr_input.value = f"{result.suggestion:.3g}"
        self._describe_suggestion()
        self.status.show("lr.suggest", "ok", lr=result.suggestion)

    def _describe_suggestion(self):
        r = self.finder_result
        if r is None:
            self.finder_note.value = ""
        elif r.lowest_at is None:
            self.finder_note.value = self.t("lr.suggest_none", lr=r.suggestion)
        else:
            self.finder_note.value = self.t("lr.suggest_how", lr=r.suggestion, lowest=r.lowest_at,
                                            div=SUGGESTION_DIVISOR)


def _whole(value, low, high):
    """A shared slider or box position: a whole number from low to high."""
    if not is_whole_in(value, low, high):
        raise ConfigError("whole_range", low=low, high=high, value=value)
    return value
