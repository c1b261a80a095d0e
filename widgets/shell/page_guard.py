"""The page's own checks in the browser, wherever it is served: a page whose panels did not arrive says so
(instead of "Ready."), and a closed tab can free its kernel on plain Voila."""
from __future__ import annotations

import json
import os

import anywidget
import traitlets

from core import catalogue

from . import palette
from .contents import ANCHOR_JS
from .i18n import LANGUAGES
from .plotly_js import PLOTLY_PRELOAD_JS

XSRF_JS = """
function ensureXsrfCookie() {
  // Voila's "tab closed -> shut my kernel down" beacon sends the _xsrf cookie back as a form field; plain
  // Voila never sets that cookie, so the beacon is refused (403) and the kernel lingers. Tornado accepts any
  // hex token that matches its cookie; one made here is as unguessable to another site as the server's.
  if (/(^|;\\s*)_xsrf=/.test(document.cookie)) return;
  const data = document.getElementById("jupyter-config-data");
  const base = (data && JSON.parse(data.textContent).baseUrl) || "/";
  const token = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0"));
  document.cookie = `_xsrf=${token.join("")}; path=${base}; SameSite=Strict`;
}

"""

GUARD_ESM = """
export default {
  render({ model, el }) {
    el.style.display = "none";
    // Every output arrived in the page before this view renders; the panels' views render alongside it.
    // Those still missing after grace_ms never came (a lost or failed cell): say so, and stop saying Ready.
    // A lesson's slot counts as arrived: its panel is built once the page has drawn it (panel_slot.py). When
    // every panel itself is there, the page says so on <body data-tp-panels="built"> (tests and scripts wait for it).
    const built = (css) => document.querySelector("." + css);
    const arrived = (css) => built(css) || document.querySelector("." + css.replace("tp-panel-", "tp-slot-"));
    const missing = () => model.get("panels").filter((css) => !arrived(css));
    let banner = null;
    const status = () => document.querySelector(".tp-status");
    const showBanner = () => {
      banner = document.createElement("div");
      banner.className = "tp-panels-missing";
      banner.setAttribute("role", "alert");
      banner.textContent = model.get("message") + " ";
      const button = document.createElement("button");
      button.textContent = model.get("reload");
      button.onclick = () => window.location.reload();
      banner.appendChild(button);
      document.body.appendChild(banner);
      if (status()) status().style.visibility = "hidden";
    };
    const observer = new MutationObserver(() => check());
    const timer = setTimeout(() => { if (missing().length) showBanner(); }, model.get("grace_ms"));
    function check() {
      if (model.get("panels").every(built)) {
        document.body.dataset.tpPanels = "built";
        observer.disconnect();
      }
      if (missing().length) return;
      clearTimeout(timer);
      if (banner) { banner.remove(); banner = null; }
      if (status()) status().style.visibility = "";
    }
    observer.observe(document.body, { childList: true, subtree: true });
    model.on("change:panels", check);
    check();
    return () => { observer.disconnect(); clearTimeout(timer); model.off("change:panels", check); };
  },
};
"""

GUARD_CSS = f"""
.tp-panels-missing {{ position: fixed; left: 0; right: 0; bottom: 0; z-index: 1001; padding: 8px 16px;
  background: {palette.WARNING_FILL}; border-top: 2px solid {palette.ERROR}; font-size: 15px; color: {palette.INK}; }}
.tp-panels-missing button {{ margin-left: 1em; }}
"""


# Voila's widget manager asks the kernel for every widget's state in one message and waits 4 s for the answer;
# past that it asks for each of ~950 models one by one (ipywidgets' CONTROL_COMM_TIMEOUT, not configurable:
# jupyter-widgets/ipywidgets#3633). With ten pages opening at once on two busy cores the answer came after
# 3-4 s, and a page that missed it was still asking model by model a minute later, when the watchdog below
# reloaded it. Our kernels always answer, so the page waits for the answer as long as the watchdog waits.
CONTROL_COMM_JS = """
function waitLongerForWidgetStates(wait_ms) {
  const setTimeoutOriginal = window.setTimeout;
  window.setTimeout = function (callback, delay, ...rest) {
    if (delay === 4000 && typeof callback === "function" && String(callback).includes("Control comm did not respond")) {
      delay = wait_ms;
    }
    return setTimeoutOriginal.call(this, callback, delay, ...rest);
  };
}

"""

WATCHDOG_JS = """
(() => {
  if (document.body.dataset.voila !== "voila") return;  // a Voila page only (JupyterLab never runs it anyway)
  const config = CONFIG;
  const wait_ms = window.tpWidgetsWaitMs || config.wait_ms;  // a test's page sets a shorter wait
  ensureXsrfCookie();
  waitLongerForWidgetStates(config.wait_ms);
  // Widgets that never load leave every panel at "Loading widget..." and the page guard, a widget too, cannot
  // say so. This script is page HTML: wait_ms after the page has loaded, no status line means no widgets;
  // reload once by itself, and if that page fails as well, say so with a Reload button.
  const key = "tp-reloaded:" + location.pathname;
  const check = () => {
    if (document.querySelector(".tp-status")) { sessionStorage.removeItem(key); return; }
    if (!sessionStorage.getItem(key)) { sessionStorage.setItem(key, "1"); window.location.reload(); return; }
    const banner = document.createElement("div");
    banner.className = "tp-panels-missing";
    banner.setAttribute("role", "alert");
    banner.textContent = config.message + " ";
    const button = document.createElement("button");
    button.textContent = config.reload;
    button.onclick = () => window.location.reload();
    banner.appendChild(button);
    document.body.appendChild(banner);
  };
  const start = () => setTimeout(check, wait_ms);
  if (document.readyState === "complete") start(); else window.addEventListener("load", start);
})();
"""


def page_script() -> str:
    """The page's own script, in the notebook's first Markdown cell (tools/make_notebook.py puts it there).

    Voila writes a Markdown cell's HTML into the page as it streams, before its own JavaScript, so this runs
    before Voila's widget manager starts and whether or not any widget ever loads; a code cell's output would
    be rendered by that widget manager, too late for both. JupyterLab strips scripts from Markdown."""
    config = {"wait_ms": 60_000, "message": both("page.panels_missing"), "reload": both("page.reload")}
    script = (PLOTLY_PRELOAD_JS + XSRF_JS + CONTROL_COMM_JS
              + WATCHDOG_JS.replace("CONFIG", json.dumps(config, ensure_ascii=False)) + ANCHOR_JS)
    # JupyterLab shows what is left once it has stripped the script: a title and how to start, in both languages
    # (no language is chosen yet); the Voila page has its own title, in the chosen language, so hides it.
    lab = (f'<h1 class="tp-lab-only">{both("app.title")}</h1>\n'
           f'<p class="tp-lab-only">{both("app.lab_start")}</p>\n')
    hide = "body[data-voila] .tp-lab-only { display: none; }"
    # the script starts its own Markdown HTML block (one that ends at </script>, blank lines and all): after an
    # <h1> line it would end at the script's first blank line, and the rest would be read as Markdown
    return f"<style>{GUARD_CSS.strip()}\n{hide}</style>\n<script>{script}</script>\n{lab}"


def both(key: str) -> str:
    """A text in every language at once: the page may be broken before a language is chosen."""
    return " · ".join(catalogue(code)[key] for _, code in LANGUAGES)


class PageGuard(anywidget.AnyWidget):
    """Invisible; checks in the browser that every panel in `panels` (CSS classes) reached the page."""

    _esm = traitlets.Unicode(GUARD_ESM).tag(sync=True)
    _css = traitlets.Unicode(GUARD_CSS).tag(sync=True)
    panels = traitlets.List(traitlets.Unicode()).tag(sync=True)
    grace_ms = traitlets.Int().tag(sync=True)
    message = traitlets.Unicode(both("page.panels_missing")).tag(sync=True)
    reload = traitlets.Unicode(both("page.reload")).tag(sync=True)

    @traitlets.default("grace_ms")
    def _grace_ms(self) -> int:
        """How long the panels may take to reach the page: they render within a second or two of this view."""
        # TP_PANELS_GRACE_MS: a test of a page missing panels sees the banner without waiting out the default
        return int(os.environ.get("TP_PANELS_GRACE_MS") or 20_000)
