"""Figures created once with their traces; a static fallback where widgets cannot render plotly (Colab)."""
from __future__ import annotations

import contextlib
import math
import os
import sys

import ipywidgets as W
import plotly.graph_objects as go
import plotly.io as pio
from . import palette

# The trace types the panels draw. Their figures carry plotly_white's look for these types only: the whole
# template (defaults for 24 trace types) is 7 kB in every figure's state and is copied and checked as each of the
# page's ~31 figures is built (0.31 against 0.11 CPU-s for 31 figures; tests/test_plot.py checks the list).
TRACE_TYPES = ("scatter", "bar", "heatmap", "contour")
WHITE = pio.templates["plotly_white"]
TEMPLATE = go.layout.Template(layout=WHITE.layout, data={kind: WHITE.data[kind] for kind in TRACE_TYPES})
BASE_LAYOUT = dict(height=330, margin=dict(l=55, r=15, t=40, b=45), template=TEMPLATE,
                   legend=dict(orientation="h", y=-0.22))


# A log axis labels its powers of ten, with 2 and 5 between them when it spans only a decade or two, never
# every digit ("1, 9 8 7 6 5 4 3 2"). plotly.js (axes.autoTicks) labels every digit when range ÷ nticks < 0.3
# decades; with nticks = the decades spanned + 1 it labels each decade (2 and 5 too under about 2 decades). Before
# the span is known (a curve still growing) an axis asks for LOG_TICKS: 2, 5 and decades for 1-3 decades of loss.
LOG_TICKS = 3
MAX_LOG_TICKS = 12  # past about 11 decades (the deep-matmul chart spans dozens) every few decades are labelled
LOG_AXIS = dict(type="log", exponentformat="power", nticks=LOG_TICKS)


def log_nticks(low: float, high: float) -> int:
    """nticks for a log axis from `low` to `high` (powers of ten: its range in log10 units)."""
    span = abs(high - low) if math.isfinite(high - low) else 0.0
    return int(min(max(math.ceil(span) + 1, LOG_TICKS), MAX_LOG_TICKS))


def log_nticks_for(values) -> int:
    """nticks for a log axis drawn around `values` (plotly's autorange: their lowest to highest positive number)."""
    shown = [v for v in values if v is not None and math.isfinite(v) and v > 0]
    return log_nticks(math.log10(min(shown)), math.log10(max(shown))) if shown else LOG_TICKS


def _log_ticks(layout: dict) -> dict:
    """The layout with LOG_TICKS on each log axis that does not choose its own ticks."""
    axes = {name: {**axis, "nticks": axis.get("nticks", LOG_TICKS)} for name, axis in layout.items()
            if name[1:5] == "axis" and isinstance(axis, dict) and axis.get("type") == "log" and "dtick" not in axis}
    return {**layout, **axes}


def static_mode() -> bool:
    """True on Colab (its widget manager cannot show FigureWidget) or when TP_STATIC_FIGURES=1."""
    return os.environ.get("TP_STATIC_FIGURES") == "1" or "google.colab" in sys.modules


class StaticFigure:
    """FigureWidget's interface (data, layout, batch_update) drawn as a static figure into an Output."""

    def __init__(self, data=None, layout=None):
        self.figure = go.Figure(data=data, layout=layout)
        self.widget = W.Output()
        self._depth = 0
        self._redraw()

    @property
    def data(self):
        return self.figure.data

    @property
    def layout(self):
        return self.figure.layout

    def update_layout(self, *args, **kwargs):
        self.figure.update_layout(*args, **kwargs)
        self._redraw()

    def extend(self, index, x, y):
        """Append points to trace `index` (LiveFigure's streaming call; here the figure is redrawn whole)."""
        trace = self.figure.data[index]
        with self.batch_update():
            trace.x, trace.y = list(trace.x or ()) + list(x), list(trace.y or ()) + list(y)

    @contextlib.contextmanager
    def batch_update(self):
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1
            if self._depth == 0:
                self._redraw()

    def _redraw(self):
        from IPython.display import display

        self.widget.clear_output(wait=True)
        with self.widget:
            display(self.figure)


def figure(traces, **layout):
    """A figure with its traces given up front (a figure widget filled later renders blank in Voila)."""
    merged = _log_ticks({**BASE_LAYOUT, **layout})
    if static_mode():
        return StaticFigure(data=traces, layout=merged)
    from .plot import LiveFigure

    return LiveFigure(data=traces, layout=merged)


def widget_of(fig):
    """The widget to place in a layout (the live view, or the fallback's Output)."""
    return fig.widget


def drawn(fig) -> bool:
    """True when a trace of fig has a point (or a heatmap a cell) to show."""
    sizes = (getattr(t, key, None) for t in fig.data for key in ("y", "z"))
    return any(v is not None and len(v) > 0 for v in sizes)  # (a numpy array has no truth value)


def hint_until_drawn(fig, text):
    """The hint `text` while no trace has a point, the axes from the first point on; sends nothing when that
    is already so (a run's updates call it each time)."""
    shown = next((a.text for a in fig.layout.annotations if a.name == "hint"), None)
    wanted = None if drawn(fig) else text
    if shown != wanted:
        show_hint(fig, wanted)


def show_hint(fig, text):
    """Before the first result: hide the empty axes and say `text` there instead (None shows the axes again).
    Call it outside a batch_update that sets annotations: inside one, it would read the old ones."""
    kept = [a for a in fig.layout.annotations if a.name != "hint"]
    if text:
        kept.append(dict(name="hint", text=text, xref="paper", yref="paper", x=0.5, y=0.5, showarrow=False,
                         font=dict(size=14, color=palette.MUTED)))
    with fig.batch_update():
        fig.layout.xaxis.visible = fig.layout.yaxis.visible = not text
        fig.layout.annotations = kept
