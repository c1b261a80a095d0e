"""The deep-matmul sandbox of the init panel: x <- A·x a hundred times, and where the signal ends up."""
from __future__ import annotations

import math

import ipywidgets as W
import plotly.graph_objects as go

from core import ConfigError, deep_matmul, scale_verdict

from ..shell.figures import figure, widget_of
from ..shell.i18n import register

register({
    "init.mm.vector": (" The chart breaks at layer {std_layer}: the float32 sum inside std overflows there, while "
                       "x itself holds inf only from layer {layer}.",
                       " 图在第 {std_layer} 层中断：std 内部的 float32 求和在这一层溢出，而 x 本身从第 {layer} 层才出现 inf。"),
    "init.mm.head": ("<h3>Why init matters: multiply by a random matrix, again and again</h3>",
                     "<h3>初始化为何重要：一次又一次地乘以随机矩阵</h3>"),
    "init.mm.help": ("x starts as 512 standard-normal numbers; each layer draws a fresh 512×512 matrix A with "
                     "entries N(0, 1)·scale and computes x ← A·x. Try scale 1, then 0.01, then 1/√512; "
                     "tick ReLU and see why He/Kaiming needs √(2/512).",
                     "x 起初是 512 个标准正态随机数；每一层都新抽一个 512×512 的矩阵 A（元素为 N(0, 1)·缩放系数），"
                     "并计算 x ← A·x。先试缩放 1，再试 0.01，再试 1/√512；勾选 ReLU，看看为什么 He/Kaiming "
                     "初始化需要 √(2/512)。"),
    "init.mm.depth": ("Layers", "层数"),
    "init.mm.scale": ("Scale of A", "A 的缩放"),
    "init.mm.relu": ("ReLU after each layer", "每层之后接 ReLU"),
    "init.mm.run": ("Multiply", "开始连乘"),
    "init.mm.title": ("Std of x after each layer (log scale; NaN/inf and exact 0 are not drawn)",
                      "每层之后 x 的标准差（对数坐标；NaN/inf 与精确的 0 不画出）"),
    "init.mm.layer": ("layer", "层"),
    "init.mm.std": ("std of x (log scale)", "x 的标准差（对数坐标）"),
    "err.matmul_depth": ("The number of layers must be a whole number from 1 to {limit}.",
                         "层数必须是 1 到 {limit} 之间的整数。"),
    "err.matmul_relu": ("'matmul_relu' must be true or false.", "'matmul_relu' 必须是 true 或 false。"),
    "init.verdict.nonfinite": ("NaN/inf at layer {layer}: the numbers overflowed float32 (max ≈ 3.4e38).",
                               "第 {layer} 层出现 NaN/inf：数值超出了 float32 的上限（约 3.4e38）。"),
    "init.verdict.vanished": ("Vanished to exactly 0 by layer {layer}: the numbers underflowed float32.",
                              "到第 {layer} 层已变成精确的 0：数值低于 float32 能表示的最小值。"),
    "init.verdict.stable": ("Stays near 1: std {value:.3g} after {layer} layers.",
                            "保持在 1 附近：经过 {layer} 层后标准差为 {value:.3g}。"),
    "init.verdict.shrinks": ("Shrinks layer after layer: std {value:.3g} after {layer} layers.",
                             "逐层缩小：经过 {layer} 层后标准差只剩 {value:.3g}。"),
    "init.verdict.grows": ("Grows layer after layer: std {value:.3g} after {layer} layers.",
                           "逐层放大：经过 {layer} 层后标准差已达 {value:.3g}。"),
})

WIDTH = 512  # the course's matrix size
SCALES = (("1", 1.0), ("0.01", 0.01), ("1/√512", 1 / math.sqrt(WIDTH)), ("√(2/512)", math.sqrt(2 / WIDTH)))
MAX_LAYERS = 100


def verdict_text(t, verdict) -> str:
    """One sentence for a core scale verdict, in the current language."""
    return t(f"init.verdict.{verdict.kind}", layer=verdict.layer, value=verdict.value)


def finite_or_none(values):
    """Plotly cannot draw inf/NaN: leave a gap instead."""
    return [v if v is not None and math.isfinite(v) else None for v in values]


class MatmulSection:
    """Controls depth, scale, relu, run; figure fig; sentence verdict (set after each run)."""

    def __init__(self, panel):
        self.panel, t = panel, panel.t
        self.depth = panel.label(W.IntSlider(value=MAX_LAYERS, min=1, max=MAX_LAYERS, continuous_update=False),
                                 "init.mm.depth")
        self.scale = panel.label(W.Dropdown(options=[label for label, _ in SCALES], value="1",
                                            layout=W.Layout(width="14em")), "init.mm.scale")
        self.relu = panel.label(W.Checkbox(value=False, indent=False), "init.mm.relu")
        self.run = panel.button("init.mm.run", "tp-init-matmul", "info", "times")
        panel.on_click(self.run, self.multiply)
        self.fig = figure([go.Scatter(x=[], y=[], mode="lines+markers", marker=dict(size=4))],
                          yaxis=dict(type="log", exponentformat="power"), height=300, showlegend=False)
        self.sentence = W.HTML()
        self.sentence.add_class("tp-init-matmul-verdict")
        self.verdict = self.result = None
        panel.i18n.call(lambda _: self._retitle())
        self.widget = W.VBox([panel.label(W.HTML(), "init.mm.head", "value"),
                              panel.label(W.HTML(), "init.mm.help", "value"),
                              W.HBox([self.depth, self.scale, self.relu, self.run]),
                              widget_of(self.fig), self.sentence])

    def multiply(self):
        """Run core.deep_matmul with the controls and draw the std per layer."""
        scale = dict(SCALES)[self.scale.value]
        self.result = deep_matmul(depth=self.depth.value, width=WIDTH, scale=scale, relu=self.relu.value)
        self.verdict = scale_verdict(self.result.stds, self.result.means, self.result.first_nonfinite)
        with self.fig.batch_update():
            self.fig.data[0].x = list(range(1, len(self.result.stds) + 1))
            self.fig.data[0].y = finite_or_none(self.result.stds)
        self._retitle()

    def _retitle(self):
        t = self.panel.t
        with self.fig.batch_update():
            self.fig.layout.title = t("init.mm.title")
            self.fig.layout.xaxis.title = t("init.mm.layer")
            self.fig.layout.yaxis.title = self.fig.data[0].name = t("init.mm.std")
        note = ""
        r = self.result
        if r is not None and r.vector_nonfinite is not None and r.vector_nonfinite != r.first_nonfinite:
            note = t("init.mm.vector", std_layer=r.first_nonfinite, layer=r.vector_nonfinite)
        self.sentence.value = f"<b>{verdict_text(t, self.verdict)}</b>{note}" if self.verdict else ""

    def settings(self) -> dict:
        return {"matmul_depth": self.depth.value, "matmul_scale": self.scale.value, "matmul_relu": self.relu.value}

    def apply_settings(self, data: dict, check_only=False) -> None:
        """Set the sandbox's controls from settings() keys present in data (all checked before any is set)."""
        depth, scale, relu = (data.get(k, v) for k, v in self.settings().items())
        if isinstance(depth, bool) or not isinstance(depth, int) or not 1 <= depth <= MAX_LAYERS:
            raise ConfigError(f"The number of layers must be a whole number from 1 to {MAX_LAYERS}.",
                              "matmul_depth", limit=MAX_LAYERS)
        labels = [label for label, _ in SCALES]
        if scale not in labels:
            raise ConfigError(f"Unknown scale {scale!r}: choose one of {', '.join(labels)}.", "unknown_choice",
                              what="scale", value=scale, options=", ".join(labels))
        if not isinstance(relu, bool):
            raise ConfigError("'matmul_relu' must be true or false.", "matmul_relu")
        if not check_only:
            self.depth.value, self.scale.value, self.relu.value = depth, scale, relu
