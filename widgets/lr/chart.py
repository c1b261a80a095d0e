"""The story of the learning-rate race chart: an axis that keeps sane curves readable, and marks where a curve
leaves it or turns inf/NaN (part of panel 1)."""
from __future__ import annotations

import math

from ..shell.figures import log_nticks, show_hint
from ..shell import palette

HEADROOM = 5  # a loss above 5× the loss at step 0 is off the chart: no rate that learns climbs that far
LABEL_GAP = 0.09  # paper units between stacked labels at the top edge


def ceiling(curves) -> float:
    """The top of the loss axis: HEADROOM × the largest step-0 loss."""
    starts = [losses[0] for losses in curves if losses and math.isfinite(losses[0])]
    return HEADROOM * max(starts, default=1.0)


def y_range(curves, top: float) -> list:
    """Log-axis range: from the decade below the lowest loss on the chart up to `top`."""
    shown = [v for losses in curves for v in losses if math.isfinite(v) and 0 < v <= top]
    bottom = math.floor(math.log10(min(shown))) if shown else -2
    return [max(bottom, -6), math.log10(top)]


def edges(losses, top: float):
    """(first step above `top`, first step whose loss is inf/NaN); None where that never happens."""
    off = next((i for i, v in enumerate(losses) if math.isfinite(v) and v > top), None)
    broke = next((i for i, v in enumerate(losses) if not math.isfinite(v)), None)
    return off, broke


def mark_edges(fig, curves: dict, colours, t) -> None:
    """Draw `curves` ({slot: raw losses}) story marks on fig: labels at the top edge, a dotted line where a loss broke;
    a hint instead of empty axes before the first step. Marks that are already drawn are not set again: a run's
    every update calls this, and plotly checks each label and shape anew whenever they are set (most of an
    update's CPU time in a class, where it matters)."""
    story = _story(curves, colours, t)
    if getattr(fig, "_tp_story", None) == story:
        return
    if story[0] == "hint":
        with fig.batch_update():
            fig.layout.shapes = []
            show_hint(fig, story[1])
    else:
        _, labels, shapes, (low, high) = story
        with fig.batch_update():
            show_hint(fig, None)
            fig.layout.annotations = labels
            fig.layout.shapes = shapes
            fig.layout.yaxis.range = [low, high]
            fig.layout.yaxis.nticks = log_nticks(low, high)
    fig._tp_story = story


def _story(curves: dict, colours, t) -> tuple:
    """What mark_edges draws, as plain data: ("hint", text) before the first step, else ("marks", labels, shapes,
    the y range)."""
    if not any(curves.values()):
        return "hint", t("lr.hint", button=t("lr.run"))
    top = ceiling(curves.values())
    labels, shapes = [], []
    for slot, losses in sorted(curves.items()):
        off, broke = edges(losses, top)
        for key, step in (("lr.off_chart", off), ("lr.diverged_at", broke)):
            if step is None or (key == "lr.off_chart" and broke is not None and step >= broke):
                continue
            labels.append(dict(name=f"edge-{slot}-{key}", text=t(key, step=step), x=step, xref="x", yref="paper",
                               y=1 - LABEL_GAP * len(labels), xanchor="left", yanchor="top", showarrow=False,
                               font=dict(color=colours[slot], size=12), bgcolor=palette.rgba(palette.WHITE, 0.8)))
        if broke is not None:
            shapes.append(dict(type="line", x0=broke, x1=broke, xref="x", y0=0, y1=1, yref="paper",
                               line=dict(color=colours[slot], dash="dot", width=2)))
    return "marks", labels, shapes, tuple(y_range(curves.values(), top))
