// The browser half of widgets/shell/plot.py's LiveFigure: applies numbered updates, asks for the whole
// figure when it missed one, and draws with plotly.js when the plot is on screen.
// plotly.js comes once per page: on a Voila page from the file the page's first lines preloaded (plotly_js.py); elsewhere,
// or if that fails, from the kernel as one binary message asked for by the first plot (plot.py says why not in a
// model's state); a plot still waiting after 15 s asks again.
function askForPlotly(model) {
  if (window.Plotly) return;
  if (window.tpPlotlyUrl) {  // preloaded by the page: import it once; if that fails, the kernel is asked instead
    const url = window.tpPlotlyUrl;
    window.tpPlotlyUrl = null;
    window.tpPlotlyFile = import(url).catch((error) => {
      console.warn("[plot] plotly.js file:", error);
      window.tpPlotlyFile = null;
    });
  }
  if (window.tpPlotlyFile || Date.now() - (window.tpPlotlyAsked || 0) < 15000) return;
  window.tpPlotlyAsked = Date.now();
  model.send({ event: "plotly" });
}
async function loadPlotly(buffer) {
  if (window.Plotly) return;
  const url = URL.createObjectURL(new Blob([buffer], { type: "text/javascript" }));
  try { await import(url); } finally { URL.revokeObjectURL(url); }
}
function plotlyReady(model) {
  return new Promise((resolve) => {
    const tick = () => {
      if (window.Plotly) return resolve(window.Plotly);
      askForPlotly(model);
      setTimeout(tick, 30);
    };
    tick();
  });
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
    model.on("msg:custom", (msg, buffers) => {
      if (msg.event === "update" && !applyUpdate(model, msg)) resync();
      if (msg.event === "plotly") loadPlotly(buffers[0]);
    });
    try {
      await takeMessages(model);
    } catch (error) {
      console.warn("[plot] kept anywidget's message handling:", error);
    }
    resync();
    askForPlotly(model);
  },
  async render({ model, el }) {
    const Plotly = await plotlyReady(model);
    const div = document.createElement("div");
    el.appendChild(div);
    // Draw only what is on the screen or near it: twenty plots drawn at once would delay the first one, and a
    // plot scrolled away is not redrawn on every update; it catches up when it comes back.
    let visible = false, stale = true;
    // the model's arrays change in place: datarevision tells Plotly.react to look at them again
    // until its first draw a plot keeps its height, so the page does not jump as plots come into view; on the
    // plot's own div: the view's element is styled by its Layout widget, whose view may render after this one
    // (a panel built once the page is live) and clear a min-height set here: at height 0 the plot never
    // counted as on screen, so never drew
    div.style.minHeight = `${model.get("plot_layout").height || 450}px`;
    const draw = () => {
      stale = false;
      div.style.minHeight = "";
      Plotly.react(div, model.get("plot_data"), { ...model.get("plot_layout"), datarevision: model.get("version") },
                   { displaylogo: false });
    };
    // at most one redraw per frame, of the latest figure: a busy page draws less often instead of falling behind
    let queued = false;
    const redraw = () => {
      stale = true;
      if (queued || !visible) return;
      queued = true;
      requestAnimationFrame(() => { queued = false; if (visible) draw(); });
    };
    const seen = new IntersectionObserver((entries) => {
      visible = entries[entries.length - 1].isIntersecting;
      // each first draw in a task of its own, so the page paints the first plot before drawing the next
      if (visible && stale) setTimeout(() => { if (stale) draw(); }, 0);
    }, { rootMargin: "300px" });
    seen.observe(el);
    model.on("change", redraw);  // a whole figure (set_state) or an update (its version)
    // follow the container's width (plotly's own `responsive` option listens to the window only)
    const resized = new ResizeObserver(() => { if (div._fullLayout) Plotly.Plots.resize(div); });
    resized.observe(el);
    return () => { seen.disconnect(); resized.disconnect(); Plotly.purge(div); };
  },
};
