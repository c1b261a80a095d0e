"""Zero-init symmetry in the init panel: first-layer weights after a short run, zeros beside a random scheme."""
from __future__ import annotations

import ipywidgets as W
import plotly.graph_objects as go

from core import symmetry_demo

from ..shell.figures import figure, show_hint, widget_of
from ..shell.i18n import register

register({
    "init.sym.head": ("<h3>Zero init: every hidden unit stays a copy of the others</h3>",
                      "<h3>零初始化：每个隐藏单元始终是其他单元的复制品</h3>"),
    "init.sym.help": ("Trains the one-hidden-layer network for {steps} steps twice — from all-zero weights and from "
                      "the scheme chosen above (Kaiming if that is zeros) — and shows the first layer's weights: one "
                      "row per hidden unit, one column per pixel. Identical rows mean identical units: they get the "
                      "same gradient, so no step can ever tell them apart.",
                      "把单隐藏层网络训练 {steps} 步，做两次——一次从全零权重开始，一次用上面选的初始化方案（若选的是 "
                      "zeros 则用 Kaiming）——然后画出第一层权重：每行是一个隐藏单元，每列是一个像素。行完全相同，"
                      "单元就完全相同：它们得到同样的梯度，所以任何一步更新都无法把它们区分开。"),
    "init.sym.run": ("Train from zeros vs random", "从零与从随机分别训练"),
    "init.sym.title": ("{scheme}: first-layer weights after {steps} steps", "{scheme}：训练 {steps} 步后的第一层权重"),
    "init.sym.units": ("hidden unit", "隐藏单元"),
    "init.sym.inputs": ("input pixel", "输入像素"),
    "init.sym.one": ("{scheme}: 1 distinct unit out of {width} — all {width} hidden units are the same unit.",
                     "{scheme}：{width} 个隐藏单元中只有 1 个互不相同——{width} 个单元其实是同一个。"),
    "init.sym.all_zero": ("every weight is exactly 0:<br>no gradient ever reached them",
                          "每个权重都恰好是 0：<br>从来没有梯度到达它们"),
    "init.sym.weight": ("weight", "权重"),
    "init.sym.hint": ("Press “{button}”.", "按“{button}”。"),
    "init.sym.many": ("{scheme}: {distinct} distinct units out of {width}.",
                      "{scheme}：{width} 个隐藏单元中有 {distinct} 个互不相同。"),
})

STEPS = 60
SYMMETRIC = ("zeros", "ones", "constant")  # schemes that give every unit the same weights


class SymmetrySection:
    """Button run; heatmaps figs[0] (zeros) and figs[1] (random); sentences; results after a run."""

    def __init__(self, panel):
        self.panel = panel
        self.run = panel.button("init.sym.run", "tp-init-symmetry", "info", "clone")
        panel.on_click(self.run, self.compare)
        # one colour scale for both sides (zmin/zmax set per run), its bar drawn once, on the right
        self.figs = [figure([go.Heatmap(z=[[0.0]], colorscale="RdBu", zmid=0, showscale=i == 1)], height=320,
                            width=430) for i in range(2)]
        self.sentences = [W.HTML() for _ in range(2)]
        for s in self.sentences:
            s.add_class("tp-init-symmetry-text")
        self.results = []
        panel.i18n.call(lambda _: self._retitle())
        self.widget = W.VBox([panel.label(W.HTML(), "init.sym.head", "value"),
                              panel.label(W.HTML(), "init.sym.help", "value", steps=STEPS), self.run,
                              W.HBox([W.VBox([widget_of(f), s]) for f, s in zip(self.figs, self.sentences)])])

    def compare(self):
        """Train from zeros and from the panel's scheme (same activation, width, seed) and draw both."""
        p = self.panel
        seed = p.read_seed()
        other = p.scheme.value if p.scheme.value not in SYMMETRIC else "kaiming_normal"
        self.results = [symmetry_demo(s, p.activation.value, STEPS, seed, p.width.value) for s in ("zeros", other)]
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
                                               yref="paper", x=0.5, y=0.5, showarrow=False, bgcolor="white",
                                               font=dict(size=13, color="#b00020"))] if all_zero else []
                fig.data[0].colorbar.title = t("init.sym.weight")
                fig.layout.title = t("init.sym.title", scheme=r.scheme, steps=STEPS) if r else ""
                fig.layout.xaxis.title = t("init.sym.inputs")
                fig.layout.yaxis.title = t("init.sym.units")
            show_hint(fig, None if r else t("init.sym.hint", button=t("init.sym.run")))  # outside the batch: it reads the annotations
            key = "init.sym.one" if r and r.distinct == 1 else "init.sym.many"
            self.sentences[i].value = t(key, scheme=r.scheme, distinct=r.distinct, width=r.width) if r else ""
