"""The deep-matmul sandbox of the init panel: x <- A·x a hundred times, and where the signal ends up."""
from __future__ import annotations

import math

import ipywidgets as W
import plotly.graph_objects as go

from core import MATMUL_DEPTH, MATMUL_WIDTH, ConfigError, deep_matmul, scale_verdict

from ..shell.figures import LOG_AXIS, figure, log_nticks_for, show_hint, widget_of
from ..shell.overlays import KEEP, Overlays, spare_traces
from ..shell.parse import check_choice, is_whole_in
from ..shell import palette


SCALES = (("1", 1.0), ("0.01", 0.01), (f"1/√{MATMUL_WIDTH}", 1 / math.sqrt(MATMUL_WIDTH)),
          (f"√(2/{MATMUL_WIDTH})", math.sqrt(2 / MATMUL_WIDTH)))
SCALE_LABELS = tuple(label for label, _ in SCALES)


def verdict_text(t, verdict) -> str:
    """One sentence for a core scale verdict, in the current language."""
    return t(f"init.verdict.{verdict.kind}", layer=verdict.layer, value=verdict.value)


def finite_or_none(values):
    """Plotly cannot draw inf/NaN: leave a gap instead."""
    return [v if v is not None and math.isfinite(v) else None for v in values]


class MatmulSection:
    """Controls depth, scale, relu, run; figure fig; sentence verdict (set after each run)."""

    def __init__(self, panel):
        self.panel = panel
        self.depth = panel.label(W.IntSlider(value=MATMUL_DEPTH, min=1, max=MATMUL_DEPTH, continuous_update=False),
                                 "init.mm.depth")
        self.scale = panel.label(W.Dropdown(options=list(SCALE_LABELS), value="1",
                                            layout=W.Layout(width="14em")), "init.mm.scale")
        self.relu = panel.label(W.Checkbox(value=False, indent=False), "init.mm.relu")
        self.run = panel.button("init.mm.run", "tp-init-matmul", icon="times")
        panel.on_click(self.run, self.multiply)
        line = go.Scatter(x=[], y=[], mode="lines+markers", marker=dict(size=4), line=dict(color=palette.BLUE))
        self.fig = figure([line, *spare_traces(line, KEEP)], yaxis=LOG_AXIS, height=340, showlegend=True)
        self.earlier = Overlays(panel, (self.fig, range(1, 1 + KEEP)))  # "scale 1, then 0.01": the 1 stays
        self.sentence = W.HTML()
        self.sentence.add_class("tp-init-matmul-verdict")
        self.verdict = self.result = None
        panel.i18n.call(lambda _: self._retitle())
        self.widget = W.VBox([
                              panel.label(W.HTML(), "init.mm.help", "value"),
                              W.HBox([self.depth, self.scale, self.relu, self.run, self.earlier.clear_button]),
                              widget_of(self.fig), self.sentence])

    def multiply(self):
        """Run core.deep_matmul with the controls in the background (Stop ends it), then draw the std per layer.
        The values are checked against core's limits, not the slider's own min/max (the page can change those)."""
        scale = dict(SCALES)[check_choice(self.scale.value, SCALE_LABELS, "scale")]
        depth, relu = check_layers(self.depth.value), check_relu(self.relu.value)
        self.drawn_scale, self.drawn_relu = self.scale.value, relu
        p = self.panel

        def work(emit, stop):
            return deep_matmul(depth=depth, width=MATMUL_WIDTH, scale=scale, relu=relu, stop=stop)

        p.start(work, lambda records: None, self.show, [p.run, p.train_button, self.run], p.stop_button)

    def show(self, result):
        self.result = result
        self.verdict = scale_verdict(self.result.stds, self.result.means, self.result.first_nonfinite)
        self.earlier.remember([0])
        with self.fig.batch_update():
            self.fig.data[0].x = list(range(1, len(self.result.stds) + 1))
            self.fig.data[0].y = finite_or_none(self.result.stds)
        # (after the batch: inside one, the traces still read as they were)
        self.fig.layout.yaxis.nticks = log_nticks_for([y for t in self.fig.data if t.visible is not False
                                                       for y in (t.y or ())])
        self._retitle()
        self.panel.status.show("init.mm.done", "ok", depth=self.depth.value, scale=self.scale.value)

    def _retitle(self):
        t = self.panel.t
        with self.fig.batch_update():
            self.fig.layout.title = t("init.mm.title")
            self.fig.layout.xaxis.title = t("init.mm.layer")
            self.fig.layout.yaxis.title = t("init.mm.std")
            self.fig.data[0].name = self.run_name()
        show_hint(self.fig, None if self.result else t("init.mm.hint", button=t("init.mm.run")))
        note = ""
        r = self.result
        if r is not None and r.vector_nonfinite is not None and r.vector_nonfinite != r.first_nonfinite:
            note = t("init.mm.vector", std_layer=r.first_nonfinite, layer=r.vector_nonfinite)
        self.sentence.value = f"<b>{verdict_text(t, self.verdict)}</b>{note}" if self.verdict else ""


    def run_name(self) -> str:
        """The drawn run in the legend: its scale, and ReLU when it had one."""
        r, t = self.result, self.panel.t
        if r is None:
            return t("init.mm.std")
        return t("init.mm.trace", scale=self.drawn_scale) + (t("init.mm.with_relu") if self.drawn_relu else "")


def check_layers(depth) -> int:
    """A shared number of layers for the sandbox: a whole number from 1 to MATMUL_DEPTH."""
    if not is_whole_in(depth, 1, MATMUL_DEPTH):
        raise ConfigError("matmul_depth", limit=MATMUL_DEPTH)
    return depth


def check_relu(relu) -> bool:
    """A shared ReLU switch: true or false, nothing else."""
    if not isinstance(relu, bool):
        raise ConfigError("matmul_relu")
    return relu
