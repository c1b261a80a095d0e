"""Panel 5 — losses: naive vs stable log-softmax as the logits grow, CE = nll(log_softmax), MSE vs CE."""
from __future__ import annotations

import math

import ipywidgets as W
import plotly.graph_objects as go

from core import BASE_LOGITS, check_scale, ConfigError, SCALE_RANGE, scaled_log_softmax

from ..shell.figures import figure, widget_of
from ..shell.i18n import register
from .gradients import P_RANGE, GradientCurves
from ..shell.panel import Panel
from ..shell.parse import parse_float, parse_int
from ..shell.settings import Setting, control

register({
    "losses.scale": ("Logit scale", "logit 缩放倍数"),
    "losses.scale_text": ("or type", "或输入"),
    "losses.target": ("Target class", "目标类别"),
    "losses.scale_what": ("logit scale", "logit 缩放倍数"),
    "losses.target_what": ("target class", "目标类别"),
    "losses.p_what": ("probability of the true class", "真实类别的概率"),
    "losses.help": ("The logits [2, 1, 0.1, −1] are multiplied by the scale and fed to log-softmax in float32, "
                    "once by the textbook formula log(exp(z) / Σ exp(z)) and once by the stable one. "
                    "Move the scale up and watch the naive bars break.",
                    "把 logits [2, 1, 0.1, −1] 乘以缩放倍数，再以 float32 计算 log-softmax：一次用教科书公式 "
                    "log(exp(z) / Σ exp(z))，一次用稳定的公式。把缩放倍数调大，看朴素公式的柱子如何崩溃。"),
    "losses.lesson": ("<b>exp(1000) = inf in float32: the naive formula gives NaN; "
                      "log-sum-exp subtracts the max first.</b>",
                      "<b>在 float32 中 exp(1000) = inf：朴素公式得到 NaN；log-sum-exp 先减去最大值。</b>"),
    "losses.naive": ("naive log(exp(z) / Σ exp(z))", "朴素公式 log(exp(z) / Σ exp(z))"),
    "losses.stable": ("stable z − max − log Σ exp(z − max)", "稳定公式 z − max − log Σ exp(z − max)"),
    "losses.bars_title": ("log-softmax of [2, 1, 0.1, −1] × {scale:.4g} (float32)",
                          "[2, 1, 0.1, −1] × {scale:.4g} 的 log-softmax（float32）"),
    "losses.class": ("class", "类别"),
    "losses.value": ("log-softmax value", "log-softmax 值"),
    "losses.broken": ("At this scale the naive formula gives {bad} non-finite value(s) out of {n}; "
                      "the stable one gives none.",
                      "在此缩放倍数下，朴素公式有 {bad}/{n} 个值不是有限数；稳定公式一个也没有。"),
    "losses.fine": ("At this scale both formulas agree.", "在此缩放倍数下，两种公式结果一致。"),
    "losses.where": ("The naive formula first fails at scale ≈ {breaks:.1f}: exp(z_min − z_max) rounds to 0 and "
                     "log 0 = −inf. From ≈ {nan:.1f} on, exp(2 × scale) exceeds 3.4e38, becomes inf, and "
                     "inf / inf = NaN.",
                     "朴素公式在缩放倍数约 {breaks:.1f} 时首次失效：exp(z_min − z_max) 下溢为 0，log 0 = −inf。"
                     "从约 {nan:.1f} 起，exp(2 × 缩放倍数) 超过 3.4e38 变成 inf，而 inf / inf = NaN。"),
    "losses.ce_chain": ("Target class {t}: log_softmax(z)[{t}] = {picked:.6g}. nll picks that entry by integer "
                        "indexing and negates it: {nll:.6g}. cross_entropy(z, {t}) = {ce:.6g}; "
                        "torch.nn.functional.cross_entropy gives {torch_ce:.6g}.",
                        "目标类别 {t}：log_softmax(z)[{t}] = {picked:.6g}。nll 用整数索引取出这一项并取负：{nll:.6g}。"
                        "cross_entropy(z, {t}) = {ce:.6g}；torch.nn.functional.cross_entropy 的结果为 {torch_ce:.6g}。"),
    "err.scale_range": ("The logit scale must be a number from {lo:g} to {hi:g}.",
                        "logit 缩放倍数必须是 {lo:g} 到 {hi:g} 之间的数。"),
    "err.target_range": ("The target class must be a whole number from 0 to {top}.",
                         "目标类别必须是 0 到 {top} 之间的整数。"),
    "err.p_range": ("The probability of the true class must be from 0.01 to 0.99.",
                    "真实类别的概率必须在 0.01 到 0.99 之间。"),
})

CLASSES = [f"z{i}" for i in range(len(BASE_LOGITS))]
NAIVE, BROKEN, STABLE = "#ff7f0e", "#b00020", "#1f77b4"


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
        self.target.observe(self.guard(lambda _: self.draw()), "value")
        self.gradients = GradientCurves(self)
        self.draw()
        self.i18n.call(lambda _: self._describe())
        help_ = self.label(W.HTML(), "losses.help", "value")
        self.lesson = self.label(W.HTML(), "losses.lesson", "value")
        self.root.children = [
            help_, W.HBox([self.scale, self.scale_text, self.target]),
            self.lesson, widget_of(self.bars_fig), self.note, self.gradients.box, self.share_box(),
        ]

    def _typed(self) -> float:
        return parse_float(self.scale_text.value, self.t("losses.scale_what"))

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
        raise ConfigError(f"The target class must be a whole number from 0 to {len(CLASSES) - 1}.",
                          "target_range", top=len(CLASSES) - 1)
    return target


def check_p(p: float) -> float:
    """A shared probability of the true class, within the slider's range."""
    if not P_RANGE[0] <= p <= P_RANGE[1]:
        raise ConfigError("The probability of the true class must be from 0.01 to 0.99.", "p_range")
    return p
