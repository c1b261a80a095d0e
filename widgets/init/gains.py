"""The gain table of the init panel: calculate_gain per activation, and PyTorch's default init explained."""
from __future__ import annotations

import math

import ipywidgets as W

from core import ACTIVATIONS, LEAKY_SLOPE, calculate_gain, expected_std, product_moments


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
        box.value = (f"<table><tr>{head}</tr>{''.join(rows)}</table>"
                     f"<p>{t('init.gain.rules')}</p><p>{default}</p><p class='tp-init-errata'>{errata}</p>")

    panel.i18n.call(render)
    return box
