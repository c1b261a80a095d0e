"""Panel 5 — losses: naive vs stable log-softmax as the logits grow, CE = nll(log_softmax), MSE vs CE."""
from __future__ import annotations

import math

import ipywidgets as W
import plotly.graph_objects as go

from core import ConfigError
from core.loss_demos import BASE_LOGITS, SCALE_RANGE, check_scale, scaled_log_softmax

from .figures import figure, widget_of
from .i18n import register
from .loss_gradients import GradientCurves
from .panel import Panel
from .parse import parse_float, parse_int

register({
    "losses.compute": ("Compute", "计算"),
    "losses.no_stop": ("Nothing here runs long: every result is computed at once, so there is nothing to stop.",
                       "这里没有耗时的运行：每个结果都即时算出，所以无需停止。"),
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
    "losses.done": ("Computed at scale {scale:.4g}.", "已按缩放倍数 {scale:.4g} 计算。"),
    "err.scale_range": ("The logit scale must be a number from {lo:g} to {hi:g}.",
                        "logit 缩放倍数必须是 {lo:g} 到 {hi:g} 之间的数。"),
    "err.target_range": ("The target class must be a whole number from 0 to {top}.",
                         "目标类别必须是 0 到 {top} 之间的整数。"),
    "err.p_range": ("The probability of the true class must be from 0.01 to 0.99.",
                    "真实类别的概率必须在 0.01 到 0.99 之间。"),
    "err.unknown_settings": ("Unknown setting(s): {names}.", "未知的设置：{names}。"),
})

CLASSES = [f"z{i}" for i in range(len(BASE_LOGITS))]
NAIVE, BROKEN, STABLE = "#ff7f0e", "#b00020", "#1f77b4"


def bar_values(values, floor):
    """Heights, labels, colours and patterns for the naive bars: a non-finite value is drawn at `floor`, marked."""
    heights, labels, colours, patterns = [], [], [], []
    for v in values:
        ok = math.isfinite(v)
        heights.append(v if ok else floor)
        labels.append(f"{v:.4g}" if ok else ("NaN" if math.isnan(v) else ("inf" if v > 0 else "−inf")))
        colours.append(NAIVE if ok else BROKEN)
        patterns.append("" if ok else "x")
    return heights, labels, colours, patterns


class LossesPanel(Panel):
    """Losses panel; attributes run, stop_button, scale, scale_text, target, bars_fig, gradients (loss/grad figs)."""

    name = "losses"

    def __init__(self, ctx):
        super().__init__(ctx)
        self.run = self.button("losses.compute", "tp-run", "primary", "calculator")
        self.stop_button = self.button("panel.stop", "tp-stop", "warning", "stop")
        self.stop_button.disabled = True
        self.label(self.stop_button, "losses.no_stop", "tooltip")
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
                               barmode="group", height=360)
        self._syncing = False
        self.scale.observe(self.guard(lambda _: self._syncing or self.set_scale(self.scale.value)), "value")
        self.scale_text.observe(self.guard(lambda _: self._syncing or self.set_scale(self._typed())), "value")
        self.target.observe(self.guard(lambda _: self.draw()), "value")
        self.gradients = GradientCurves(self)
        self.on_click(self.run, self.compute)
        self.draw()
        self.i18n.call(lambda _: self._describe())
        help_ = self.label(W.HTML(), "losses.help", "value")
        self.lesson = self.label(W.HTML(), "losses.lesson", "value")
        self.root.children = [
            help_, W.HBox([self.run, self.stop_button, self.scale, self.scale_text, self.target]),
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

    def compute(self):
        """The Compute button: take the typed scale, redraw everything."""
        self.set_scale(self._typed())
        self.gradients.compute()
        self.status.show("losses.done", "ok", scale=self.scale.value)

    def draw(self):
        """Ask core for both log-softmaxes at the current scale and redraw the bars."""
        r = scaled_log_softmax(self.scale.value, self.target.value)
        finite = [v for v in r["naive"] + r["stable"] if math.isfinite(v)]
        floor = 1.15 * min(finite + [-1.0])  # where non-finite bars are drawn: just below the lowest real bar
        heights, labels, colours, patterns = bar_values(r["naive"], floor)
        with self.bars_fig.batch_update():
            naive, stable = self.bars_fig.data
            naive.y, naive.text, naive.marker.color, naive.marker.pattern.shape = heights, labels, colours, patterns
            stable.y, stable.text = r["stable"], [f"{v:.4g}" for v in r["stable"]]
            self.bars_fig.layout.yaxis.range = [floor * 1.25, max(1.0, -0.15 * floor)]
        self.result = r
        self._describe()

    def _describe(self):
        r = self.result
        with self.bars_fig.batch_update():
            self.bars_fig.layout.title = self.t("losses.bars_title", scale=r["scale"])
            self.bars_fig.layout.xaxis.title = self.t("losses.class")
            self.bars_fig.data[0].name, self.bars_fig.data[1].name = self.t("losses.naive"), self.t("losses.stable")
        bad = sum(not math.isfinite(v) for v in r["naive"])
        state = self.t("losses.broken", bad=bad, n=len(r["naive"])) if bad else self.t("losses.fine")
        chain = self.t("losses.ce_chain", t=r["target"], picked=r["stable"][r["target"]], nll=r["nll"],
                       ce=r["cross_entropy"], torch_ce=r["torch_cross_entropy"])
        where = self.t("losses.where", breaks=r["breaks_at"], nan=r["nan_at"])
        self.note.value = f"<p>{state} {where}</p><p>{chain}</p>"

    # -- sharing -------------------------------------------------------------------------
    def settings(self) -> dict:
        return {"scale": self.scale.value, "target": self.target.value, "p": self.gradients.slider.value}

    def apply_settings(self, data: dict) -> None:
        unknown = sorted(set(data) - {"scale", "target", "p"})
        if unknown:
            names = ", ".join(unknown)
            raise ConfigError(f"Unknown setting(s): {names}.", "unknown_settings", names=names)
        # check every value before changing any control, so a bad paste leaves the panel as it was
        scale = check_scale(parse_float(data.get("scale", self.scale.value), self.t("losses.scale_what")))
        target = parse_int(data.get("target", self.target.value), self.t("losses.target_what"))
        if target not in self.target.options:
            raise ConfigError(f"The target class must be a whole number from 0 to {len(CLASSES) - 1}.",
                              "target_range", top=len(CLASSES) - 1)
        p = parse_float(data.get("p", self.gradients.slider.value), self.t("losses.p_what"))
        if not self.gradients.slider.min <= p <= self.gradients.slider.max:
            raise ConfigError("The probability of the true class must be from 0.01 to 0.99.", "p_range")
        self.target.value, self.gradients.slider.value = target, p
        self.set_scale(scale)
