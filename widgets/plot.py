"""A light live figure: plotly.js loaded once per page, each figure a tiny widget redrawn by Plotly.react.

plotly's own FigureWidget ships its 5 MB JavaScript bundle inside every instance's state; with
twenty figures on the page that was ~100 MB per learner and a page that took half a minute to
become responsive. Here one `PlotlyLoader` carries plotly.js once, and every `LiveFigure`
(a go.Figure whose change hooks sync a small anywidget) waits for it.

anywidget (0.11) gives a model two seconds to load its JavaScript; past that it drops every later
message to the model for good, so on a busy page (plotly.js parsing, a class laptop, ten pages at
once) a plot could stay empty while its run finished. Each view therefore routes its model's
messages straight to ipywidgets' own handler and asks the kernel to resend its state if the
version it holds is not the latest.
"""
from __future__ import annotations

import functools
import json
import pathlib
import uuid

import anywidget
import ipywidgets as W
import plotly.graph_objects as go
import traitlets

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
export default {
  async initialize({ model }) {
    try {
      await takeMessages(model);
    } catch (error) {
      console.warn("[plot] kept anywidget's message handling:", error);
    }
    model.send({ event: "resync", version: model.get("version") });
  },
  async render({ model, el }) {
    const Plotly = await plotlyReady();
    const div = document.createElement("div");
    el.appendChild(div);
    // Draw only what is on (or near) the screen: twenty plots drawn at once would delay the first one.
    let visible = false;
    const draw = () => visible ? Plotly.react(div, model.get("plot_data"), model.get("plot_layout"),
                                              { displaylogo: false }) : null;
    const seen = new IntersectionObserver((entries) => {
      const now = entries.some((e) => e.isIntersecting);
      // each first draw in a task of its own, so the page paints the first plot before drawing the next
      if (now && !visible) { visible = true; setTimeout(draw, 0); }
    }, { rootMargin: "300px" });
    seen.observe(el);
    // a page in a background tab never reports anything as visible: draw anyway after a moment
    setTimeout(() => { if (!visible) { visible = true; draw(); } }, 2000);
    model.on("change:plot_data", draw);
    model.on("change:plot_layout", draw);
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
    """The browser side of a LiveFigure: a div that Plotly.react redraws when data or layout change."""

    _esm = traitlets.Unicode(VIEW_ESM).tag(sync=True)
    plot_data = traitlets.List().tag(sync=True)
    plot_layout = traitlets.Dict().tag(sync=True)  # not `layout`: that is the widget's own CSS layout
    view_id = traitlets.Unicode().tag(sync=True)  # the model's own id, so the browser can look it up
    version = traitlets.Int(0).tag(sync=True)  # bumped with every redraw

    def __init__(self, **kwargs):
        own_id = uuid.uuid4().hex
        super().__init__(model_id=own_id, view_id=own_id, **kwargs)
        self.on_msg(self._resend_if_behind)

    def show(self, data, layout):
        with self.hold_sync():
            self.plot_data, self.plot_layout, self.version = data, layout, self.version + 1

    def _resend_if_behind(self, _widget, content, _buffers):
        if isinstance(content, dict) and content.get("event") == "resync" and content.get("version") != self.version:
            self.send_state()


class LiveFigure(go.Figure):
    """A go.Figure (same API: fig.data[i].x = …, fig.layout…, batch_update) that mirrors itself to a PlotView."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        loader()  # make sure plotly.js reaches the page before the first view needs it
        width = self.layout.width
        # a fixed-width figure keeps its width; the others share their row (two side by side get half each)
        size = W.Layout(width=f"{width}px") if width else W.Layout(width="100%", min_width="320px")
        self._view = PlotView(layout=size)
        self._sync()

    @property
    def widget(self) -> PlotView:
        """The widget to lay out."""
        return self._view

    def _sync(self):
        # plotly's own encoder turns numpy arrays, NaN and inf into JSON the browser can draw
        spec = json.loads(self.to_json())
        self._view.show(spec.get("data", []), spec.get("layout", {}))

    # go.Figure calls these after every change (once per batch_update); FigureWidget sends messages here.
    def _send_restyle_msg(self, *args, **kwargs):
        self._sync()

    def _send_relayout_msg(self, *args, **kwargs):
        self._sync()

    def _send_update_msg(self, *args, **kwargs):
        self._sync()

    def _send_addTraces_msg(self, *args, **kwargs):
        self._sync()

    def _send_deleteTraces_msg(self, *args, **kwargs):
        self._sync()

    def _send_moveTraces_msg(self, *args, **kwargs):
        self._sync()
