"""A lesson's place on a Voila page until its panel is built.

A page's widgets reach the browser only once every cell has run, all at once: seven panels (about 1,250
widgets) made the learning-rate lesson's first plot wait for all of them. On a Voila page every lesson after the
path's first shows a slot (CSS classes tp-slot and tp-slot-<lesson>, with the lesson's anchor), and the browser,
once it has drawn its first plot, asks the kernel for each slot's panel, which then takes the slot's place. A
kernel started for its page builds those panels then (App.show); a pooled kernel built them before its page
came, and a lesson off the page's path stays in its hidden slot.
"""
from __future__ import annotations

import anywidget
import ipywidgets as W
import traitlets

from .sections import anchor

SIGNAL_ESM = """
// One promise for every slot on the page, so that they ask in the order they rendered: once the first plot has
// been drawn (the panels' widgets would otherwise reach the page while it draws), or after 10 s without one.
function firstPlotDrawn() {
  window.tpFirstPlot = window.tpFirstPlot || new Promise((resolve) => {
    const start = Date.now();
    const tick = () => (document.querySelector(".js-plotly-plot") || Date.now() - start > 10000)
      ? resolve() : setTimeout(tick, 50);
    tick();
  });
  return window.tpFirstPlot;
}
export default {
  render({ model, el }) {
    el.id = model.get("anchor");  // a contents link or #anchor in the address finds the lesson before it is built
    const note = () => { el.textContent = model.get("note"); };
    note();
    model.on("change:note", note);
    // asked again every 15 s while the slot is still on screen: a message lost on a busy page must not leave a
    // lesson at "Loading" for good (the kernel fills a slot once; a hidden slot, off the path, does not ask)
    let again = null, gone = false;
    const ask = () => {
      if (gone) return;
      model.send({ event: "drawn" });
      again = setInterval(() => { if (el.offsetParent !== null) model.send({ event: "drawn" }); }, 15000);
    };
    if (model.get("wait_for_plot")) firstPlotDrawn().then(ask); else ask();
    return () => { gone = true; model.off("change:note", note); clearInterval(again); };
  },
};
"""


class SlotSignal(anywidget.AnyWidget):
    """The slot's visible note ("Loading …"); tells the kernel when the browser has drawn it."""

    _esm = traitlets.Unicode(SIGNAL_ESM).tag(sync=True)
    anchor = traitlets.Unicode().tag(sync=True)
    note = traitlets.Unicode().tag(sync=True)
    wait_for_plot = traitlets.Bool(True).tag(sync=True)  # False for the path's first lesson: no plot comes before it


class PanelSlot:
    """`box` holds the lesson's note until the page has drawn it and the lesson is on the path; then `fill` is
    called and the box holds what it returns (the panel's root)."""

    def __init__(self, lesson: str, i18n, fill, on_path):
        """`fill()`: the widget to show instead; `on_path()`: whether the lesson is on the page's path now."""
        self.lesson, self._fill, self._on_path, self._i18n = lesson, fill, on_path, i18n
        self.drawn = self.filled = False
        # its class at creation, as every anywidget's here (exercises/block.py says why)
        self.signal = i18n.bind(SlotSignal(anchor=anchor(lesson), _dom_classes=("tp-slot-note",)), "note",
                                "app.panel_loading")
        self.signal.on_msg(self._message)
        self.box = W.VBox([self.signal], layout=W.Layout(width="100%"))
        self.box.add_class("tp-slot")
        self.box.add_class(f"tp-slot-{lesson}")

    def _message(self, _widget, content, _buffers) -> None:
        if isinstance(content, dict) and content.get("event") == "drawn":
            self.drawn = True
            self.fill_if_due()

    def fill_if_due(self) -> None:
        """Build the panel once the page has drawn the slot, if the lesson is on the path (and only once)."""
        if self.drawn and not self.filled and self._on_path():
            self.box.children = (self._fill(),)
            self.filled = True
            self._i18n.unbind(self.signal)  # closed for good: a language switch has nothing to set on it
            self.signal.close()

    def _repr_mimebundle_(self, **kwargs):
        return self.box._repr_mimebundle_(**kwargs)
