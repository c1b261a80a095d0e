"""Seeds panel, the one-bit butterfly: twin runs one bit apart, their distance growing on a log axis."""
from __future__ import annotations

import html

import ipywidgets as W
import plotly.graph_objects as go

from core import SIGN_BIT, ConfigError, butterfly

from ..shell.figures import LOG_AXIS, figure, hint_until_drawn, log_nticks, widget_of
from ..shell.parse import is_whole_in
from ..shell.settings import control
from ..shell import palette


def bit_pattern(bits: str, flipped: int) -> str:
    """A float32's 'sign exponent mantissa' bits as HTML, the flipped bit (0 = rightmost) marked."""
    position = [i for i, c in enumerate(bits) if c != " "][::-1][flipped]
    return (html.escape(bits[:position])
            + f"<b style='color:{palette.ERROR};text-decoration:underline'>{bits[position]}</b>"
            + html.escape(bits[position + 1:]))


def check_bit(panel, value) -> int:
    """A shared bit position: a whole number from 0 (lowest mantissa bit) to SIGN_BIT (the sign)."""
    if not is_whole_in(value, 0, SIGN_BIT):
        raise ConfigError("bit_range")
    return value


SETTINGS = (control("butterfly_bit", "butterfly.bit", check_bit),)


class _Distances:
    """Forwards the butterfly's per-step distances to the panel's record stream."""

    def __init__(self, emit):
        self.emit = emit

    def on_distance(self, record):
        self.emit(("distance", record))


class Butterfly:
    """The butterfly section: a bit slider, a button, the distance figure and the two bit patterns."""

    def __init__(self, panel):
        self.panel = panel
        self.bit = panel.label(W.IntSlider(value=0, min=0, max=SIGN_BIT, continuous_update=False), "butterfly.bit")
        self.button = panel.button("butterfly.button", "tp-seeds-butterfly")
        self.fig = figure([go.Scatter(x=[], y=[], mode="lines", line=dict(color=palette.RED, width=3)),
                           go.Scatter(x=[], y=[], mode="lines", line=dict(color=palette.GREY, dash="dot"))])
        self.fig.layout.yaxis.update(LOG_AXIS)
        self.fig.layout.yaxis.range = [-8.5, 0.5]  # 10^-8 (one bit) to order one (different models)
        self.fig.layout.yaxis.nticks = log_nticks(-8.5, 0.5)
        self.bits = W.HTML()
        self.bits.add_class("tp-seeds-butterfly-bits")
        self.result = None
        panel.on_click(self.button, self.run)
        panel.i18n.call(lambda _: self.render())
        self.widget = W.VBox([panel.label(W.HTML(), "butterfly.help", "value"), W.HBox([self.bit, self.button]),
                              widget_of(self.fig), self.bits])

    def run(self):
        """Train the twins with the panel's config, every part seeded, streaming the distances."""
        p = self.panel
        cfg, bit = p.config().replace(unseeded=()), int(self.bit.value)
        self.result = None
        with self.fig.batch_update():
            for trace in self.fig.data:
                trace.x, trace.y = [], []
        self.render()

        def flush(records):
            steps = [r["step"] for kind, r in records if kind == "distance"]
            with self.fig.batch_update():
                for index, key in enumerate(("abs", "rel")):
                    self.fig.extend(index, steps, [r[key] for kind, r in records if kind == "distance"])
            self._hint()

        def done(result):
            self.result = result
            self.render()
            self.panel.status.show("panel.stopped" if result.stopped else "butterfly.done", "ok")

        p.start(lambda emit, stop: butterfly(cfg, bit=bit, callbacks=[_Distances(emit)], stop=stop),
                flush, done, [p.run, self.button], p.stop_button)

    def _hint(self):
        t = self.panel.t
        hint_until_drawn(self.fig, t("chart.hint", button=t("butterfly.button")))

    def render(self):
        t = self.panel.t
        with self.fig.batch_update():
            self.fig.layout.title = t("butterfly.title")
            self.fig.layout.xaxis.title, self.fig.layout.yaxis.title = t("butterfly.step"), t("butterfly.distance")
            self.fig.data[0].name, self.fig.data[1].name = t("butterfly.abs"), t("butterfly.rel")
            if self.result is not None:  # the whole series, step 0 (before any update) included
                r = self.result
                self.fig.data[0].x, self.fig.data[0].y = r.steps, r.abs_distance
                self.fig.data[1].x, self.fig.data[1].y = r.steps, r.rel_distance
        self._hint()
        if self.result is None:
            self.bits.value = ""
            return
        f = self.result.flip
        line = t("butterfly.bits", index=f.index, layer=f.layer, before=f"{f.before:.9g}", after=f"{f.after:.9g}")
        patterns = "<br>".join(f"<code>{bit_pattern(b, f.bit)}</code>" for b in (f.bits_before, f.bits_after))
        a, b = self.result.final_val_acc
        accs = t("butterfly.accs", a=a, b=b) if a is not None and b is not None else ""
        self.bits.value = f"<p>{html.escape(line)}<br>{patterns}</p><p>{accs}</p>"
