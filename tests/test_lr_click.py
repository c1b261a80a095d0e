"""The learning-rate panel's click path, kept cheap for a class: a repeated Run sends its first plot message at
once with the faded copies and the emptied curves together, and a run's updates redraw the story marks (labels,
broken-loss lines, the axis) only when they change — the chart ends as a fresh drawing of the same curves."""
import math

import plotly.graph_objects as go

from core import RunConfig
from widgets.lr import chart
from widgets.lr.panel import COLOURS
from widgets.shell.app import App
from widgets.shell.figures import figure
from widgets.shell.overlays import FADED

SMALL = RunConfig(epochs=1, hidden=(16,))  # a few dozen steps a preset: the file stays fast


def plot_messages(fig):
    """The update messages fig's widget sends from now on (each a dict as the browser receives it)."""
    sent, send = [], fig.widget.send

    def record(content, buffers=None):
        sent.append(content)
        return send(content, buffers)

    fig.widget.send = record
    return sent


def marks(fig) -> tuple:
    """What the story marks look like on fig, as plain data."""
    layout = fig.layout
    return ([a.to_plotly_json() for a in layout.annotations], [s.to_plotly_json() for s in layout.shapes],
            tuple(layout.yaxis.range or ()), layout.yaxis.nticks, layout.xaxis.visible, layout.yaxis.visible)


def test_a_repeated_run_sends_the_faded_copies_and_the_emptied_curves_as_its_first_message():
    panel = App().panel("lr")
    panel.base = SMALL
    panel.run.click()
    before = [(list(t.x), list(t.y)) for t in panel.loss_fig.data[:4]]
    sent = plot_messages(panel.loss_fig)
    panel.run.click()
    first = dict(sent[0]["traces"])
    assert [(first[slot]["x"], first[slot]["y"], first[slot]["name"]) for slot in range(4)] == [
        ([], [], f"lr={rate}") for rate in ("0.001", "0.1", "1", "100000")]
    spares = [first[i] for i in range(7, 11)]  # the figure's spare traces, after the presets and custom slots
    assert [(s["x"], s["y"]) for s in spares] == before and all(s["opacity"] == FADED for s in spares)
    assert [t.y for t in panel.loss_fig.data[7:11]] == [tuple(y) for _, y in before]  # the figure holds them too


def test_story_marks_are_set_only_when_they_change_and_end_as_a_fresh_drawing(monkeypatch):
    redraws = []
    show_hint = chart.show_hint
    monkeypatch.setattr(chart, "show_hint", lambda fig, text: (redraws.append(text), show_hint(fig, text)))
    fig = figure([go.Scatter(x=[], y=[]) for _ in range(2)], yaxis=dict(type="log"))
    t = App().i18n.t
    curves = {0: [], 1: []}
    chart.mark_edges(fig, curves, COLOURS, t)
    chart.mark_edges(fig, curves, COLOURS, t)
    assert len(redraws) == 1 and redraws[0]  # the hint, once
    curves[0] += [2.3, 2.2, 2.1]
    curves[1] += [2.3, 30.0]
    chart.mark_edges(fig, curves, COLOURS, t)  # the first points: axes, labels and range drawn
    curves[0] += [2.0, 1.9]  # nothing changes in the story
    chart.mark_edges(fig, curves, COLOURS, t)
    assert redraws == [redraws[0], None]
    curves[1] += [math.inf]  # the second curve breaks: a label and a dotted line
    chart.mark_edges(fig, curves, COLOURS, t)
    assert len(redraws) == 3 and len(fig.layout.shapes) == 1
    fresh = figure([go.Scatter(x=[], y=[]) for _ in range(2)], yaxis=dict(type="log"))
    chart.mark_edges(fresh, curves, COLOURS, t)
    assert marks(fig) == marks(fresh)
