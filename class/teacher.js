// The teacher's page: polls the class state every second and redraws what changed, without a reload.
// Every text a learner typed (a display name) reaches the page as text (textContent), never as HTML.
(function () {
  "use strict";
  const DATA = JSON.parse(document.getElementById("tp-teacher-data").textContent);
  const POLL_MS = 1000;
  const query = new URLSearchParams(location.search);
  const token = query.get("token");
  // relative to the page's own URL: ".../teacher" → "teacher/api/…", ".../teacher/" → "api/…"
  const here = location.pathname.endsWith("/") ? "" : location.pathname.split("/").pop() + "/";
  const headers = token ? { Authorization: "token " + token } : {};
  const PLOT_CONFIG = { displayModeBar: false, responsive: true };
  const drawn = {};  // what each chart or table last showed (JSON): unchanged parts are not redrawn

  function t(key, params) {
    let text = key in DATA.t ? DATA.t[key] : key;
    for (const [name, value] of Object.entries(params || {})) text = text.split("{" + name + "}").join(String(value));
    return text;
  }
  const charts = window.TeacherCharts(t, DATA.colours);
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

  // the status line says how the poll goes; the notice what the teacher's last action did
  function setStatus(text, bad, id = "tp-t-status") {
    const node = document.getElementById(id);
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
        setStatus(t("teacher.new_done"), false, "tp-t-notice");
      } catch (e) {
        setStatus(t("teacher.new_failed"), true, "tp-t-notice");
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
        const fig = charts.exerciseFigure(ex, texts);
        Plotly.react(card.querySelector(".tp-t-chart"), fig.data, fig.layout, PLOT_CONFIG);
      }
    }
    for (const card of [...grid.children]) if (!keep.has(card.dataset.exercise)) { delete drawn["ex:" + card.dataset.exercise]; card.remove(); }
  }

  function lrRuns(state) {
    document.getElementById("tp-t-lr-empty").hidden = state.lr_runs.length > 0;
    if (!changed("lr", state.lr_runs)) return;
    const fig = charts.lrFigure(state.lr_runs);
    Plotly.react(document.getElementById("tp-t-lr-chart"), fig.data, fig.layout, PLOT_CONFIG);
  }

  function reading(row) {
    if (row.seed === null || row.seed === undefined) return t("teacher.repro_unseeded", row);
    if (row.runs < 2) return t("teacher.repro_alone", row);  // one run: "1 identical fingerprints" would say nothing
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
