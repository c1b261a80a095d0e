"""Panel 5 — losses: naive vs stable log-softmax as the logits grow, CE = nll(log_softmax), MSE vs CE."""
from __future__ import annotations

import math

import ipywidgets as W
import plotly.graph_objects as go

from core import BASE_LOGITS, check_scale, ConfigError, SCALE_RANGE, scaled_log_softmax

from ..shell.figures import figure, widget_of
from .gradients import P_RANGE, GradientCurves
from ..shell.panel import Panel
from ..shell.parse import parse_float, parse_int
from ..shell.settings import Setting, control
from ..shell import palette

CLASSES = [f"z{i}" for i in range(len(BASE_LOGITS))]
NAIVE, BROKEN, STABLE = palette.ORANGE, palette.ERROR, palette.BLUE


NUDGE = 1.0  # − 1 / + 1 move the scale by this much: the range where only some classes fail (≈34.7 to ≈44.4)
# is ten such steps wide, against a few pixels of the log slider
BAR_SHIFT = 0.2  # a grouped pair's naive bar sits this far (in categories) left of its class


def number(v: float) -> str:
    """One format for every number on the chart: 4 significant digits, thousands grouped, never e-notation."""
    if not math.isfinite(v):
        return "NaN" if math.isnan(v) else ("inf" if v > 0 else "−inf")
    if v == 0:
        return "0"
    decimals = max(0, 3 - math.floor(math.log10(abs(v))))
    text = f"{v:,.{decimals}f}"
    return (text.rstrip("0").rstrip(".") if "." in text else text).replace("-", "−")


def non_finite_marks(values):
    """The naive bars that have no height: their NaN/±inf written at the zero line, in the bar's place."""
    return [dict(name="non-finite", x=i - BAR_SHIFT, y=0, xref="x", yref="y", yanchor="top", text=number(v),
                 showarrow=False, font=dict(color=BROKEN, size=13))
            for i, v in enumerate(values) if not math.isfinite(v)]


class LossesPanel(Panel):
    """Losses panel; attributes scale, scale_text, target, bars_fig, gradients (loss/grad figs); every control redraws."""

    name = "losses"
    schema = (Setting("scale", lambda p: p.scale.value, lambda p, v: p.set_scale(v),
                      lambda p, v: check_scale(parse_float(v, p.t("losses.scale_what")))),
              control("target", "target", lambda p, v: check_target(parse_int(v, p.t("losses.target_what")))),
              control("p", "gradients.slider", lambda p, v: check_p(parse_float(v, p.t("losses.p_what")))))

    def __init__(self, ctx):
        super().__init__(ctx)
        lo, hi = (math.log10(v) for v in SCALE_RANGE)
        self.scale = W.FloatLogSlider(value=10.0, base=10, min=lo, max=hi, step=0.01, continuous_update=False,
                                      readout_format=".4g", style={"description_width": "initial"})
        self.scale.add_class("tp-losses-scale")
        self.label(self.scale, "losses.scale")
        self.scale_text = W.Text(value="10", continuous_update=False, layout=W.Layout(width="12em"))
        self.scale_text.add_class("tp-losses-scale-text")
        self.label(self.scale_text, "losses.scale_text")
        self.down, self.up = self.button("losses.down", "tp-losses-down"), self.button("losses.up", "tp-losses-up")
        for b in (self.down, self.up):
            self.label(b, "losses.nudge_help", "tooltip")
        self.on_click(self.down, lambda: self.nudge(-NUDGE))
        self.on_click(self.up, lambda: self.nudge(NUDGE))
        self.target = W.Dropdown(options=list(range(len(BASE_LOGITS))), value=0, layout=W.Layout(width="14em"))
        self.target.add_class("tp-losses-target")
        self.label(self.target, "losses.target")
        self.note = W.HTML()
        self.note.add_class("tp-losses-note")
        self.bars_fig = figure([go.Bar(x=CLASSES, y=[0.0] * len(CLASSES), marker=dict(color=colour),
                                       textposition="outside") for colour in (NAIVE, STABLE)],
                               barmode="group", height=360, yaxis=dict(exponentformat="none", separatethousands=True))
        self._syncing = False
        self.scale.observe(self.guard(lambda _: self._syncing or self.set_scale(self.scale.value)), "value")
        self.scale_text.observe(self.guard(lambda _: self._syncing or self.set_scale(self._typed())), "value")
        self.target.observe(self.guard(lambda _: self.draw() or self._said()), "value")
        self.gradients = GradientCurves(self)
        self.draw()
        self.i18n.call(lambda _: self._describe())
        help_ = self.label(W.HTML(), "losses.help", "value")
        self.lesson = self.label(W.HTML(), "losses.lesson", "value")
        self.sections(
            ("softmax", [help_, W.HBox([self.scale, self.down, self.up, self.scale_text, self.target],
                                       layout=W.Layout(flex_flow="row wrap")),
                         self.label(W.HTML(), "losses.nudge_help", "value"),
                         self.lesson, widget_of(self.bars_fig), self.note]),
            ("gradients", [self.gradients.box, self.share_box()]),
        )

    def _typed(self) -> float:
        return parse_float(self.scale_text.value, self.t("losses.scale_what"))

    def nudge(self, by: float):
        """Step the scale by `by`, within SCALE_RANGE (rounded: a log slider's value carries float noise)."""
        self.set_scale(min(max(round(self.scale.value + by, 6), SCALE_RANGE[0]), SCALE_RANGE[1]))

    def set_scale(self, value):
        """Put a checked scale into both the slider and the text box, then redraw."""
        value = check_scale(value)
        self._syncing = True  # the two controls mirror each other; don't let them echo back and forth
        try:
            self.scale.value = value
            self.scale_text.value = f"{value:.6g}"
        finally:
            self._syncing = False
        self.draw()
        self._said()

    def _said(self):
        """The status speaks of this action, not of an earlier run."""
        self.status.show("losses.redrawn", "ok", scale=self.scale.value, target=self.target.value)

    def draw(self):
        """Ask core for both log-softmaxes at the current scale and redraw the bars."""
        r = scaled_log_softmax(self.scale.value, self.target.value)
        lowest = min([v for v in r["naive"] + r["stable"] if math.isfinite(v)] + [-1.0])
        with self.bars_fig.batch_update():
            naive, stable = self.bars_fig.data
            naive.y = [v if math.isfinite(v) else None for v in r["naive"]]  # no height for what has no value
            naive.text = [number(v) if math.isfinite(v) else "" for v in r["naive"]]
            stable.y, stable.text = r["stable"], [number(v) for v in r["stable"]]
            self.bars_fig.layout.annotations = non_finite_marks(r["naive"])
            self.bars_fig.layout.yaxis.range = [lowest * 1.25, -0.15 * lowest]  # room for the labels
        self.result = r
        self._describe()

    def _describe(self):
        r = self.result
        with self.bars_fig.batch_update():
            self.bars_fig.layout.title = self.t("losses.bars_title", scale=r["scale"])
            self.bars_fig.layout.xaxis.title = self.t("losses.class")
            self.bars_fig.layout.yaxis.title = self.t("losses.value")
            self.bars_fig.data[0].name, self.bars_fig.data[1].name = self.t("losses.naive"), self.t("losses.stable")
        bad = sum(not math.isfinite(v) for v in r["naive"])
        state = self.t("losses.broken", bad=bad, n=len(r["naive"])) if bad else self.t("losses.fine")
        chain = self.t("losses.ce_chain", t=r["target"], picked=r["stable"][r["target"]], nll=r["nll"],
                       ce=r["cross_entropy"], torch_ce=r["torch_cross_entropy"])
        where = self.t("losses.where", breaks=r["breaks_at"], nan=r["nan_at"])
        self.note.value = f"<p>{state} {where}</p><p>{chain}</p>"


def check_target(target: int) -> int:
    """A shared target class: one of the classes on the chart."""
    if not 0 <= target < len(CLASSES):
        raise ConfigError("target_range", top=len(CLASSES) - 1)
    return target


def check_p(p: float) -> float:
    """A shared probability of the true class, within the slider's range."""
    if not P_RANGE[0] <= p <= P_RANGE[1]:
        raise ConfigError("p_range")
    return p
