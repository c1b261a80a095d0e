"""Panel 3 — seeds and reproducibility: run one config twice and see whether, and where, the runs part."""
from __future__ import annotations

import math

import ipywidgets as W
import plotly.graph_objects as go

from core import run_twice, RunConfig, SEED_PARTS

from ..shell.figures import figure, hint_until_drawn, widget_of
from ..shell.panel import Panel
from ..shell.parse import parse_seed
from ..shell.runner import Events
from ..shell.settings import RunSettings, control
from .lessons import SeedLessons
from .export import ReproduceExport
from .lab import ReproLab
from . import butterfly, divergence, resume, sources
from ..shell import palette

VERDICT_COLOURS = {True: palette.OK, False: palette.ERROR}


class SeedsPanel(Panel):
    """Seeds panel; attributes seed, parts (init/order/split checkboxes), deterministic, benchmark, run,
    stop_button, loss_fig (traces: run 1, run 2, first-difference marker), verdict, fingerprints, lessons."""

    name = "seeds"
    schema = (RunSettings(lambda p: p.config(), lambda p, cfg: p.show_config(cfg), base=lambda p: p.base),
              control("benchmark", "benchmark", lambda p, v: bool(v)),
              *sources.SETTINGS, *butterfly.SETTINGS, *divergence.SETTINGS, *resume.SETTINGS)

    def __init__(self, ctx):
        super().__init__(ctx)
        self.base = RunConfig(epochs=2)
        self.seed = W.Text(layout=W.Layout(width="16em"))
        self.seed.add_class("tp-seed")
        self.label(self.seed, "seeds.seed")
        self.label(self.seed, "seeds.seed_hint", "placeholder")
        self.parts = {}
        for part in SEED_PARTS:
            box = self.label(W.Checkbox(indent=False), f"seeds.part.{part}")
            box.add_class(f"tp-seeds-{part}")
            self.parts[part] = box
        self.deterministic = self.label(W.Checkbox(indent=False), "seeds.deterministic")
        self.benchmark = self.label(W.Checkbox(value=False, indent=False), "seeds.benchmark")
        self.show_config(self.base)
        self.deterministic.add_class("tp-seeds-deterministic")
        self.benchmark.add_class("tp-seeds-benchmark")
        self.run = self.button("seeds.run", "tp-run", "primary", "play")
        self.stop_button = self.button("panel.stop", "tp-stop", "warning", "stop")
        self.stop_button.disabled = True
        self.loss_fig = figure([go.Scatter(x=[], y=[], mode="lines", line=dict(color=palette.BLUE, width=3)),
                                go.Scatter(x=[], y=[], mode="lines", line=dict(color=palette.ORANGE, dash="dash")),
                                go.Scatter(x=[], y=[], mode="markers", marker=dict(
                                    color=palette.TRANSPARENT, size=16, symbol="circle",
                                    line=dict(color=palette.RED, width=3)))])
        self.verdict, self.fingerprints = W.HTML(), W.HTML()
        self.verdict.add_class("tp-seeds-verdict")
        self.fingerprints.add_class("tp-seeds-fingerprints")
        self.result = None  # (history 1, history 2, comparison) of the last finished pair
        self.on_click(self.run, self.run_twice)
        self.on_click(self.stop_button, self.stop)
        self.lessons = SeedLessons(self)
        self.lab = ReproLab(self)
        self.export = ReproduceExport(self)
        self.sources = sources.SpreadSources(self, self.lab)
        self.butterfly = butterfly.Butterfly(self)
        self.divergence = divergence.FirstDivergence(self, self.butterfly)
        self.resume = resume.ResumeCheck(self)
        for box in (self.deterministic, self.benchmark):
            box.observe(self.guard(lambda _: self.lessons.run_audit()), "value")
        self.i18n.call(lambda _: self._render())
        self.sections(
            ("twice", [self.label(W.HTML(), "seeds.help", "value"), self.seed,
                       self.label(W.HTML(), "seeds.parts", "value"), W.HBox(list(self.parts.values())),
                       W.HBox([self.deterministic, self.benchmark]),
                       self.label(W.HTML(), "seeds.benchmark_help", "value"),
                       W.HBox([self.run, self.stop_button]), widget_of(self.loss_fig), self.verdict,
                       self.fingerprints]),
            ("sequences", [self.lessons.widget]), ("lab", [self.lab.widget]), ("sources", [self.sources.widget]),
            ("butterfly", [self.butterfly.widget]), ("divergence", [self.divergence.widget]),
            ("resume", [self.resume.widget]), ("export", [self.export.widget, self.share_box()]),
        )

    # -- controls -> config --------------------------------------------------------------
    def seed_value(self):
        """The seed box as an int or None (empty); bad text or out of range is a ConfigError."""
        seed = parse_seed(self.seed.value)
        self.base.replace(seed=seed).validate()
        return seed

    def config(self) -> RunConfig:
        """The RunConfig both runs share, read from the controls."""
        unseeded = tuple(part for part, box in self.parts.items() if not box.value)
        return self.base.replace(seed=self.seed_value(), unseeded=unseeded,
                                 deterministic=bool(self.deterministic.value)).validate()

    def show_config(self, cfg: RunConfig) -> None:
        """Make cfg the base and show its seed, seeded parts and deterministic flag in the controls."""
        self.base = cfg
        self.seed.value = "" if cfg.seed is None else str(cfg.seed)
        for part, box in self.parts.items():
            box.value = part not in cfg.unseeded
        self.deterministic.value = cfg.deterministic

    # -- run twice -----------------------------------------------------------------------
    def run_twice(self):
        """Train the same config twice, interleaved, overlay the curves, then compare."""
        cfg, benchmark = self.config(), bool(self.benchmark.value)
        self.result = None
        with self.loss_fig.batch_update():
            for trace in self.loss_fig.data:
                trace.x, trace.y = [], []
            self.loss_fig.layout.xaxis.autorange = True
        self._render()

        def work(emit, stop):
            return run_twice(cfg, callbacks=[Events(emit)], stop=stop, benchmark=benchmark)

        def flush(records):
            fresh = ([], []), ([], [])
            for kind, record in records:
                if kind == "step":
                    xs, ys = fresh[record["run"]]
                    xs.append(record["step"])
                    ys.append(record["loss"])  # inf/NaN: a gap, not a spike
            with self.loss_fig.batch_update():
                for run, (xs, ys) in enumerate(fresh):
                    self.loss_fig.extend(run, xs, ys)
            self._hint()

        def done(result):
            self.result = result
            self._render()
            if result[0].stopped or result[1].stopped:
                self.status.show("panel.stopped", "ok")
            else:
                self.status.show("seeds.done.identical" if result[2].identical else "seeds.done.different", "ok")

        self.start(work, flush, done, [self.run], self.stop_button)

    def _render(self):
        with self.loss_fig.batch_update():
            self.loss_fig.layout.title = self.t("seeds.loss_title")
            self.loss_fig.layout.xaxis.title = self.t("seeds.axis.step")
            self.loss_fig.layout.yaxis.title = self.t("seeds.axis.loss")
            for trace, key in zip(self.loss_fig.data, ("seeds.run_a", "seeds.run_b", "seeds.first_diff")):
                trace.name = self.t(key)
            self._render_result()
        self._hint()

    def _hint(self):
        hint_until_drawn(self.loss_fig, self.t("chart.hint", button=self.t("seeds.run")))

    def _render_result(self):
        self._mark_first_difference()
        if self.result is None:
            self.verdict.value = self.fingerprints.value = ""
            return
        first, second, comparison = self.result
        if first.stopped or second.stopped:
            self.verdict.value, self.fingerprints.value = f"<p>{self.t('seeds.stopped')}</p>", ""
            return
        step = comparison.first_diff_step
        detail = (self.t("seeds.same_detail") if comparison.identical
                  else self.t("seeds.diff_detail", step=step, gap=comparison.max_abs_diff))
        colour = VERDICT_COLOURS[comparison.identical]
        word = self.t("seeds.identical" if comparison.identical else "seeds.different")
        self.verdict.value = (f"<div style='font-size:2em;font-weight:bold;color:{colour}'>{word}</div>"
                              f"<p>{detail}</p>")
        self.fingerprints.value = (f"<p>{self.t('seeds.fingerprints')}:<br>"
                                   f"<code>{self.t('seeds.run_a')}: {first.fingerprint[:16]}</code><br>"
                                   f"<code>{self.t('seeds.run_b')}: {second.fingerprint[:16]}</code></p>")

    def _mark_first_difference(self):
        """Ring both runs' losses at the first differing step and say them there; the x-axis starts a little
        before 0 so a difference at step 0 stands clear of the y-axis."""
        marker, fig = self.loss_fig.data[2], self.loss_fig
        comparison = self.result[2] if self.result else None
        step = comparison.first_diff_step if comparison else None
        first, second = (self.result[0], self.result[1]) if self.result else (None, None)
        if step is None or step >= min(first.steps, second.steps):
            marker.x, marker.y, fig.layout.annotations = [], [], []
            return
        losses = [h.train_loss[step] for h in (first, second)]
        shown = [v if math.isfinite(v) else None for v in losses]
        marker.x, marker.y = [step, step], shown
        key = "seeds.diff_mark_start" if step == 0 else "seeds.diff_mark"
        text = self.t(key, step=step, a=f"{losses[0]:.7g}", b=f"{losses[1]:.7g}")
        steps = max(first.steps, second.steps)
        fig.layout.xaxis.range = [-0.03 * steps, 1.01 * steps]
        y = max((v for v in shown if v is not None), default=0)
        fig.layout.annotations = [dict(name="first-difference", x=step, y=y, text=text, showarrow=True, arrowhead=2,
                                       ax=60, ay=60, xanchor="left", align="left",
                                       bgcolor=palette.rgba(palette.WHITE, 0.85), bordercolor=palette.RED,
                                       font=dict(color=palette.ERROR))]
