"""initialize_weights by module type: a preset of rules applied to the panel's model, with the measured mean and
std of every module (part of panel 7)."""
from __future__ import annotations

import html

import ipywidgets as W

from core import INIT_RULE_PRESETS, init_rules_report


class InitTable:
    """Preset dropdown, Apply button, the table (tp-loop-init-table) and, for the course preset, its sentence."""

    def __init__(self, panel):
        self.panel = panel
        self.preset = panel.label(W.Dropdown(options=[(k, k) for k in INIT_RULE_PRESETS], value="course_normal",
                                             layout=W.Layout(width="28em")), "loop.init.preset")
        self.apply = panel.button("loop.init.apply", "tp-loop-init-apply")
        panel.on_click(self.apply, self.show)
        self.table = W.HTML()
        self.table.add_class("tp-loop-init-table")
        self.rows = None
        panel.i18n.call(lambda _: self.render())
        self.widget = W.VBox([W.HBox([self.preset, self.apply]),
                              self.table])

    def show(self):
        """Apply the chosen preset to the panel's model and tabulate what each module got."""
        self.rows = init_rules_report(self.panel.config(), INIT_RULE_PRESETS[self.preset.value])
        self.render()

    def render(self):
        t = self.panel.t
        chosen = self.preset.value
        self.preset.options = [(t(f"loop.init.preset.{k}"), k) for k in INIT_RULE_PRESETS]
        self.preset.value = chosen  # new labels, the same choice
        if not self.rows:
            self.table.value = ""
            return
        head = "".join(f"<th style='padding:2px 10px'>{c}</th>" for c in t("loop.init.cols").split("|"))
        body = ""
        for row in self.rows:
            got = "; ".join(f"{part}: {name}({', '.join(f'{k}={v}' for k, v in kwargs.items())})"
                            for part, (name, kwargs) in row["got"].items())
            cells = (row["name"], row["type"], got, f"{row['weight_mean']:.4f}", f"{row['weight_std']:.4f}")
            body += "<tr>" + "".join(f"<td style='padding:2px 10px'>{html.escape(str(c))}</td>"
                                     for c in cells) + "</tr>"
        note = ""
        if self.preset.value == "course_normal":
            first = self.rows[0]
            note = f"<p>{t('loop.init.course', mean=first['weight_mean'], std=first['weight_std'])}</p>"
        self.table.value = f"<table><tr>{head}</tr>{body}</table>{note}"
