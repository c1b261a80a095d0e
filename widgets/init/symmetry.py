"""Symmetric init in the init panel: first-layer weights after a short run from one constant (identical rows
that move together) beside a random scheme, and what all zeros does (its first layer never moves)."""
from __future__ import annotations

import ipywidgets as W
import plotly.graph_objects as go

from core import SYMMETRIC_SCHEMES, symmetry_demo

from ..shell.figures import figure, show_hint, widget_of
from ..shell import palette

STEPS = 60
SHOWN = "constant"  # the symmetric start drawn: not zero, so the picture shows rows that move and stay equal


class SymmetrySection:
    """Button run; heatmaps figs[0] (constant start) and figs[1] (random); sentences; results and `zeros` after a run."""

    def __init__(self, panel):
        self.panel = panel
        self.run = panel.button("init.sym.run", "tp-init-symmetry", icon="clone")
        panel.on_click(self.run, self.compare)
        # one colour scale for both sides (zmin/zmax set per run), its bar drawn once, on the right
        self.figs = [figure([go.Heatmap(z=[[0.0]], colorscale="RdBu", zmid=0, showscale=i == 1)], height=320,
                            width=430) for i in range(2)]
        self.sentences = [W.HTML() for _ in range(2)]
        for s in self.sentences:
            s.add_class("tp-init-symmetry-text")
        self.results, self.zeros = [], None
        panel.i18n.call(lambda _: self._retitle())
        self.widget = W.VBox([
                              panel.label(W.HTML(), "init.sym.help", "value", steps=STEPS), self.run,
                              W.HBox([W.VBox([widget_of(f), s]) for f, s in zip(self.figs, self.sentences)])])

    def compare(self):
        """Train from a constant, from the panel's scheme and from zeros (same activation, width, seed); draw two."""
        p = self.panel
        seed = p.read_seed()
        other = p.scheme.value if p.scheme.value not in SYMMETRIC_SCHEMES else "kaiming_normal"
        self.results = [symmetry_demo(s, p.activation.value, STEPS, seed, p.width.value) for s in (SHOWN, other)]
        self.zeros = symmetry_demo("zeros", p.activation.value, STEPS, seed, p.width.value)
        p.status.show("init.sym.done", "ok", scheme=other)
        reach = max(abs(v) for r in self.results for row in r.weights for v in row) or 1.0
        for fig, r in zip(self.figs, self.results):
            with fig.batch_update():
                fig.data[0].z, fig.data[0].zmin, fig.data[0].zmax = r.weights, -reach, reach
        self._retitle()

    def _retitle(self):
        t = self.panel.t
        for i, fig in enumerate(self.figs):
            r = self.results[i] if self.results else None
            all_zero = r is not None and not any(v for row in r.weights for v in row)
            with fig.batch_update():
                fig.layout.annotations = [dict(name="all-zero", text=t("init.sym.all_zero"), xref="paper",
                                               yref="paper", x=0.5, y=0.5, showarrow=False, bgcolor=palette.WHITE,
                                               font=dict(size=13, color=palette.ERROR))] if all_zero else []
                fig.data[0].colorbar.title = t("init.sym.weight")
                fig.layout.title = t("init.sym.title", scheme=r.scheme, steps=STEPS) if r else ""
                fig.layout.xaxis.title = t("init.sym.inputs")
                fig.layout.yaxis.title = t("init.sym.units")
            show_hint(fig, None if r else t("init.sym.hint", button=t("init.sym.run")))  # outside the batch: it reads the annotations
            key = "init.sym.one" if r and r.distinct == 1 else "init.sym.many"
            self.sentences[i].value = t(key, scheme=r.scheme, distinct=r.distinct, width=r.width) if r else ""
        if self.results and self.zeros is not None:
            z = self.zeros
            frozen = not any(v for row in z.weights for v in row)  # measured: the first layer never left 0
            self.sentences[0].value += " " + (t("init.sym.zeros_frozen", steps=STEPS) if frozen else
                                              t("init.sym.zeros_moved", steps=STEPS, distinct=z.distinct,
                                                width=z.width))
