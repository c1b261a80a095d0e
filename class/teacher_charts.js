// The teacher's page's charts: plotly figures made from the class state (data in, figure out; teacher.js draws them).
// A learner's name enters a chart only escaped: plotly reads a few HTML tags in its texts.
window.TeacherCharts = function (t, C) {
  "use strict";
  const REGIMES = Object.keys(C).filter((k) => !["predicted", "measured", "other", "outline"].includes(k));
  const FONT = { size: 15 };
  const plain = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  const shown = (v) => (typeof v === "number" ? String(Number(v.toPrecision(4))) : String(v));
  const who = (l) => t("teacher.seat", { number: l.number }) + (l.name ? " · " + l.name : "");

  // number predictions fall into bins shared with the measured values; few distinct values keep their own bars
  function bins(values) {
    const distinct = [...new Set(values)].sort((a, b) => a - b);
    if (distinct.length <= 8) return distinct.map((v) => ({ label: shown(v), has: (x) => x === v }));
    const lo = distinct[0], hi = distinct[distinct.length - 1];
    let edges;
    if (lo > 0 && hi / lo >= 100) {  // decades: a rate, a loss, a memory size spread over orders of magnitude
      const first = Math.floor(Math.log10(lo)), last = Math.ceil(Math.log10(hi));
      edges = Array.from({ length: last - first + 1 }, (_, i) => 10 ** (first + i));
    } else {  // about eight bins one round step wide (1, 2 or 5 times a power of ten)
      const rough = (hi - lo) / 8, power = 10 ** Math.floor(Math.log10(rough));
      const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough);
      const start = Math.floor(lo / step) * step;
      edges = Array.from({ length: Math.floor((hi - start) / step) + 2 }, (_, i) => start + i * step);
    }
    if (edges.length < 2) edges.push(edges[0] * 10);
    return edges.slice(0, -1).map((a, i) => {
      const b = edges[i + 1], last = i === edges.length - 2;
      return { label: shown(a) + "–" + shown(b), has: (x) => x >= a && (last ? x <= b : x < b) };
    });
  }
  // a value as the record keeps it and as the catalogue names it ("1e-05" and 0.00001 are one rate)
  function same(a, b) {
    const x = Number(a), y = Number(b);
    return a !== null && b !== null && String(a).trim() !== "" && String(b).trim() !== "" && isFinite(x) && isFinite(y)
      ? x === y : String(a) === String(b);
  }
  function categories(ex, texts) {
    const values = ex.predictions.concat(ex.measured).map((p) => p.value);
    if (ex.kind === "number") return bins(values.filter((v) => typeof v === "number" && isFinite(v)));
    const known = Object.entries(texts ? texts.options : {}).map(([value, label]) => ({ value, label }));
    for (const v of values) if (!known.some((o) => same(o.value, v))) known.push({ value: v, label: shown(v) });
    // rates and layer numbers in their order (a JSON object's integer-like keys come first in a browser)
    const numeric = known.filter((o) => isFinite(Number(o.value)) && String(o.value).trim() !== "");
    numeric.sort((a, b) => Number(a.value) - Number(b.value));
    const ordered = [...numeric, ...known.filter((o) => !numeric.includes(o))];
    return ordered.map((o) => ({ label: o.label, has: (x) => same(x, o.value) }));
  }
  function exerciseFigure(ex, texts) {
    const cats = categories(ex, texts);
    const count = (list) => cats.map((c) => list.filter((p) => c.has(p.value)).reduce((s, p) => s + p.count, 0));
    const x = cats.map((c) => c.label);
    const most = Math.max(1, ...count(ex.predictions), ...count(ex.measured));
    return {
      data: [
        { type: "bar", name: t("teacher.predicted"), x, y: count(ex.predictions), marker: { color: C.predicted } },
        { type: "bar", name: t("teacher.measured"), x, y: count(ex.measured), marker: { color: C.measured } },
      ],
      layout: { barmode: "group", font: FONT, margin: { l: 45, r: 10, t: 10, b: 60 }, legend: { orientation: "h", y: 1.15 },
                xaxis: { type: "category" },  // options such as 0.1 and 1 are names here, evenly spaced
                yaxis: { title: { text: t("teacher.learners_axis") }, rangemode: "tozero", tickformat: "d",
                         dtick: most <= 10 ? 1 : undefined }, autosize: true },
    };
  }

  // a log axis labels its decades only once it spans two of them (plotly's own labels for 2..9 crowd on a projector);
  // a shorter span keeps 2 and 5
  function decades(values, top) {
    const all = [...values, top].filter((v) => v > 0);
    return all.length && Math.log10(Math.max(...all) / Math.min(...all)) >= 2 ? 1 : "D2";
  }

  // every learner's rate against final loss, one trace per regime in the app's colours; no finite loss: at the top
  function lrFigure(runs) {
    const finite = runs.map((r) => r.final_loss).filter((y) => y !== null && isFinite(y) && y > 0);
    const top = finite.length ? Math.max(...finite) * 3 : 1;  // where a run without a finite loss is drawn
    const groups = [...REGIMES, ...new Set(runs.map((r) => r.regime).filter((g) => !REGIMES.includes(g)))];
    const data = groups.map((regime) => {
      const mine = runs.filter((r) => r.regime === regime);
      const lost = (r) => r.final_loss === null || !(r.final_loss > 0) || !isFinite(r.final_loss);
      return {
        type: "scatter", mode: "markers", name: t("lr.regime." + regime) === "lr.regime." + regime ? plain(regime) : t("lr.regime." + regime),
        x: mine.map((r) => r.lr), y: mine.map((r) => (lost(r) ? top : r.final_loss)),
        marker: { size: 13, color: C[regime] || C.other, symbol: mine.map((r) => (lost(r) ? "x" : "circle")),
                  line: { width: 1, color: C.outline } },
        hovertext: mine.map((r) => plain(who(r)) + "<br>" + (lost(r) ? t("teacher.lr_nan") : shown(r.final_loss))),
        hoverinfo: "text+x", showlegend: mine.length > 0,
      };
    });
    const layout = { font: FONT, margin: { l: 70, r: 10, t: 10, b: 55 }, autosize: true, legend: { orientation: "h", y: 1.12 },
                     xaxis: { type: "log", title: { text: t("teacher.lr_axis_rate") } },
                     yaxis: { type: "log", title: { text: t("teacher.lr_axis_loss") }, dtick: decades(finite, top) } };
    return { data, layout };
  }

  return { exerciseFigure, lrFigure };
};
