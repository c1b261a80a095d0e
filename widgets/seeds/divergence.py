"""Seeds panel, first divergence: the step, layer and pass where the two runs of 'Run twice' first part."""
from __future__ import annotations

import html

import ipywidgets as W

from core import first_divergence

from ..shell.settings import control
from ..shell import palette

SETTINGS = (control("divergence_flip", "divergence.flip", lambda p, v: bool(v)),)
BOX = ("display:inline-block;padding:4px 10px;margin:2px;border-radius:4px;border:2px solid {border};"
       "background:{fill};font-family:monospace")


class FirstDivergence:
    """The divergence section: a flip switch, a button, a diagram of the layers and a sentence."""

    def __init__(self, panel, butterfly):
        self.panel, self.butterfly = panel, butterfly
        self.flip = panel.label(W.Checkbox(value=False, indent=False), "divergence.flip")
        self.button = panel.button("divergence.button", "tp-seeds-divergence")
        self.diagram = W.HTML()
        self.diagram.add_class("tp-seeds-divergence")
        self.result = None
        panel.on_click(self.button, self.run)
        panel.i18n.call(lambda _: self.render())
        self.widget = W.VBox([panel.label(W.HTML(), "divergence.help", "value"), W.HBox([self.flip, self.button]),
                              self.diagram])

    def run(self):
        """first_divergence of the panel's config with itself (as 'Run twice'), or with the one-bit twin."""
        p = self.panel
        cfg = p.config()
        flip = (None, None, int(self.butterfly.bit.value)) if self.flip.value else None
        if flip is not None:
            cfg = cfg.replace(unseeded=())  # twins start equal but for the bit
        self.result = None

        def done(result):
            self.result = result
            self.render()
            key = "divergence.never_status" if result.step is None else "divergence.done"  # what the panel says
            self.panel.status.show("panel.stopped" if result.stopped else key, "ok")

        p.start(lambda emit, stop: first_divergence(cfg, cfg, flip=flip, stop=stop), lambda records: None, done,
                [p.run, self.button], p.stop_button)

    def render(self):
        t, d = self.panel.t, self.result
        if d is None:
            self.diagram.value = ""
            return
        if d.step is None:
            self.diagram.value = f"<p><b style='color:{palette.OK}'>{html.escape(t('divergence.none'))}</b></p>"
            return
        boxes = []
        for name in ("input", *d.layers):
            hit = name == d.layer
            label = t("divergence.input") if name == "input" else name
            style = BOX.format(border=palette.ERROR if hit else palette.NEUTRAL,
                               fill=palette.HIT_FILL if hit else palette.CALM_FILL)
            boxes.append(f"<span style='{style}'>{'<b>' if hit else ''}{html.escape(label)}{'</b>' if hit else ''}</span>")
        where = t(f"divergence.kind.{d.kind}", layer=d.layer)
        sentence = t("divergence.found", step=d.step, where=where, loss=d.loss_step)
        self.diagram.value = f"<div>{' → '.join(boxes)}</div><p>{html.escape(sentence)}</p>"
