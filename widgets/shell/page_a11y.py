"""What assistive technology needs from the page and ipywidgets does not give: names, roles, language, focus.

An invisible widget whose JavaScript watches the page: it names every slider handle after its label (and
lets a log slider announce its value, not its exponent), gives the status line `role="status"`, marks
the pressed language button with `aria-pressed`, sets `lang` (on <html> under Voila, where the page is the
app; on the app's own elements inside JupyterLab), and gives focus back to a button a run disabled.
"""
from __future__ import annotations

import anywidget
import traitlets

A11Y_ESM = """
const set = (el, name, value) => { if (el.getAttribute(name) !== value) el.setAttribute(name, value); };

function label(model) {
  const lang = model.get("lang") || "en";
  if (document.body.dataset.voila !== undefined) set(document.documentElement, "lang", lang);
  else document.querySelectorAll(".tp-panel, .tp-status, .tp-lang").forEach((el) => set(el, "lang", lang));
  document.querySelectorAll(".tp-status").forEach((el) => { set(el, "role", "status"); set(el, "aria-live", "polite"); });
  document.querySelectorAll(".tp-lang .widget-toggle-button").forEach((b) =>
    set(b, "aria-pressed", String(b.classList.contains("mod-active"))));
  document.querySelectorAll(".widget-slider").forEach((slider) => {
    const name = slider.querySelector(":scope > .widget-label");
    const readout = slider.querySelector(".widget-readout");
    slider.querySelectorAll("[role=slider]").forEach((handle) => {
      if (name && name.textContent.trim()) set(handle, "aria-label", name.textContent.trim());
      // the readout shows the value (0.300); a log slider's handle would announce its exponent (-0.52)
      if (readout && readout.textContent.trim()) set(handle, "aria-valuetext", readout.textContent.trim());
    });
  });
}

export default {
  render({ model, el }) {
    el.style.display = "none";
    let pending = false, lastFocus = null;
    const later = () => { if (!pending) { pending = true; setTimeout(() => { pending = false; label(model); }, 50); } };
    const focused = (event) => { lastFocus = event.target; };
    const watch = new MutationObserver((records) => {
      for (const r of records) {
        const b = r.target;
        if (r.attributeName !== "disabled" || b.tagName !== "BUTTON") continue;
        // a focused button that a run disables loses focus to <body>: give it back when the run ends
        if (b.disabled && lastFocus === b) b.tpRefocus = true;
        else if (!b.disabled && b.tpRefocus) {
          b.tpRefocus = false;
          if (!document.activeElement || document.activeElement === document.body) b.focus();
        }
      }
      later();
    });
    watch.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true,
                                   attributeFilter: ["disabled", "class", "aria-valuetext"] });
    document.addEventListener("focusin", focused, true);
    model.on("change:lang", () => label(model));
    label(model);
    return () => { watch.disconnect(); document.removeEventListener("focusin", focused, true); };
  },
};
"""


class PageAccessibility(anywidget.AnyWidget):
    """Invisible; `lang` is the app's language as a BCP 47 tag ("en", "zh-Hans"), which the page's `lang` follows."""

    _esm = traitlets.Unicode(A11Y_ESM).tag(sync=True)
    lang = traitlets.Unicode("en").tag(sync=True)


def mark(kind: str) -> str:
    """A yes / no / warning / info mark drawn by the page's CSS (no emoji: the page may have no emoji font)."""
    return f'<span class="tp-mark tp-mark-{kind}" aria-hidden="true"></span>'
