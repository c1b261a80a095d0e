"""Where a page's plotly.js comes from, once per page.

A Voila page fetches it as a file from its first lines (PLOTLY_PRELOAD_JS, in page_guard.page_script), while its
kernel starts and its widgets load, and its first plot runs it (assets/live_figure.js). Where that file is not
served (JupyterLab, Notebook 7) or its fetch fails, the first plot asks its kernel, which sends PLOTLY_JS
(plot.py's PlotView).
"""
from __future__ import annotations

import pathlib

# plotly.js's cartesian bundle (1.5 MB: every trace type the panels draw) rather than plotly.py's full
# 4.8 MB one, which each page would receive and parse before its first plot: see assets/SOURCE.md.
PLOTLY_JS = pathlib.Path(__file__).resolve().parent / "assets" / "plotly-cartesian-4.1.1.min.js"
# Voila serves files of the notebook's folder that voila.json's file_allowlist admits at <base>voila/files/<path>
PLOTLY_FILE = PLOTLY_JS.relative_to(pathlib.Path(__file__).resolve().parents[2]).as_posix()
# In the page's first lines: the browser fetches and compiles plotly.js while the kernel
# starts and the widgets' states load; the first plot runs it (docs/performance.md, "plotly.js as a file").
PLOTLY_PRELOAD_JS = """
(() => {
  if (document.body.dataset.voila !== "voila" || window.Plotly) return;  // a Voila page only
  const data = document.getElementById("jupyter-config-data");
  const base = (data && JSON.parse(data.textContent).baseUrl) || "/";
  const link = document.createElement("link");
  link.rel = "modulepreload";
  // absolute: live_figure.js imports it from a blob: module, against which a path resolves to nothing
  link.href = window.tpPlotlyUrl = new URL(`${base}voila/files/PLOTLY_FILE`, location.href).href;
  document.head.appendChild(link);
})();
""".replace("PLOTLY_FILE", PLOTLY_FILE)
