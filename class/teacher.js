// The teacher's page: polls the class state every second and redraws what changed, without a reload.
// Every text a learner typed (a display name) reaches the page as text (textContent), never as HTML.
(function () {
  "use strict";
  const DATA = JSON.parse(document.getElementById("tp-teacher-data").textContent);
  const C = DATA.colours;
  const REGIMES = Object.keys(C).filter((k) => !["predicted", "measured", "other", "outline"].includes(k));
  const POLL_MS = 1000;
  const query = new URLSearchParams(location.search);
  const token = query.get("token");
  // relative to the page's own URL: ".../teacher" → "teacher/api/…", ".../teacher/" → "api/…"
  const here = location.pathname.endsWith("/") ? "" : location.pathname.split("/").pop() + "/";
  const headers = token ? { Authorization: "token " + token } : {};
  const PLOT_CONFIG = { displayModeBar: false, responsive: true };
  const FONT = { size: 15 };
  const drawn = {};  // what each chart or table last showed (JSON): unchanged parts are not redrawn

  function t(key, params) {
    let text = key in DATA.t ? DATA.t[key] : key;
    for (const [name, value] of Object.entries(params || {})) text = text.split("{" + name + "}").join(String(value));
    return text;
  }
  function el(tag, text, cls) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }
  function changed(key, value) {
    const json = JSON.stringify(value);
    if (drawn[key] === json) return false;
    drawn[key] = json;
    return true;
  }
  // plotly reads a few tags in its texts; a name must show as the characters typed
  const plain = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  const shown = (v) => (typeof v === "number" ? String(Number(v.toPrecision(4))) : String(v));
  const who = (l) => t("teacher.seat", { number: l.number }) + (l.name ? " · " + l.name : "");

  function setStatus(text, bad) {
    const node = document.getElementById("tp-t-status");
    node.textContent = text;
    node.classList.toggle("tp-t-bad", Boolean(bad));
  }

  // ---- the fixed parts: texts, language links, CSV link, "new class", full screen
  function fixed() {
    document.querySelectorAll("[data-t]").forEach((node) => { node.textContent = t(node.dataset.t); });
    const langs = document.getElementById("tp-t-langs");
    for (const [code, name] of DATA.languages) {
      if (code === DATA.lang) { langs.append(el("span", name)); continue; }
      const link = el("a", name);
      const q = new URLSearchParams(location.search);
      q.set("lang", code);
      link.href = "?" + q.toString();
      link.hreflang = code;
      langs.append(link);
    }
    document.getElementById("tp-t-csv").href = here + "api/record.csv" + (token ? "?token=" + encodeURIComponent(token) : "");
    const dialog = document.getElementById("tp-t-confirm");
    document.getElementById("tp-t-new").addEventListener("click", () => dialog.showModal());
    document.getElementById("tp-t-new-no").addEventListener("click", () => dialog.close());
    document.getElementById("tp-t-new-yes").addEventListener("click", async () => {
      dialog.close();
      try {
        const answer = await fetch(here + "api/new-class", { method: "POST", headers, cache: "no-store" });
        if (!answer.ok) throw new Error(String(answer.status));
        setStatus(t("teacher.new_done"));
      } catch (e) {
        setStatus(t("teacher.new_failed"), true);
      }
    });
    document.querySelectorAll(".tp-t-full").forEach(fullScreenButton);
    document.addEventListener("keydown", (e) => { if (e.key === "Escape") leaveFullScreen(); });
    document.addEventListener("fullscreenchange", () => { if (!document.fullscreenElement) leaveFullScreen(); });
  }

  function fullScreenButton(button) {
    button.addEventListener("click", () => {
      const card = button.closest(".tp-t-card");
      if (card.classList.contains("tp-t-fullscreen")) { leaveFullScreen(); return; }
      leaveFullScreen();
      card.classList.add("tp-t-fullscreen");
      button.textContent = t("teacher.full_leave");
      // the real thing where the browser grants it; the fixed overlay above covers the page either way
      if (card.requestFullscreen) card.requestFullscreen().catch(() => {});
      resizeCharts(card);
    });
  }
  function leaveFullScreen() {
    const card = document.querySelector(".tp-t-fullscreen");
    if (!card) return;
    card.classList.remove("tp-t-fullscreen");
    card.querySelector(".tp-t-full").textContent = t("teacher.full");
    if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
    resizeCharts(card);
  }
  function resizeCharts(card) {
    card.querySelectorAll(".js-plotly-plot").forEach((chart) => Plotly.Plots.resize(chart));
  }

  // ---- the live parts
  function seats(state) {
    document.getElementById("tp-t-seats").textContent = t("teacher.seats", state.seats);
  }

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
  function exerciseCard(key, ex, texts) {
    const card = el("div", null, "tp-t-card");
    card.dataset.exercise = key;
    const head = el("div", null, "tp-t-card-head");
    const words = el("div");
    const lesson = t("lesson." + ex.lesson + ".title");
    words.append(el("h3", (texts ? texts.question : ex.exercise)), el("p", lesson, "tp-t-empty"), el("p", "", "tp-t-counts"));
    const button = el("button", t("teacher.full"), "tp-t-full");
    button.type = "button";
    fullScreenButton(button);
    head.append(words, button);
    card.append(head, el("div", null, "tp-t-chart"));
    return card;
  }
  function exercises(state) {
    const grid = document.getElementById("tp-t-exercises");
    // the exercises of the lessons the class has started: every one of them, answered or not yet
    const begun = new Set(state.exercises.filter((ex) => ex.answered + ex.skipped > 0).map((ex) => ex.lesson));
    const shownNow = state.exercises.filter((ex) => begun.has(ex.lesson));
    document.getElementById("tp-t-exercises-empty").hidden = shownNow.length > 0;
    const keep = new Set();
    for (const ex of shownNow) {
      const key = ex.lesson + ":" + ex.exercise;  // as the snapshot's "texts" are keyed
      keep.add(key);
      const texts = (state.texts || {})[key];
      let card = grid.querySelector(`[data-exercise="${CSS.escape(key)}"]`);
      if (!card) { card = exerciseCard(key, ex, texts); grid.append(card); }
      const wrong = ex.answered - ex.right;  // "answered" counts predictions made; a skip is not one
      card.querySelector(".tp-t-counts").textContent =
        t("teacher.counts", { answered: ex.answered, right: ex.right, wrong, skipped: ex.skipped });
      if (changed("ex:" + key, [ex, texts])) {
        const fig = exerciseFigure(ex, texts);
        Plotly.react(card.querySelector(".tp-t-chart"), fig.data, fig.layout, PLOT_CONFIG);
      }
    }
    for (const card of [...grid.children]) if (!keep.has(card.dataset.exercise)) { delete drawn["ex:" + card.dataset.exercise]; card.remove(); }
  }

  function lrRuns(state) {
    const runs = state.lr_runs;
    document.getElementById("tp-t-lr-empty").hidden = runs.length > 0;
    if (!changed("lr", runs)) return;
    const finite = runs.map((r) => r.final_loss).filter((y) => y !== null && isFinite(y) && y > 0);
    const top = finite.length ? Math.max(...finite) * 3 : 1;  // where a run without a finite loss is drawn
    const groups = [...REGIMES, ...new Set(runs.map((r) => r.regime).filter((g) => !REGIMES.includes(g)))];
    const data = groups.map((regime) => {
      const mine = runs.filter((r) => r.regime === regime);
      const lost = (r) => r.final_loss === null || !(r.final_loss > 0) || !isFinite(r.final_loss);
      return {
        type: "scatter", mode: "markers", name: ("lr.regime." + regime) in DATA.t ? t("lr.regime." + regime) : plain(regime),
        x: mine.map((r) => r.lr), y: mine.map((r) => (lost(r) ? top : r.final_loss)),
        marker: { size: 13, color: C[regime] || C.other, symbol: mine.map((r) => (lost(r) ? "x" : "circle")),
                  line: { width: 1, color: C.outline } },
        hovertext: mine.map((r) => plain(who(r)) + "<br>" + (lost(r) ? t("teacher.lr_nan") : shown(r.final_loss))),
        hoverinfo: "text+x", showlegend: mine.length > 0,
      };
    });
    const layout = { font: FONT, margin: { l: 70, r: 10, t: 10, b: 55 }, autosize: true, legend: { orientation: "h", y: 1.12 },
                     xaxis: { type: "log", title: { text: t("teacher.lr_axis_rate") } },
                     yaxis: { type: "log", title: { text: t("teacher.lr_axis_loss") } } };
    Plotly.react(document.getElementById("tp-t-lr-chart"), data, layout, PLOT_CONFIG);
  }

  function reading(row) {
    if (row.seed === null || row.seed === undefined) return t("teacher.repro_unseeded", row);
    return t(row.fingerprints === 1 ? "teacher.repro_same" : "teacher.repro_differ", row);
  }
  function reproducibility(state) {
    const rows = state.reproducibility;
    if (!changed("repro", rows)) return;
    const biggest = rows.reduce((a, r) => (a && a.learners >= r.learners ? a : r), null);
    document.getElementById("tp-t-repro-reading").textContent = biggest ? reading(biggest) : t("teacher.repro_none");
    const body = document.querySelector("#tp-t-repro tbody");
    body.replaceChildren(...rows.map((r) => {
      const tr = el("tr");
      tr.append(el("td", t("lesson." + r.lesson + ".title")), el("td", r.summary), el("td", r.seed ?? "—"),
                el("td", r.learners), el("td", r.runs), el("td", r.fingerprints), el("td", r.identical),
                el("td", reading(r), r.fingerprints === 1 ? "tp-t-same" : "tp-t-differ"));
      return tr;
    }));
  }

  function learners(state) {
    document.getElementById("tp-t-learners-empty").hidden = state.learners.length > 0;
    const body = document.querySelector("#tp-t-learners tbody");
    const now = state.updated;
    body.replaceChildren(...[...state.learners].sort((a, b) => a.number - b.number).map((l) => {
      const tr = el("tr", null, l.connected ? "" : "tp-t-away");
      tr.append(el("td", l.number), el("td", l.name ?? ""), el("td", t(l.connected ? "teacher.connected_yes" : "teacher.connected_no")),
                el("td", l.answers), el("td", l.runs), el("td", t("teacher.ago", { seconds: Math.max(0, Math.round(now - l.last_seen)) })));
      return tr;
    }));
  }

  async function poll() {
    try {
      const answer = await fetch(here + "api/state?lang=" + encodeURIComponent(DATA.lang), { headers, cache: "no-store" });
      if (answer.status === 403) { setStatus(t("teacher.status_refused"), true); return; }  // no point asking again
      if (!answer.ok) throw new Error(String(answer.status));
      const state = await answer.json();
      for (const part of [seats, exercises, lrRuns, reproducibility, learners]) part(state);
      setStatus(t("teacher.status_live", { time: new Date(state.updated * 1000).toLocaleTimeString(DATA.lang) }));
    } catch (e) {
      setStatus(t("teacher.status_offline"), true);
    }
    setTimeout(poll, POLL_MS);
  }

  fixed();
  poll();
})();
