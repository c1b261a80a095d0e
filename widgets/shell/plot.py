"""A light live figure: plotly.js loaded once per page, each figure a tiny widget that is sent what changed.

plotly's own FigureWidget ships its 5 MB JavaScript bundle inside every instance's state; with
twenty figures on the page that was ~100 MB per learner and a page that took half a minute to
become responsive. Here plotly.js comes once per page, and every `LiveFigure` (a go.Figure whose change hooks
send a small anywidget one message per change or batch) waits for it (plotly_js.py says where it comes from).

A message carries only what changed: the trace and layout properties that were set, and for a curve grown
with `LiveFigure.extend` its new points (past a few thousand, a min/max-per-bucket display copy: see
display_series.py), so an update costs the same however long the run has been going. Each message is
numbered; a view that missed one (it connected late, or its JavaScript loaded late) asks for the whole
figure once and goes on from there.

anywidget (0.11) gives a model two seconds to load its JavaScript; past that it drops every later
message to the model for good, so on a busy page (plotly.js parsing, a class laptop, ten pages at
once) a plot could stay empty while its run finished. Each view therefore routes its model's
messages straight to ipywidgets' own handler, and asks for the whole figure if its version is behind.
"""
from __future__ import annotations

import contextlib
import json
import math
import pathlib
import re
import threading

import anywidget
import ipywidgets as W
import plotly.graph_objects as go
import traitlets
from plotly.io.json import to_json_plotly

from .display_series import DisplaySeries
from .own_messages import own_ids, with_take_messages
from .plotly_js import PLOTLY_JS

# the browser half of a LiveFigure (an anywidget ES module)
VIEW_ESM = with_take_messages(
    (pathlib.Path(__file__).resolve().parent / "assets" / "live_figure.js").read_text(encoding="utf-8"))


class PlotView(anywidget.AnyWidget):
    """The browser side of a LiveFigure. Its figure traits are filled from the figure whenever a whole state
    is sent (at creation, on a late view's request, on a resync); updates travel as numbered messages."""

    _esm = traitlets.Unicode(VIEW_ESM).tag(sync=True)
    plot_data = traitlets.List().tag(sync=True)
    plot_layout = traitlets.Dict().tag(sync=True)  # not `layout`: that is the widget's own CSS layout
    view_id = traitlets.Unicode().tag(sync=True)  # the model's own id, so the browser can look it up
    version = traitlets.Int(0).tag(sync=True)  # updates sent so far

    def __init__(self, figure: "LiveFigure", **kwargs):
        self._figure = figure
        super().__init__(**own_ids(), **kwargs)
        self.on_msg(self._answer)

    def get_state(self, key=None, drop_defaults=False):
        # ipywidgets' request_states (a page's widget manager asking for every model) passes drop_defaults
        state = super().get_state(key, drop_defaults=drop_defaults)
        if {"plot_data", "plot_layout", "version"} & set(state):
            current = self._figure.whole_state()
            state.update({name: current[name] for name in current if name in state})
        return state

    def send_state(self, key=None):
        # under the figure's lock: no update numbered after this state may reach the page before it
        with self._figure._lock:
            super().send_state(key)

    def _answer(self, _widget, content, _buffers):
        if not isinstance(content, dict):
            return
        if content.get("event") == "resync" and content.get("version") != self._figure.version:
            self.send_state()
        elif content.get("event") == "plotly":
            # plotly.js, asked for by a page's first plot, as a binary message and never in a model's state: a
            # page loads every model's state in one reply that Voila's widget manager waits 4 s for, past that
            # asking for each of ~950 models one by one; with 1.5 MB of plotly.js in it the reply missed the 4 s
            # when ten pages opened at once on two cores.
            self.send({"event": "plotly"}, buffers=[PLOTLY_JS.read_bytes()])


def _plain(value):
    """A point value as JSON has it: numbers as Python numbers, inf/NaN as None (a gap)."""
    if value is None:
        return None
    value = value.item() if hasattr(value, "item") else value
    return None if isinstance(value, float) and not math.isfinite(value) else value


def _json(value):
    """plotly's own encoder turns numpy arrays, NaN and inf into JSON the browser can draw."""
    return json.loads(to_json_plotly(value))


def _root(path: str) -> str:
    """The top-level property a plotly property path changes ("xaxis.title.text" -> "xaxis")."""
    return re.split(r"[.\[]", path, maxsplit=1)[0]


class LiveFigure(go.Figure):
    """A go.Figure (same API: fig.data[i].x = …, fig.layout…, batch_update) that sends its view what changed,
    plus `extend(i, x, y)` to grow a curve at a cost that does not depend on its length."""

    def __init__(self, *args, **kwargs):
        self._lock = threading.RLock()  # a run's thread updates while the kernel's thread may resend it all
        self._streams = {}  # trace index -> DisplaySeries, for curves grown by extend()
        self._changed_traces, self._changed_layout, self._extended = {}, set(), set()
        self._rebuilt, self._batch_depth, self._version = False, 0, 0
        super().__init__(*args, **kwargs)
        width = self.layout.width
        # a fixed-width figure keeps its width; the others share their row (two side by side get half each)
        size = W.Layout(width=f"{width}px") if width else W.Layout(width="100%", min_width="320px")
        # tp-plot: drawn by plotly.js only while on screen, tests scroll to it by this class; given at creation, as
        # anywidget's view ignores later class changes (exercises/block.py)
        self._view = PlotView(self, layout=size, _dom_classes=("tp-plot",))

    @property
    def widget(self) -> PlotView:
        """The widget to lay out."""
        return self._view

    @property
    def version(self) -> int:
        """Updates sent so far: a view that holds another version needs the whole figure."""
        return self._version

    def extend(self, index: int, x, y):
        """Append points to trace `index`: the figure keeps every point, its view is sent only the new ones."""
        x, y = [_plain(v) for v in x], [_plain(v) for v in y]
        if len(x) != len(y):
            raise ValueError(f"extend needs as many x as y values, not {len(x)} and {len(y)}")
        with self._lock:
            trace = self._data[index]  # appended to in place: re-setting trace.x would check every point again
            for key, fresh in (("x", x), ("y", y)):
                if not isinstance(trace.get(key), list):
                    trace[key] = list(trace.get(key) or ())
                trace[key].extend(fresh)
            stream = self._streams.get(index)
            if stream is None:  # the curve's points so far start its display copy
                stream = self._streams[index] = DisplaySeries()
                x, y = trace["x"], trace["y"]
            stream.extend(x, y)
            self._extended.add(index)
            self._post_unless_batched()

    def set_points(self, index: int, x, y):
        """Set trace `index`'s points to values read from a trace of a figure (a tuple, or the array plotly keeps),
        which plotly has checked already: set as they are, not checked point by point again."""
        with self._lock:
            trace = self._data[index]
            for key, value in (("x", x), ("y", y)):
                trace[key] = value if hasattr(value, "dtype") else list(value)  # plotly's arrays are read-only
            self._streams.pop(index, None)
            self._changed_traces.setdefault(index, set()).update(("x", "y"))
            self._post_unless_batched()

    @contextlib.contextmanager
    def batch_update(self):
        """As go.Figure's (one update for all changes inside), extend() included."""
        self._batch_depth += 1
        try:
            with super().batch_update():
                yield
        finally:
            self._batch_depth -= 1
            self._post_unless_batched()

    def whole_state(self) -> dict:
        """The figure as its view draws it (long curves as their display copies) and its version."""
        with self._lock:
            data = []
            for i, trace in enumerate(self._data):
                stream = self._streams.get(i)
                if stream is not None:
                    xs, ys = stream.points()
                    trace = {**trace, "x": xs, "y": ys}
                    stream.mark_sent()
                data.append(trace)
            return {"plot_data": _json(data), "plot_layout": _json(self._layout), "version": self._version}

    # go.Figure calls these after every change (once per batch_update).
    def _send_restyle_msg(self, style, trace_indexes=None, source_view_id=None):
        self._send_update_msg(style, {}, trace_indexes)

    def _send_relayout_msg(self, layout, source_view_id=None):
        self._send_update_msg({}, layout)

    def _send_update_msg(self, restyle_data, relayout_data, trace_indexes=None, source_view_id=None):
        with self._lock:
            indexes = self._normalize_trace_indexes(trace_indexes)
            for path in restyle_data or {}:
                key = _root(path)
                for i in indexes:
                    self._changed_traces.setdefault(i, set()).add(key)
                    if key in ("x", "y"):
                        self._streams.pop(i, None)  # set whole: drawn as given, no longer a streamed curve
            self._changed_layout.update(_root(path) for path in relayout_data or {})
            self._post_unless_batched()

    def _send_addTraces_msg(self, *args, **kwargs):
        self._rebuild()

    def _send_deleteTraces_msg(self, *args, **kwargs):
        self._rebuild()

    def _send_moveTraces_msg(self, *args, **kwargs):
        self._rebuild()

    def _rebuild(self):
        with self._lock:
            self._streams.clear()
            self._rebuilt = True
            self._post_unless_batched()

    def _post_unless_batched(self):
        """Send what changed as one numbered message (or, after traces were added or removed, everything)."""
        if self._batch_depth or self._in_batch_mode:
            return
        with self._lock:
            if not (self._rebuilt or self._changed_traces or self._changed_layout or self._extended):
                return
            self._version += 1
            if self._rebuilt:
                self._view.send_state()
            else:
                self._view.send({
                    "event": "update", "version": self._version,
                    "traces": [[i, _json({k: self._data[i].get(k) for k in keys})]
                               for i, keys in sorted(self._changed_traces.items())],
                    "layout": _json({k: self._layout.get(k) for k in self._changed_layout}),
                    "extend": [[i, *self._streams[i].take()] for i in sorted(self._extended) if i in self._streams],
                })
            self._changed_traces, self._changed_layout, self._extended = {}, set(), set()
            self._rebuilt = False
