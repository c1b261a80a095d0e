"""A light live figure: plotly.js loaded once per page, each figure a tiny widget that is sent what changed.

plotly's own FigureWidget ships its 5 MB JavaScript bundle inside every instance's state; with
twenty figures on the page that was ~100 MB per learner and a page that took half a minute to
become responsive. Here one `PlotlyLoader` carries plotly.js once, and every `LiveFigure`
(a go.Figure whose change hooks send a small anywidget one message per change or batch) waits for it.

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
import functools
import json
import math
import pathlib
import re
import threading
import uuid

import anywidget
import ipywidgets as W
import plotly.graph_objects as go
import traitlets
from plotly.io.json import to_json_plotly

from .display_series import DisplaySeries

# plotly.js's cartesian bundle (1.5 MB: every trace type the panels draw) rather than plotly.py's full
# 4.8 MB one, which each page would receive and parse before its first plot: see assets/SOURCE.md.
PLOTLY_JS = pathlib.Path(__file__).resolve().parent / "assets" / "plotly-cartesian-4.1.1.min.js"

VIEW_ESM = """
function plotlyReady() {
  return new Promise((resolve) => {
    const tick = () => (window.Plotly ? resolve(window.Plotly) : setTimeout(tick, 30));
    tick();
  });
}
async function takeMessages(model) {
  // the ipywidgets model behind anywidget's proxy, found by the id the kernel gave it
  const real = await model.widget_manager.get_model(model.get("view_id"));
  const widgetModel = Object.getPrototypeOf(Object.getPrototypeOf(real));  // past anywidget's AnyModel
  real.comm.on_msg((msg) => widgetModel._handle_comm_msg.call(real, msg));
}
// A long curve's buckets doubled: each four points (two buckets of two) become the first lowest and the last
// highest of them, in order, as display_series.py's Bucket.merged does; null counts as a gap.
function halved(xs, ys, n) {
  const low = (y) => (y === null ? Infinity : y), high = (y) => (y === null ? -Infinity : y);
  const mx = [], my = [];
  for (let k = 0; k + 4 <= n; k += 4) {
    let lo = k, hi = k;
    for (let j = k + 1; j < k + 4; j++) {
      if (low(ys[j]) < low(ys[lo])) lo = j;
      if (high(ys[j]) >= high(ys[hi])) hi = j;
    }
    for (const j of lo <= hi ? [lo, hi] : [hi, lo]) { mx.push(xs[j]); my.push(ys[j]); }
  }
  return [mx, my];
}
// Apply one numbered update to the model's figure in place; false if it does not follow the model's version.
function applyUpdate(model, msg) {
  if (msg.version !== model.get("version") + 1) return false;
  const data = model.get("plot_data"), layout = model.get("plot_layout");
  const put = (target, props) => {
    for (const [key, value] of Object.entries(props)) {
      if (value === null) delete target[key]; else target[key] = value;
    }
  };
  for (const [i, props] of msg.traces) put(data[i], props);
  put(layout, msg.layout);
  for (const [i, halve, keep, xs, ys] of msg.extend) {  // merge, keep the first `keep` points, append the rest
    const trace = data[i];
    let columns = keep > 0 && Array.isArray(trace.x) ? [trace.x, trace.y] : [[], []];
    if (halve > 0) columns = halved(...columns, halve);
    [trace.x, trace.y] = columns.map((column, c) => {
      column.length = keep;
      for (const v of (c ? ys : xs)) column.push(v);
      return column;
    });
  }
  model.set("version", msg.version);  // local only: tells the views to redraw
  return true;
}
export default {
  async initialize({ model }) {
    let asked = null;
    const resync = () => {
      if (asked === model.get("version")) return;  // one request per version: the whole figure is coming
      asked = model.get("version");
      model.send({ event: "resync", version: asked });
    };
    model.on("msg:custom", (msg) => {
      if (msg.event === "update" && !applyUpdate(model, msg)) resync();
    });
    try {
      await takeMessages(model);
    } catch (error) {
      console.warn("[plot] kept anywidget's message handling:", error);
    }
    resync();
  },
  async render({ model, el }) {
    const Plotly = await plotlyReady();
    const div = document.createElement("div");
    el.appendChild(div);
    // Draw only what is on (or near) the screen: twenty plots drawn at once would delay the first one.
    let visible = false;
    // the model's arrays change in place: datarevision tells Plotly.react to look at them again
    const draw = () => visible ? Plotly.react(div, model.get("plot_data"),
                                              { ...model.get("plot_layout"), datarevision: model.get("version") },
                                              { displaylogo: false }) : null;
    // at most one redraw per frame, of the latest figure: a busy page draws less often instead of falling behind
    let queued = false;
    const redraw = () => {
      if (queued || !visible) return;
      queued = true;
      requestAnimationFrame(() => { queued = false; draw(); });
    };
    const seen = new IntersectionObserver((entries) => {
      const now = entries.some((e) => e.isIntersecting);
      // each first draw in a task of its own, so the page paints the first plot before drawing the next
      if (now && !visible) { visible = true; setTimeout(draw, 0); }
    }, { rootMargin: "300px" });
    seen.observe(el);
    // a page in a background tab never reports anything as visible: draw anyway after a moment
    setTimeout(() => { if (!visible) { visible = true; draw(); } }, 2000);
    model.on("change", redraw);  // a whole figure (set_state) or an update (its version)
    // follow the container's width (plotly's own `responsive` option listens to the window only)
    const resized = new ResizeObserver(() => { if (div._fullLayout) Plotly.Plots.resize(div); });
    resized.observe(el);
    return () => { seen.disconnect(); resized.disconnect(); Plotly.purge(div); };
  },
};
"""


class PlotlyLoader(anywidget.AnyWidget):
    """Carries plotly.js; the browser evaluates it once when this model is created."""

    _esm = traitlets.Unicode().tag(sync=True)

    def __init__(self):
        source = PLOTLY_JS.read_text(encoding="utf-8")
        super().__init__(_esm=source + "\nexport default { render() {} };\n")


@functools.lru_cache(maxsize=1)
def loader() -> PlotlyLoader:
    """The one loader of this kernel (created with the first figure)."""
    return PlotlyLoader()


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
        own_id = uuid.uuid4().hex
        super().__init__(model_id=own_id, view_id=own_id, **kwargs)
        self.on_msg(self._resend_if_behind)

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

    def _resend_if_behind(self, _widget, content, _buffers):
        if isinstance(content, dict) and content.get("event") == "resync" \
                and content.get("version") != self._figure.version:
            self.send_state()


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
        loader()  # make sure plotly.js reaches the page before the first view needs it
        width = self.layout.width
        # a fixed-width figure keeps its width; the others share their row (two side by side get half each)
        size = W.Layout(width=f"{width}px") if width else W.Layout(width="100%", min_width="320px")
        self._view = PlotView(self, layout=size)

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
