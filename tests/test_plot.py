"""The live figure's kernel side: one numbered message per change carrying only what changed, long curves
sent as a min/max display copy, and a view that missed updates (or connects late) gets the whole figure."""
import json
import math

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

from widgets.shell.app import PANELS, App
from widgets.shell.display_series import BUCKETS, DisplaySeries
from widgets.shell.figures import TEMPLATE, TRACE_TYPES
from widgets.shell.plot import LiveFigure, PlotView


class Sent:
    """Records the update messages and whole states a figure's widget sends to the browser."""

    def __init__(self, fig):
        self.updates, self.states = [], []
        widget, send, send_state = fig.widget, fig.widget.send, fig.widget.send_state

        def record_update(content, buffers=None):
            self.updates.append(content)
            return send(content, buffers)

        def record_state(key=None):
            self.states.append(widget.get_state(key))
            return send_state(key)

        widget.send, widget.send_state = record_update, record_state


class Browser:
    """What the view's JavaScript does with the messages (applyUpdate in plot.py), in Python."""

    def __init__(self, state):
        self.data, self.layout, self.version = state["plot_data"], state["plot_layout"], state["version"]

    def apply(self, msg):
        assert msg["version"] == self.version + 1, "an update out of order: the view would ask to resync"
        for i, props in msg["traces"]:
            self.data[i].update(props)
        self.layout.update(msg["layout"])
        for i, halve, keep, xs, ys in msg["extend"]:
            old = list(zip(self.data[i]["x"], self.data[i]["y"]))
            if halve:  # as halved() in plot.py's JavaScript: first lowest and last highest of each four
                low = lambda j: math.inf if old[j][1] is None else old[j][1]  # noqa: E731
                high = lambda j: -math.inf if old[j][1] is None else old[j][1]  # noqa: E731
                merged = []
                for k in range(0, halve, 4):
                    lo = min(range(k, k + 4), key=low)
                    hi = max(range(k + 3, k - 1, -1), key=high)
                    merged += [old[j] for j in sorted((lo, hi))]
                old = merged
            self.data[i]["x"] = [x for x, _ in old[:keep]] + xs
            self.data[i]["y"] = [y for _, y in old[:keep]] + ys
        self.version = msg["version"]


def stream(fig, steps, chunk=20, rng=np.random.default_rng(0)):
    """A run's flushes: `steps` noisy decreasing losses on trace 0 in chunks, one batch each."""
    start = len(fig.data[0].y or ())
    for first in range(start, start + steps, chunk):
        xs = list(range(first, first + chunk))
        with fig.batch_update():
            fig.extend(0, xs, [1 / (1 + x) + 0.1 * rng.random() for x in xs])


def test_model_id_is_what_the_view_is_told_to_look_up():
    fig = LiveFigure([go.Scatter(x=[0], y=[1])])
    assert fig.widget.view_id == fig.widget.model_id


def test_a_batch_is_one_message_with_only_what_changed():
    fig = LiveFigure([go.Scatter(x=[0], y=[1]), go.Scatter(x=[0], y=[2])], layout=dict(template="plotly_white"))
    sent = Sent(fig)
    with fig.batch_update():
        fig.data[0].x = [0, 1, 2]
        fig.data[0].y = [1, 2, 3]
        fig.layout.xaxis.title = "step"
    assert len(sent.updates) == 1 and sent.updates[0]["version"] == fig.version == 1
    assert sent.updates[0]["traces"] == [[0, {"x": [0, 1, 2], "y": [1, 2, 3]}]]  # trace 1 untouched: not sent
    assert sent.updates[0]["layout"] == {"xaxis": {"title": {"text": "step"}}}  # no template, no other axis
    assert sent.states == []


def test_update_k_plus_1_of_a_long_run_is_as_small_as_update_2():
    fig = LiveFigure([go.Scatter(x=[], y=[], mode="lines")])
    sent = Sent(fig)
    stream(fig, 40)
    early = len(json.dumps(sent.updates[1]))
    stream(fig, 100_000 - 40)  # long past the point where the browser's copy is decimated, six times over
    late = max(len(json.dumps(update)) for update in sent.updates[2:])  # those that merged buckets included
    # (larger step numbers take a few more digits: a resent figure would be 100 times larger)
    assert late <= 1.2 * early and sum(update["extend"][0][1] > 0 for update in sent.updates) == 6, (early, late)
    assert len(fig.data[0].y) == 100_000 and fig.data[0].x[-1] == 99_999  # the figure keeps every point


def test_the_browser_copy_built_from_the_messages_is_the_display_series():
    fig = LiveFigure([go.Scatter(x=[], y=[], mode="lines")])
    browser = Browser(fig.widget.get_state())
    sent = Sent(fig)
    stream(fig, 9_000)
    with fig.batch_update():  # a diverged step ends the curve
        fig.extend(0, [9_000], [float("inf")])
    assert sum(msg["extend"][0][1] > 0 for msg in sent.updates) == 3  # the browser merged its buckets 3 times
    for msg in sent.updates:
        browser.apply(msg)
    expected = DisplaySeries()
    expected.extend(fig.data[0].x, fig.data[0].y)
    assert (browser.data[0]["x"], browser.data[0]["y"]) == expected.points()
    assert len(browser.data[0]["y"]) <= 2 * BUCKETS + 2 < len(fig.data[0].y) and fig.data[0].y[-1] is None


def test_decimation_keeps_the_lowest_and_highest_point_of_each_bucket():
    rng = np.random.default_rng(1)
    ys = list(rng.normal(size=1_000))
    series = DisplaySeries(buckets=16)
    for start in range(0, 1_000, 37):  # fed in uneven chunks, as flushes come
        series.extend(range(start, min(start + 37, 1_000)), ys[start:start + 37])
    xs, drawn = series.points()
    size = series.size
    assert size == 64  # 1,000 points in at most 16 buckets
    for first in range(0, 1_000, size):
        chunk = [y for y in ys[first:first + size] if y is not None]
        mine = {y for x, y in zip(xs, drawn) if first <= x < first + size and y is not None}
        assert mine == {min(chunk), max(chunk)}, first
    assert xs == sorted(xs) and len(xs) == 2 * (1_000 // size) + len(series.open.points())
    gaps = DisplaySeries(buckets=2)
    gaps.extend(range(8), [3.0, 1.0, None, 0.0, None, None, None, None])  # a bucket with no number is a gap
    assert gaps.points() == ([0, 3, 4, 7], [3.0, 0.0, None, None]) and gaps.size == 4


def test_a_view_that_missed_updates_gets_the_whole_figure_once():
    fig = LiveFigure([go.Scatter(x=[], y=[], mode="lines")], layout=dict(title="loss"))
    stream(fig, 6_000)
    sent = Sent(fig)
    fig.widget._handle_custom_msg({"event": "resync", "version": 0}, [])
    assert len(sent.states) == 1 and sent.updates == []
    state = sent.states[0]
    series = DisplaySeries()
    series.extend(fig.data[0].x, fig.data[0].y)
    assert state["version"] == fig.version and (state["plot_data"][0]["x"], state["plot_data"][0]["y"]) == series.points()
    assert state["plot_layout"]["title"] == {"text": "loss"}
    browser = Browser(state)  # and it goes on from there with the next updates
    stream(fig, 100)
    for msg in sent.updates:
        browser.apply(msg)
    series.extend(fig.data[0].x[6_000:], fig.data[0].y[6_000:])
    assert (browser.data[0]["x"], browser.data[0]["y"]) == series.points()


def test_a_view_that_is_up_to_date_gets_nothing_resent():
    fig = LiveFigure([go.Scatter(x=[0], y=[1])])
    fig.data[0].y = [5]
    sent = Sent(fig)
    fig.widget._handle_custom_msg({"event": "resync", "version": fig.version}, [])
    fig.widget._handle_custom_msg({"event": "something else"}, [])
    assert sent.states == [] and sent.updates == []


def test_setting_a_streamed_curve_whole_draws_it_as_given():
    fig = LiveFigure([go.Scatter(x=[], y=[], mode="lines")])
    stream(fig, 5_000)
    sent = Sent(fig)
    with fig.batch_update():  # a new run clears the curve
        fig.data[0].x, fig.data[0].y = [], []
    assert sent.updates[-1]["traces"] == [[0, {"x": [], "y": []}]] and sent.updates[-1]["extend"] == []
    assert fig.widget.get_state()["plot_data"][0]["y"] == []


def test_the_shipped_plotly_js_is_the_version_plotly_py_draws_for():
    """widgets/shell/assets carries plotly.js's cartesian bundle; it must be the version plotly.py's figures are
    written for (the one plotly.py bundles), and the bundle a plot sends when its page asks."""
    import pathlib
    import re

    import plotly

    from widgets.shell.plot import LiveFigure
    from widgets.shell.plotly_js import PLOTLY_JS

    def version(path):
        return re.search(r"plotly\.js \(?[a-z -]*\)? ?v(\d+\.\d+\.\d+)", path.read_text(encoding="utf-8")[:400]).group(1)

    bundled = pathlib.Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    assert version(PLOTLY_JS) == version(bundled) and PLOTLY_JS.name == f"plotly-cartesian-{version(bundled)}.min.js"
    view, sent = LiveFigure().widget, []
    view.send = lambda content, buffers=None: sent.append((content, buffers))
    view._answer(view, {"event": "plotly"}, [])  # what a page's first plot asks
    assert sent == [({"event": "plotly"}, [PLOTLY_JS.read_bytes()])]
    assert len(json.dumps(view.get_state(drop_defaults=True))) < 50_000  # plotly.js (1.5 MB) is never in a state


def test_the_static_fallback_grows_its_curves_too():
    from widgets.shell.figures import StaticFigure

    fig = StaticFigure([go.Scatter(x=[0], y=[1.0])])
    fig.extend(0, [1, 2], [0.5, 0.25])
    assert list(fig.data[0].x) == [0, 1, 2] and list(fig.data[0].y) == [1.0, 0.5, 0.25]


def test_a_page_asking_for_every_widget_state_gets_the_whole_figure():
    """A page's widget manager (Voila's on load, JupyterLab's on reconnect) sends request_states, which
    ipywidgets answers from get_manager_state(drop_defaults=True): the figure must be in it, whole."""
    import ipywidgets as W

    fig = LiveFigure([go.Scatter(x=[], y=[], mode="lines")], layout=dict(title="loss"))
    stream(fig, 500)
    state = W.Widget.get_manager_state(drop_defaults=True)["state"][fig.widget.model_id]["state"]
    assert (state["plot_data"][0]["x"], state["plot_data"][0]["y"]) == (list(fig.data[0].x), list(fig.data[0].y))


def test_every_trace_type_the_panels_draw_keeps_plotly_whites_look():
    """Figures carry plotly_white's defaults for the trace types in TRACE_TYPES only: a panel that drew another
    type would draw it without the page's look."""
    app, kinds = App(query=""), set()
    todo = [app.panel(name).root for name in PANELS]
    while todo:  # every widget on the page, through the boxes' children
        widget = todo.pop()
        todo += getattr(widget, "children", ())
        if isinstance(widget, PlotView):
            kinds |= {trace["type"] for trace in widget.get_state()["plot_data"]}
    assert {"scatter", "bar", "heatmap"} <= kinds <= set(TRACE_TYPES)
    white = pio.templates["plotly_white"]
    assert TEMPLATE.layout == white.layout
    assert all(TEMPLATE.data[kind] == white.data[kind] for kind in TRACE_TYPES)


def test_points_copied_from_a_trace_are_sent_and_kept_as_plotly_checked_them():
    fig = LiveFigure([go.Scatter(x=[0, 1, 2], y=[3.0, None, 1.0]),
                      go.Scatter(x=np.arange(3), y=np.array([1.0, np.nan, 2.0])),  # a gap: NaN in an array
                      go.Scatter(x=[], y=[]), go.Scatter(x=[], y=[])])
    browser = Browser(fig.widget.get_state())
    sent = Sent(fig)
    with fig.batch_update():
        fig.set_points(2, fig.data[0].x, fig.data[0].y)
        fig.set_points(3, fig.data[1].x, fig.data[1].y)
        fig.data[3].name = "copy"
    assert len(sent.updates) == 1 and [i for i, _ in sent.updates[0]["traces"]] == [2, 3]
    browser.apply(sent.updates[0])
    assert [browser.data[i][k] for i in (2, 3) for k in ("x", "y")] == [[0, 1, 2], [3.0, None, 1.0],
                                                                        [0, 1, 2], [1.0, None, 2.0]]
    assert fig.data[2].y == (3.0, None, 1.0) and np.array_equal(fig.data[3].y, fig.data[1].y, equal_nan=True)
    whole = fig.widget.get_state()["plot_data"]
    assert [whole[i][k] for i in (2, 3) for k in ("x", "y")] == [browser.data[i][k] for i in (2, 3) for k in ("x", "y")]


def test_voila_serves_the_shipped_plotly_js_as_a_file_and_no_other_code():
    """A Voila page fetches plotly.js as <base>voila/files/<PLOTLY_FILE> (the page script's preload): voila.json's
    file_allowlist admits that file, matched as Voila matches (whole path, any case), and no other file of the
    repo's code; the page script carries the preload."""
    import re
    import subprocess

    from servers import ROOT
    from widgets.shell.page_guard import page_script
    from widgets.shell.plotly_js import PLOTLY_FILE, PLOTLY_JS, PLOTLY_PRELOAD_JS

    allowed = json.loads((ROOT / "voila.json").read_text())["VoilaConfiguration"]["file_allowlist"]
    served = [path for path in subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                                              check=True).stdout.split()
              if any(re.fullmatch(pattern, path, re.IGNORECASE) for pattern in allowed)]
    assert (ROOT / PLOTLY_FILE).resolve() == PLOTLY_JS
    assert [path for path in served if not re.search(r"\.(png|jpg|gif|svg)$", path)] == [PLOTLY_FILE]
    assert f"voila/files/{PLOTLY_FILE}" in PLOTLY_PRELOAD_JS and PLOTLY_PRELOAD_JS in page_script()
