"""A lesson's place on a Voila page until its panel is built.

A page's widgets reach the browser only once every cell has run, all at once: seven panels (about 1,250
widgets) made the learning-rate lesson's first plot wait for all of them. On a Voila page every lesson after the
path's first shows a slot (CSS classes tp-slot and tp-slot-<lesson>, with the lesson's anchor), and the browser,
once it has drawn its first plot, asks the kernel for each slot's panel, which then takes the slot's place. A
kernel started for its page builds those panels then (App.show); a pooled kernel built them before its page
came, and sends their widgets then (held_back.py); a lesson off the page's path stays in its hidden slot.
"""
from __future__ import annotations

import anywidget
import ipywidgets as W
import traitlets

from .held_back import announce, registered, states
from .own_messages import own_ids, with_take_messages
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
// A pooled kernel's panel comes as one message holding every widget's state (held_back.py): created here as
// Voila's widget manager creates the states a page asks for at first (its _loadFromKernel), each with a comm to
// the kernel's widget; then the kernel puts the panel in the slot. Where that cannot be done, the kernel is told,
// and sends each widget as ipywidgets does.
const receiving = new Set();  // one view per slot takes a panel's widgets, once
async function receive(model, states) {
  const manager = model.widget_manager;
  const ids = Object.keys(states).filter((id) => !manager.has_model(id));
  const comms = await Promise.all(ids.map((id) => manager._create_comm("jupyter.widget", id)));
  await Promise.all(ids.map((id, i) => manager.new_model({ model_name: states[id].model_name,
    model_module: states[id].model_module, model_module_version: states[id].model_module_version, model_id: id,
    comm: comms[i] }, states[id].state)));
}
export default {
  async initialize({ model }) {  // a lesson's widgets must reach the slot even on a page too busy for anywidget
    try { await takeMessages(model); } catch (error) { console.warn("tp: the slot kept anywidget's messages", error); }
  },
  render({ model, el }) {
    const take = (message) => {
      if (message?.event !== "widgets" || receiving.has(model.get("anchor"))) return;
      receiving.add(model.get("anchor"));
      receive(model, message.states).then(() => model.send({ event: "received" }), (error) => {
        console.error("tp: a lesson's widgets in one message", error);
        model.send({ event: "unreceived" });
      }).finally(() => receiving.delete(model.get("anchor")));
    };
    model.on("msg:custom", take);
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
    return () => { gone = true; model.off("change:note", note); model.off("msg:custom", take); clearInterval(again); };
  },
};
"""


class SlotSignal(anywidget.AnyWidget):
    """The slot's visible note ("Loading …"); tells the kernel when the browser has drawn it."""

    _esm = traitlets.Unicode(with_take_messages(SIGNAL_ESM)).tag(sync=True)
    view_id = traitlets.Unicode().tag(sync=True)  # the model's own id: the slot takes its messages (own_messages.py)
    anchor = traitlets.Unicode().tag(sync=True)
    note = traitlets.Unicode().tag(sync=True)
    wait_for_plot = traitlets.Bool(True).tag(sync=True)  # False for the path's first lesson: no plot comes before it


class PanelSlot:
    """`box` holds the lesson's note until the page has drawn it and the lesson is on the path; then `fill` is
    called and the box holds what it returns (the panel's root)."""

    def __init__(self, lesson: str, i18n, fill, on_path, held=()):
        """`fill()`: the widget to show instead; `on_path()`: whether the lesson is on the page's path now;
        `held`: the widgets of a panel built before its page came, unsent (held_back.py)."""
        self.lesson, self._fill, self._on_path, self._i18n = lesson, fill, on_path, i18n
        self.drawn = self.filled = False
        self._held, self._sending = list(held), []  # _sending: sent in one message, not yet created by the page
        # its class at creation, as every anywidget's here (exercises/block.py says why)
        self.signal = i18n.bind(SlotSignal(**own_ids(), anchor=anchor(lesson), _dom_classes=("tp-slot-note",)),
                                "note", "app.panel_loading")
        self.signal.on_msg(self._message)
        self.box = W.VBox([self.signal], layout=W.Layout(width="100%"))
        self.box.add_class("tp-slot")
        self.box.add_class(f"tp-slot-{lesson}")

    def _message(self, _widget, content, _buffers) -> None:
        event = content.get("event") if isinstance(content, dict) else None
        if event == "drawn":
            self.drawn = True
            self.fill_if_due()
        elif event in ("received", "unreceived") and self._sending:
            if event == "unreceived":
                announce(self._sending)
            self._sending = []
            self.fill_if_due()

    def fill_if_due(self) -> None:
        """Build the panel once the page has drawn the slot, if the lesson is on the path (and only once). A
        panel built before its page came is first sent in one message, and shown once the page has it; asked
        again meanwhile (a message lost), the slot sends it again."""
        if self.drawn and not self.filled and self._on_path():
            root = self._fill()
            if self._held:
                self._sending, self._held = registered(self._held), []
            if self._sending:
                found, _paths, buffers = states(self._sending)
                if not buffers:  # a binary value (none in today's panels) goes as ipywidgets sends it
                    self.signal.send({"event": "widgets", "states": found})
                    return
                announce(self._sending)
                self._sending = []
            self.box.children = (root,)
            self.filled = True
            self._i18n.unbind(self.signal)  # closed for good: a language switch has nothing to set on it
            self.signal.close()

    def _repr_mimebundle_(self, **kwargs):
        return self.box._repr_mimebundle_(**kwargs)
