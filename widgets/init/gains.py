"""The gain table of the init panel: calculate_gain per activation, and PyTorch's default init explained."""
from __future__ import annotations

import math

import ipywidgets as W

from core import ACTIVATIONS, LEAKY_SLOPE, calculate_gain, expected_std, product_moments

from ..shell.i18n import register

register({
    "init.gain.head": ("<h3>Gains: how much to scale for each activation</h3>", "<h3>增益：不同激活函数该放大多少</h3>"),
    "init.gain.col_act": ("activation", "激活函数"),
    "init.gain.col_gain": ("calculate_gain", "calculate_gain"),
    "init.gain.col_formula": ("formula", "公式"),
    "init.gain.col_kaiming": ("Kaiming std, fan_in = {fan_in}", "Kaiming 标准差（fan_in = {fan_in}）"),
    "init.gain.col_xavier": ("Xavier std, {fan_in}→{fan_in}", "Xavier 标准差（{fan_in}→{fan_in}）"),
    "init.gain.gelu": ("√2 (torch has no gelu gain; relu's is the usual stand-in)",
                       "√2（torch 没有 gelu 的增益，通常借用 relu 的）"),
    "init.gain.rules": ("Kaiming/He: std = gain / √fan_in (keeps the forward signal's scale). "
                        "Xavier/Glorot: std = gain · √(2 / (fan_in + fan_out)) (a compromise between the forward and "
                        "backward pass). A uniform U(−b, b) has std b / √3.",
                        "Kaiming/He：std = gain / √fan_in（保持前向信号的尺度）。Xavier/Glorot：std = gain · "
                        "√(2 / (fan_in + fan_out))（在前向与反向传播之间折中）。均匀分布 U(−b, b) 的标准差是 b / √3。"),
    "init.gain.default": ("<b>PyTorch's default</b> for nn.Linear and nn.Conv2d is kaiming_uniform_(a=√5): the "
                          "leaky-ReLU gain with slope √5 is √(2 / (1 + 5)) = {gain:.3f}, the bound is "
                          "gain · √(3 / fan_in) = 1 / √fan_in, so std = 1 / √(3 · fan_in) — {default:.4f} for "
                          "fan_in = {fan_in}, against Kaiming's {kaiming:.4f} for ReLU. Each ReLU layer then keeps "
                          "only 1/6 of E[x²] instead of all of it, so a deep default network shrinks its "
                          "activations layer after layer: a historical accident, not a design.",
                          "<b>PyTorch 的默认初始化</b>（nn.Linear 与 nn.Conv2d）是 kaiming_uniform_(a=√5)：斜率为 √5 的 "
                          "leaky-ReLU 增益是 √(2 / (1 + 5)) = {gain:.3f}，边界为 gain · √(3 / fan_in) = 1 / √fan_in，"
                          "因此标准差 = 1 / √(3 · fan_in)——fan_in = {fan_in} 时为 {default:.4f}，而 ReLU 的 Kaiming "
                          "初始化是 {kaiming:.4f}。于是每经过一层 ReLU，E[x²] 只剩 1/6 而不是保持不变，"
                          "深层的默认网络的激活值会一层层缩小：这是历史遗留，而非有意设计。"),
    "init.gain.errata": ("<b>Two slips in the course, measured.</b> “After ReLU the std becomes 0.5” is the mean "
                         "of squares: for y = relu(a·x) with a, x ~ N(0, 1), E[y²] = {mean_sq:.3f} (exactly 1/2) and "
                         "E[y] = {mean:.3f} (1/π), so the std is √(E[y²] − E[y]²) = {std:.3f} (exactly "
                         "√(1/2 − 1/π²) ≈ 0.631). The gain table's <code>sqrt(2/1+neg_slope^2)</code> needs "
                         "brackets: √(2 / (1 + slope²)); as written it reads √(2 + slope²).",
                         "<b>课程里的两处笔误（已测量）。</b>“经过 ReLU 后标准差变为 0.5”其实是平方的均值：对 "
                         "y = relu(a·x)，a, x ~ N(0, 1)，E[y²] = {mean_sq:.3f}（恰为 1/2），E[y] = {mean:.3f}（1/π），"
                         "所以标准差为 √(E[y²] − E[y]²) = {std:.3f}（恰为 √(1/2 − 1/π²) ≈ 0.631）。增益表中的 "
                         "<code>sqrt(2/1+neg_slope^2)</code> 需要加括号：√(2 / (1 + slope²))；照原样读是 √(2 + slope²)。"),
})

FAN_IN = 64  # the digits images have 8 × 8 = 64 inputs, and 64 is the panel's default width
FORMULAS = {"relu": "√2", "leaky_relu": f"√(2 / (1 + {LEAKY_SLOPE}²))", "tanh": "5/3", "sigmoid": "1",
            "linear": "1", "selu": "3/4"}


def gain_table(panel):
    """An HTML widget (class tp-init-gains) with the table; it relabels on a language switch."""
    box = W.HTML()
    box.add_class("tp-init-gains")
    relu = product_moments(relu=True)  # 10,000 draws from a private seeded generator: cheap, and the same every time

    def render(i18n):
        t = i18n.t
        head = "".join(f"<th style='padding:2px 10px'>{h}</th>" for h in (
            t("init.gain.col_act"), t("init.gain.col_gain"), t("init.gain.col_formula"),
            t("init.gain.col_kaiming", fan_in=FAN_IN), t("init.gain.col_xavier", fan_in=FAN_IN)))
        rows = []
        for act in ACTIVATIONS:
            formula = FORMULAS.get(act) or t("init.gain.gelu")
            cells = (f"<code>{act}</code>", f"{calculate_gain(act):.4f}", formula,
                     f"{expected_std('kaiming_normal', FAN_IN, FAN_IN, act):.4f}",
                     f"{expected_std('xavier_normal', FAN_IN, FAN_IN, act):.4f}")
            rows.append("<tr>" + "".join(f"<td style='padding:2px 10px'>{c}</td>" for c in cells) + "</tr>")
        default = t("init.gain.default", gain=calculate_gain("leaky_relu", math.sqrt(5)), fan_in=FAN_IN,
                    default=expected_std("pytorch_default", FAN_IN, FAN_IN, "relu"),
                    kaiming=expected_std("kaiming_normal", FAN_IN, FAN_IN, "relu"))
        errata = t("init.gain.errata", mean_sq=relu.mean_sq, mean=relu.mean,
                   std=math.sqrt(relu.mean_sq - relu.mean**2))
        box.value = (f"{t('init.gain.head')}<table><tr>{head}</tr>{''.join(rows)}</table>"
                     f"<p>{t('init.gain.rules')}</p><p>{default}</p><p class='tp-init-errata'>{errata}</p>")

    panel.i18n.call(render)
    return box
