"""Earlier runs kept on a chart as faded, labelled copies, so a before/after survives the next run.

A chart's lesson is often a comparison ("scale 1, then 0.01", "default vs Kaiming", two schedules); if each
run replaced the last, the "before" would be gone when the "after" is drawn. Before a run redraws its traces,
its panel calls `remember`: the traces as they are now become one kept run. At most KEEP runs are kept (the
oldest goes first), drawn faded and named "earlier #n · …" in the legend; `clear` removes them all.

The kept copies live in spare traces the figure is created with (`spare_traces`), hidden until used: a figure
keeps the traces it was built with, and the panels' indexes of their own traces do not move.
"""
from __future__ import annotations

import plotly.graph_objects as go

KEEP = 3  # earlier runs a chart keeps: enough for "before, after, after that", few enough to stay readable
FADED = 0.35  # a kept run's opacity: visible behind the current run, never mistaken for it


def spare_traces(template, count: int) -> list:
    """`count` hidden traces of the template's kind (Scatter or Bar) for kept runs; append them after the figure's
    own traces."""
    kind = type(template)
    return [kind(x=[], y=[], visible=False, showlegend=True) for _ in range(count)]


def _colour(trace):
    """The colour a trace is drawn in (a line's, else its markers')."""
    if isinstance(trace, go.Bar):
        return trace.marker.color
    return trace.line.color or trace.marker.color


class Overlays:
    """The kept runs of one or more figures that a run redraws together; `clear_button` (disabled while nothing is
    kept) clears them.

    charts: (figure, indexes of its spare traces) pairs; a figure needs KEEP × the traces one run draws there."""

    def __init__(self, panel, *charts, keep: int = KEEP):
        self.charts, self.keep, self.t = [(fig, list(spares)) for fig, spares in charts], keep, panel.t
        self.runs = []  # [(number, [[plain copies of the run's traces] per chart])], oldest first
        self.count = 0  # runs remembered so far: numbers kept runs in the legend
        self.clear_button = panel.button("overlay.clear", "tp-overlay-clear", icon="eraser")
        self.clear_button.disabled = True
        panel.on_click(self.clear_button, self.clear)
        panel.i18n.call(lambda _: self.draw())

    def remember(self, *indexes) -> None:
        """Keep the traces at `indexes` (one list per chart) as they are now, as one run; traces with no points
        are left out, and a run with none is not kept."""
        per_chart = [[_copy(fig.data[i]) for i in chosen if _drawn(fig.data[i])]
                     for (fig, _), chosen in zip(self.charts, indexes)]
        if not any(per_chart):
            return
        self.count += 1
        self.runs.append((self.count, per_chart))
        while len(self.runs) > self.keep or any(sum(len(run[c]) for _, run in self.runs) > len(spares)
                                                for c, (_, spares) in enumerate(self.charts)):
            self.runs.pop(0)
        self.draw()

    def clear(self) -> None:
        """Forget every kept run."""
        self.runs.clear()
        self.draw()

    def draw(self) -> None:
        """Put the kept runs into the spare traces (newest last, so it is drawn on top of older ones)."""
        for c, (fig, spares) in enumerate(self.charts):
            kept = [(number, copy) for number, run in self.runs for copy in run[c]]
            with fig.batch_update():
                for k, index in enumerate(spares):
                    trace = fig.data[index]
                    if k >= len(kept):
                        if trace.visible is not False:
                            trace.visible, trace.x, trace.y = False, [], []
                        continue
                    number, copy = kept[k]
                    _set_points(fig, index, copy["x"], copy["y"])
                    # one property at a time: trace.update() walks plotly's property tree for each name it is given
                    trace.visible, trace.opacity, trace.legendgroup = True, FADED, f"earlier-{number}"
                    trace.yaxis, trace.xaxis = copy["yaxis"], copy["xaxis"]
                    trace.name = self.t("overlay.earlier", n=number, name=copy["name"])
                    if isinstance(trace, go.Bar):
                        trace.marker.color = copy["colour"]
                    else:
                        trace.mode = copy["mode"]
                        trace.line.color, trace.line.dash = copy["colour"], "dot"
        self.clear_button.disabled = not self.runs


def _set_points(fig, index: int, x, y) -> None:
    """The points of a kept copy into spare trace `index`: a live figure takes them as plotly checked them when
    they were first drawn (checking each point again was most of a repeated Run's time before its first update)."""
    if hasattr(fig, "set_points"):
        fig.set_points(index, x, y)
    else:
        fig.data[index].update(x=x, y=y)


def _drawn(trace) -> bool:
    """True when the trace is shown and has a point to show."""
    return trace.visible is not False and any(v is not None for v in (trace.y or ()))


def _copy(trace) -> dict:
    """What a kept run needs of a trace: its points, name, colour and axes."""
    return dict(x=trace.x, y=trace.y, name=trace.name or "", colour=_colour(trace),
                yaxis=trace.yaxis, xaxis=trace.xaxis, mode=getattr(trace, "mode", None))
