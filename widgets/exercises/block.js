// A lesson's exercise cards. Python sends the cards and their states; this draws them with real radio groups,
// a live verdict region, the keyboard, and keeps the learner's answers in localStorage, by lesson.
const KEY = (lesson) => `tp-exercises:${lesson}`;

function stored(lesson) {
  try { return JSON.parse(localStorage.getItem(KEY(lesson)) || "{}") || {}; } catch (e) { return {}; }
}

function store(lesson, record) {
  const all = stored(lesson);
  all[record.exercise] = record;
  try { localStorage.setItem(KEY(lesson), JSON.stringify(all)); } catch (e) { /* private mode: this page only */ }
}

function h(tag, attrs = {}, ...kids) {
  const svg = ["svg", "g", "circle", "line", "text"].includes(tag);
  const el = svg ? document.createElementNS("http://www.w3.org/2000/svg", tag) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "text") el.textContent = v;
    else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (v !== null && v !== undefined && v !== false) el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const kid of kids) if (kid) el.append(kid);
  return el;
}

function render({ model, el }) {
  const lesson = model.get("lesson");
  const uid = `tp-ex-${lesson}-${Math.random().toString(36).slice(2, 8)}`;
  const title = h("h3", { id: `${uid}-title`, class: "tp-exercises-title" });
  const progress = h("p", { class: "tp-exercises-progress" });
  const list = h("ol", { class: "tp-exercises-list" });
  el.append(h("section", { class: "tp-exercises", "aria-labelledby": `${uid}-title` }, title, progress, list));
  const cards = {}; // id -> the card's elements, kept so the live region and focus survive redraws
  const picks = {}; // id -> a value picked but not yet committed
  const send = (type, id, value) => model.send({ type, id, value });

  function choice(card, state, committed) {
    const group = h("div", { role: "radiogroup", "aria-label": card.question, class: "tp-exercise-choices" });
    const chosen = committed ? state.prediction : picks[card.id];
    card.options.forEach((o, i) => {
      const input = h("input", { type: "radio", name: `${uid}-${card.id}`, value: o.value, "data-key": `opt-${i}`,
                                 disabled: committed, onchange: () => { picks[card.id] = o.value; draw(); } });
      input.checked = chosen === o.value;
      group.append(h("label", { class: "tp-exercise-choice" }, input, document.createTextNode(` ${o.label}`)));
    });
    return group;
  }

  function number(card, state, committed) {
    const input = h("input", { type: "text", inputmode: "decimal", "data-key": "number", disabled: committed,
                               class: "tp-exercise-number",
                               oninput: (e) => {  // no redraw while typing: the caret stays where it is
                                 picks[card.id] = e.target.value;
                                 const commit = cards[card.id].form.querySelector('[data-key="commit"]');
                                 if (commit) commit.disabled = !e.target.value.trim();
                               },
                               onkeydown: (e) => { if (e.key === "Enter" && picks[card.id]) send("predict", card.id, picks[card.id]); } });
    input.value = committed ? state.prediction : (picks[card.id] || "");
    return h("div", { role: "group", "aria-label": card.question },
             h("label", {}, document.createTextNode(`${model.get("texts").your_number} `), input));
  }

  function chart(card, state, committed) {
    // a strip chart of the points the learner may click; each point is a radio (arrow keys move, Enter picks)
    const n = card.options.length, w = 44 * n + 20;
    const chosen = committed ? state.prediction : picks[card.id];
    const svg = h("svg", { viewBox: `0 0 ${w} 64`, width: w, height: 64, role: "radiogroup", class: "tp-exercise-chart",
                           "aria-label": `${card.question} ${model.get("texts").chart}` });
    svg.append(h("line", { x1: 10, y1: 24, x2: w - 10, y2: 24, class: "tp-exercise-axis", "aria-hidden": "true" }));
    const pick = (i) => { if (!committed) { picks[card.id] = card.options[i].value; draw(); } };
    const focusable = Math.max(0, card.options.findIndex((o) => o.value === chosen));
    card.options.forEach((o, i) => {
      const x = 32 + 44 * i, on = chosen === o.value;
      const point = h("circle", {
        cx: x, cy: 24, r: on ? 10 : 7, role: "radio", "aria-checked": String(on), "aria-label": o.label,
        "aria-disabled": committed ? "true" : null, tabindex: i === focusable ? 0 : -1, "data-key": `pt-${i}`,
        class: on ? "tp-exercise-point tp-on" : "tp-exercise-point", onclick: () => pick(i),
        onkeydown: (e) => {
          const step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[e.key];
          if (step) { e.preventDefault(); const j = (i + step + n) % n; pick(j); focusPoint(card.id, j); }
          else if (e.key === "Enter" || e.key === " ") { e.preventDefault(); pick(i); }
        },
      });
      svg.append(point, h("text", { x, y: 54, "text-anchor": "middle", "aria-hidden": "true", text: o.label }));
    });
    return svg;
  }

  function focusPoint(id, j) {
    const point = cards[id] && cards[id].form.querySelector(`[data-key="pt-${j}"]`);
    if (point) point.focus();
  }

  function form(card, state, texts) {
    const committed = state.phase !== "open";
    const kind = { choice, number, click: chart }[card.kind];
    const pickedValue = picks[card.id];
    const buttons = h("div", { class: "tp-exercise-buttons" });
    if (!committed) {
      buttons.append(
        h("button", { type: "button", class: "tp-exercise-commit", "data-key": "commit", disabled: !pickedValue,
                      onclick: () => send("predict", card.id, picks[card.id]), text: texts.commit }),
        h("button", { type: "button", class: "tp-exercise-skip", "data-key": "skip",
                      onclick: () => send("skip", card.id), text: texts.skip }));
    } else {
      if (card.own_run && state.phase !== "answered")
        buttons.append(h("button", { type: "button", class: "tp-exercise-run", "data-key": "run",
                                     onclick: () => send("run", card.id), text: texts.check_here }));
      buttons.append(h("button", { type: "button", class: "tp-exercise-retry", "data-key": "retry",
                                   onclick: () => { delete picks[card.id]; send("retry", card.id); }, text: texts.retry }));
    }
    return h("div", {}, kind(card, state, committed), buttons);
  }

  function card(c) {
    const li = h("li", { class: "tp-exercise", "data-id": c.id });
    const bodyId = `${uid}-${c.id}`;
    const toggle = h("button", { type: "button", class: "tp-exercise-toggle", "aria-controls": bodyId,
                                 onclick: () => { model.set("current", model.get("current") === c.id ? "" : c.id); model.save_changes(); } });
    const formBox = h("div", { class: "tp-exercise-form" });
    const hint = h("p", { class: "tp-exercise-hint" });
    const message = h("p", { class: "tp-exercise-message" });
    const why = h("p", { class: "tp-exercise-why" });
    // the live region exists before its text changes, so screen readers announce the verdict when it comes
    const verdict = h("div", { class: "tp-exercise-verdict", role: "status", "aria-live": "polite" }, message, why);
    const body = h("div", { id: bodyId, class: "tp-exercise-body" }, formBox, hint, verdict);
    li.append(toggle, body);
    list.append(li);
    return { li, toggle, body, form: formBox, hint, message, why, verdict, sig: "" };
  }

  function draw() {
    const texts = model.get("texts"), states = model.get("states"), open = model.get("current");
    const saved = stored(lesson), all = model.get("cards");
    title.textContent = texts.title || "";
    let done = 0;
    for (const c of all) {
      const state = states[c.id] || { phase: "open" };
      const record = saved[c.id];
      if (record) done += 1;
      const parts = cards[c.id] || (cards[c.id] = card(c));
      const isOpen = open === c.id;
      parts.toggle.setAttribute("aria-expanded", String(isOpen));
      parts.body.hidden = !isOpen;
      const mark = record ? texts[`${record.verdict}_mark`] : "";
      parts.toggle.replaceChildren(document.createTextNode(c.question),
                                   mark ? h("span", { class: `tp-exercise-mark tp-${record.verdict}`, text: ` · ${mark}` }) : "");
      parts.li.dataset.done = record ? record.verdict : "";
      const sig = JSON.stringify([c, state.phase, state.prediction, c.kind === "number" ? "" : picks[c.id] || "", texts]);
      if (sig !== parts.sig) {
        const key = parts.form.contains(document.activeElement) ? document.activeElement.dataset.key : null;
        parts.sig = sig;
        parts.form.replaceChildren(form(c, state, texts));
        const again = key && parts.form.querySelector(`[data-key="${key}"]`);
        if (again && !again.disabled) again.focus();
        else if (key) { const next = parts.form.querySelector("button:not([disabled])"); if (next) next.focus(); }
      }
      parts.hint.textContent = state.hint || "";
      if (parts.message.textContent !== (state.message || "")) parts.message.textContent = state.message || "";
      const why = state.why ? `${texts.why}: ${state.why}` : "";
      if (parts.why.textContent !== why) parts.why.textContent = why;
      parts.verdict.dataset.verdict = state.verdict || "";
    }
    progress.textContent = (texts.progress || "").replace("{done}", done).replace("{total}", all.length);
  }

  // On a lesson path the lesson opens at the first exercise this browser has not answered, once per page: a
  // learner who closes it has chosen to explore.
  let guided = false;
  function guide() {
    if (guided || !model.get("guided") || model.get("current")) return;
    guided = true;
    const saved = stored(lesson), next = model.get("cards").find((c) => !saved[c.id]);
    if (next) { model.set("current", next.id); model.save_changes(); }
  }

  model.on("change:record", () => { const r = model.get("record"); if (r && r.exercise) store(lesson, r); draw(); });
  for (const name of ["cards", "texts", "states", "current"]) model.on(`change:${name}`, draw);
  model.on("change:guided", guide);
  draw();
  guide();
}

// The block takes its own messages (takeMessages, defined before this module: widgets/shell/own_messages.py), so
// cards still update on a busy page; then it asks for the whole state once, for what was dropped before (a block
// built once the page was live, in a lesson's slot, gets its cards in messages after it was created).
export default {
  async initialize({ model }) {
    try {
      (await takeMessages(model)).comm.send({ method: "request_state" });
    } catch (error) { console.warn("[exercises] kept anywidget's messages:", error); }
  },
  render,
};
