"""Refuse an oversize upload in the browser, before it is sent: Tornado closes the websocket on a message
over 10 MiB, so a large file would otherwise vanish (the page reconnects) without a word to the learner."""
from __future__ import annotations

import anywidget
import traitlets

GUARD_ESM = """
export default {
  render({ model, el }) {
    el.style.display = "none";
    // ipywidgets' FileUpload keeps its <input type=file> out of the document and opens it with click()
    // when its button is clicked; the check rides on that click, listening on the input before the view does
    // (at the target, capture listeners run first).
    let armed = 0;
    const noteClick = (event) => {
      if (event.target.closest && event.target.closest("." + model.get("upload_class"))) armed = Date.now();
    };
    const check = (event) => {
      const big = Array.from(event.target.files || []).find((f) => f.size > model.get("limit"));
      if (!big) return;
      event.stopImmediatePropagation();
      event.target.value = "";
      model.send({ event: "too_big", size: big.size });
    };
    const click = HTMLInputElement.prototype.click;
    HTMLInputElement.prototype.click = function () {
      if (this.type === "file" && Date.now() - armed < 1000 && !this.tpGuarded) {
        this.tpGuarded = true;
        this.addEventListener("change", check, true);
      }
      return click.call(this);
    };
    document.addEventListener("click", noteClick, true);
    return () => {
      document.removeEventListener("click", noteClick, true);
      HTMLInputElement.prototype.click = click;
    };
  },
};
"""


class UploadGuard(anywidget.AnyWidget):
    """Invisible; calls `on_too_big(size_in_bytes)` when the browser refused a file over `limit` bytes."""

    _esm = traitlets.Unicode(GUARD_ESM).tag(sync=True)
    limit = traitlets.Int().tag(sync=True)
    upload_class = traitlets.Unicode().tag(sync=True)  # the CSS class of the FileUpload it guards

    def __init__(self, limit, upload_class, on_too_big):
        super().__init__(limit=limit, upload_class=upload_class)
        self.on_msg(lambda _w, content, _b: on_too_big(content.get("size", 0))
                    if isinstance(content, dict) and content.get("event") == "too_big" else None)
