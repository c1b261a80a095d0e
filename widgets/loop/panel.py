"""Panel 7 — the training loop: switch a classic mistake on beside its line, run it beside the correct loop, read
what it did in numbers, with the health gauges of both runs and the script that reproduces the broken run."""
from __future__ import annotations

import math

import ipywidgets as W
import plotly.graph_objects as go

from core import (NORMS, UPDATE_RATIO_RULE, RunConfig, export_script, mistake_effects, run_with_mistakes)

from ..shell.figures import figure, show_hint, widget_of
from ..shell.options import dropout_pairs, option_pairs, relabel
from ..shell.panel import Panel
from ..shell.runner import Events
from ..shell.settings import RunSettings
from .code import LoopCode
from .init_table import InitTable
from .loaders import LoaderLab
from ..shell import palette


COLOURS = (palette.GREEN, palette.RED)
DROPOUTS = (0.0, 0.3, 0.5)


class LoopPanel(Panel):
    """Loop panel; attributes code (switches), dropout, norm, run, stop_button, loss_fig, acc_fig, ratio_fig,
    layer (the gauges' layer), effects (sentences), health, export, script, histories."""

    name = "loop"
    schema = (RunSettings(lambda p: p.config(), lambda p, cfg: p.show_config(cfg)),)

    def __init__(self, ctx):
        super().__init__(ctx)
        self.base = RunConfig(hidden=(64,), epochs=3, dropout=0.3, norm="batch", stats_every=5)
        self.code = LoopCode(self)
        self.dropouts = DROPOUTS  # the dropout choices (a shared setting may add one)
        self.dropout = self.label(W.Dropdown(options=DROPOUTS, value=0.3, layout=W.Layout(width="14em")),
                                  "loop.dropout")
        self.norm = self.label(W.Dropdown(options=tuple(NORMS), value="batch", layout=W.Layout(width="14em")),
                               "loop.norm")
        self.i18n.call(self._relabel_options)
        self.run = self.button("loop.run", "tp-run", "primary", "play")
        self.stop_button = self.button("panel.stop", "tp-stop", "warning", "stop")
        self.stop_button.disabled = True
        self.on_click(self.run, self.run_pair)
        self.on_click(self.stop_button, self.stop)
        self.loss_fig = self._figure("lines", yaxis=dict(type="log", exponentformat="power"))
        self.acc_fig = self._figure("lines+markers", yaxis=dict(range=[0, 1]))
        self.ratio_fig = self._figure("lines")
        # which layer the update-ratio chart and the dead-unit count speak of (the layers of the last run)
        self.layer = self.label(W.Dropdown(options=("layer1",), value="layer1", layout=W.Layout(width="14em")),
                                "loop.layer")
        self.layer.observe(self.guard(lambda _: self._retitle()), "value")
        self.effects, self.health = W.HTML(), W.HTML()
        self.effects.add_class("tp-loop-effects")
        self.export = self.button("loop.export", "tp-export")
        self.export.disabled = True
        self.script = W.Textarea(layout=W.Layout(width="100%", height="200px", display="none"))
        self.script.add_class("tp-export-text")
        self.on_click(self.export, self.export_broken)
        self.histories = None
        self.init_table, self.loaders = InitTable(self), LoaderLab(self)
        self.i18n.call(lambda _: self._retitle())
        self.sections(
            ("mistakes", [self.label(W.HTML(), "loop.help", "value"), self.code.widget,
                          W.HBox([self.dropout, self.norm, self.run, self.stop_button]),
                          W.HBox([widget_of(self.loss_fig), widget_of(self.acc_fig)],
                                 layout=W.Layout(flex_flow="row wrap")), self.effects]),
            ("health", [self.health, self.layer, widget_of(self.ratio_fig)]),
            ("export", [self.export, self.script]), ("init-rules", [self.init_table.widget]),
            ("loaders", [self.loaders.widget, self.share_box()]),
        )

    def _figure(self, mode, **layout):
        return figure([go.Scatter(x=[], y=[], mode=mode, line=dict(color=c)) for c in COLOURS], height=300, **layout)

    def config(self) -> RunConfig:
        """The panel's run: base settings with the chosen dropout, norm and mistakes."""
        return self.base.replace(dropout=float(self.dropout.value), norm=self.norm.value,
                                 mistakes=self.code.mistakes).validate()

    def run_pair(self):
        """Train the correct and the broken loop side by side; curves grow live."""
        if self.refuse_if_busy():
            return
        cfg = self.config()
        if not cfg.mistakes:
            self.status.show("loop.no_mistake", "error")
            return
        self.histories = None
        self.script.layout.display = "none"
        with self.loss_fig.batch_update(), self.acc_fig.batch_update(), self.ratio_fig.batch_update():
            for fig in (self.loss_fig, self.acc_fig, self.ratio_fig):
                for trace in fig.data:
                    trace.x, trace.y = [], []
        self._retitle()

        def work(emit, stop):
            return run_with_mistakes(cfg.replace(mistakes=()), cfg.mistakes, callbacks=[Events(emit)], stop=stop)

        def flush(records):
            fresh = {(fig, i): ([], []) for fig in ("loss", "acc") for i in (0, 1)}
            for kind, r in records:
                if kind == "step":
                    xs, ys = fresh[("loss", r["run"])]
                    xs.append(r["step"])
                    ys.append(r["loss"] if math.isfinite(r["loss"]) and r["loss"] > 0 else None)
                elif r["val_acc"] is not None:
                    xs, ys = fresh[("acc", r["run"])]
                    xs.append(r["epoch"])
                    ys.append(r["val_acc"])
            for (name, i), (xs, ys) in fresh.items():
                if xs:
                    getattr(self, f"{name}_fig").extend(i, xs, ys)

        def done(histories):
            self.histories = histories
            # every hidden layer the run measured: each has an update ratio and a count of dead units
            self.layer.options = tuple(histories[0].health["dead_fraction"]) or ("layer1",)
            self.export.disabled = False
            self._retitle()
            self.status.show("panel.stopped" if any(h.stopped for h in histories) else "status.ready", "ok")

        self.start(work, flush, done, [self.run, self.export], self.stop_button)

    def _retitle(self):
        t = self.t
        for fig, title, axis in ((self.loss_fig, "loop.loss_title", "loop.step"),
                                 (self.acc_fig, "loop.acc_title", "loop.epoch"),
                                 (self.ratio_fig, "loop.ratio_title", "loop.step")):
            with fig.batch_update():
                fig.layout.title, fig.layout.xaxis.title = t(title, layer=self.layer.value), t(axis)
                fig.data[0].name, fig.data[1].name = t("loop.correct"), t("loop.broken")
            show_hint(fig, None if self.histories or self.busy else t("loop.hint", button=t("loop.run")))
        if not self.histories:
            self.effects.value = self.health.value = ""
            return
        correct, broken = self.histories
        self.effects.value = "<ul>" + "".join(f"<li>{t(row['code'], **row['params'])}</li>"
                                              for row in mistake_effects(correct, broken)) + "</ul>"
        self._draw_health(correct, broken)

    def _draw_health(self, correct, broken):
        layer = self.layer.value

        def dead(h):
            series = h.health["dead_fraction"].get(layer)
            return series["fraction"][-1] if series and series["fraction"] else math.nan

        def initial(h):
            value = h.health["initial_loss"]
            return math.nan if value is None else value

        self.health.value = self.t("loop.health", ok0=initial(correct), bad0=initial(broken),
                                   lnc=correct.health["expected_initial_loss"], okdead=dead(correct),
                                   baddead=dead(broken), layer=layer, rows=correct.health["dead_rows"])
        with self.ratio_fig.batch_update():
            for i, h in enumerate((correct, broken)):
                # Karpathy's std(lr·grad) / std(W): the quantity the 1e-3 line is a rule of thumb for
                series = h.health["lr_grad_ratio"].get(layer, {"step": [], "ratio": []})
                self.ratio_fig.data[i].x = series["step"]
                self.ratio_fig.data[i].y = [math.log10(r) if r > 0 and math.isfinite(r) else None
                                            for r in series["ratio"]]
            rule = math.log10(UPDATE_RATIO_RULE)
            self.ratio_fig.layout.shapes = [dict(type="line", xref="paper", x0=0, x1=1, y0=rule, y1=rule,
                                                 line=dict(dash="dot", color=palette.MUTED), showlegend=True,
                                                 name=self.t("loop.ratio_rule"))]

    def export_broken(self):
        """The plain-PyTorch script of the broken run, its mistakes on marked lines, with its fingerprint."""
        broken = self.histories[1]
        self.script.value = export_script(broken.config, broken.fingerprint)
        self.script.layout.display = None

    def _relabel_options(self, i18n):
        relabel(self.dropout, dropout_pairs(i18n.t, self.dropouts), self)
        relabel(self.norm, option_pairs(i18n.t, "norm", NORMS), self)

    def show_config(self, cfg: RunConfig) -> None:
        """Make cfg (mistakes aside) the base and show its dropout, norm and mistakes in the controls."""
        if float(cfg.dropout) not in DROPOUTS:
            self.dropouts = tuple(sorted({*DROPOUTS, float(cfg.dropout)}))
            relabel(self.dropout, dropout_pairs(self.t, self.dropouts), self)
        self.base = cfg.replace(mistakes=())
        self.dropout.value, self.norm.value = float(cfg.dropout), cfg.norm
        self.code.mistakes = cfg.mistakes
