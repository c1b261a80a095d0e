"""A lesson's exercise cards: the learner opens one, commits a prediction (or skips), runs, and reads the verdict.

The cards are drawn by block.js (real radio groups, a live verdict region, the keyboard, and the progress kept in
the browser's localStorage); this side locks the lesson's Run until a prediction is committed and, when the run
ends, asks core to measure the panel's result and judge the prediction."""
from __future__ import annotations

import math
import pathlib

import anywidget
import ipywidgets as W
import traitlets

from core import ConfigError, answer, load_exercises, parse_prediction

from ..shell.own_messages import own_ids, with_take_messages
from .wiring import WIRING

HERE = pathlib.Path(__file__).resolve().parent
READY = ("predicted", "skipped", "answered")  # phases in which the lesson's Run is unlocked


class ExerciseBlock(anywidget.AnyWidget):
    """Attributes: exercises (id -> Exercise), phase(id), records (ExerciseRecords of this session, in order)."""

    _esm = traitlets.Unicode(with_take_messages((HERE / "block.js").read_text(encoding="utf-8"))).tag(sync=True)
    _css = traitlets.Unicode((HERE / "block.css").read_text(encoding="utf-8")).tag(sync=True)
    lesson = traitlets.Unicode("").tag(sync=True)
    cards = traitlets.List().tag(sync=True)  # what block.js draws, in the current language
    texts = traitlets.Dict().tag(sync=True)
    states = traitlets.Dict().tag(sync=True)
    current = traitlets.Unicode("").tag(sync=True)  # the exercise being worked on ("" = none); block.js sets it too
    guided = traitlets.Bool(False).tag(sync=True)  # block.js opens the first exercise not done (a lesson path)
    record = traitlets.Dict().tag(sync=True)  # the last answer, which block.js adds to localStorage
    view_id = traitlets.Unicode().tag(sync=True)  # the model's own id: block.js takes its messages (own_messages.py)

    def __init__(self, panel, exercises):
        # its CSS class in the state it is created with: a view of a block built once the page is live (a lesson's
        # slot) may miss later messages on a busy page (block.js), and anywidget's view ignores later class changes
        super().__init__(**own_ids(), lesson=panel.name, _dom_classes=("tp-exercises-block",))
        self.panel, self.t = panel, panel.t
        self.exercises = {e.id: e for e in exercises}
        self.records, self._state, self._locked, self._pending = [], {}, set(), None
        for action in {e.action for e in exercises}:
            button = WIRING[(panel.name, action)].button
            if button is not None:  # after the panel's own handler: the run has started (or, headless, ended)
                button(panel).on_click(panel.guard(lambda _b, a=action: self._clicked(a)))
        panel.finished_listeners.append(self._finished)
        self.on_msg(panel.guard(self._message))
        self.observe(panel.guard(lambda _: self._changed()), "current")
        panel.i18n.call(lambda _: self._publish())

    # -- what the learner does (block.js sends these; tests call them) ----------------------------------
    def open_exercise(self, exercise_id: str) -> None:
        self.current = exercise_id if exercise_id in self.exercises else ""

    def predict(self, exercise_id: str, value) -> None:
        """Commit a prediction (checked against the exercise's kind); Run unlocks."""
        self.open_exercise(exercise_id)
        prediction = parse_prediction(self.exercises[exercise_id], value)
        self._state[exercise_id] = {"phase": "predicted", "prediction": prediction}
        self._changed()

    def skip(self, exercise_id: str) -> None:
        """Run without predicting: the check will show what was measured, with no verdict."""
        self.open_exercise(exercise_id)
        self._state[exercise_id] = {"phase": "skipped", "prediction": None}
        self._changed()

    def retry(self, exercise_id: str) -> None:
        """Predict again (after changing the settings, say): Run locks until the new prediction."""
        self.open_exercise(exercise_id)
        self._state.pop(exercise_id, None)
        self._changed()

    def check_here(self) -> None:
        """The card's own Run, for a panel that redraws as its controls move (losses): check what it shows now."""
        self._clicked("draw")

    def phase(self, exercise_id: str) -> str:
        return self._state.get(exercise_id, {}).get("phase", "open")

    def _message(self, _widget, content, _buffers):
        kind, exercise_id = content.get("type"), content.get("id", "")
        if exercise_id not in self.exercises and kind != "run":
            return
        if kind == "predict":
            self.predict(exercise_id, content.get("value"))
        elif kind == "skip":
            self.skip(exercise_id)
        elif kind == "retry":
            self.retry(exercise_id)
        elif kind == "run":
            self.panel.draw()
            self.check_here()

    # -- the run and its check -------------------------------------------------------------------------
    def _clicked(self, action):
        ex = self.exercises.get(self.current)
        if ex is None or ex.action != action or self.phase(ex.id) not in ("predicted", "skipped"):
            return
        if self.panel.busy:  # a background run: check when the panel says it finished
            self._pending = action
        else:
            self._check(ex)

    def _finished(self):
        action, self._pending = self._pending, None
        ex = self.exercises.get(self.current)
        if action is not None and ex is not None and ex.action == action:
            self._check(ex)
        self._lock()  # the run's end unlocked the panel's buttons; relock them if an exercise waits

    def _check(self, ex):
        result = WIRING[(ex.lesson, ex.action)].result(self.panel)
        if result is None:
            self._state[ex.id]["note"] = "exercise.no_result"
            self._publish()
            return
        state = self._state[ex.id]
        if state["phase"] == "answered":
            return
        record = answer(ex, state["prediction"], result, self.panel.settings())
        self._state[ex.id] = {"phase": "answered", "prediction": state["prediction"], "record": record}
        self.records.append(record)
        self.record = record.to_dict()
        channel = getattr(self.panel.ctx, "record", None)
        if channel is not None:  # the class record (a class server's kernel only)
            channel.answer(self.record)
        self.panel.status.show(f"exercise.status_{record.verdict}", "ok" if record.verdict == "right" else "info")
        self._changed()

    # -- locking Run, and what the cards show ------------------------------------------------------------
    def _changed(self):
        self._lock()
        self._publish()

    def _lock(self):
        ex = self.exercises.get(self.current)
        wanted = set()
        if ex is not None and self.phase(ex.id) not in READY:
            wiring = WIRING[(ex.lesson, ex.action)]
            wanted = {*([wiring.button(self.panel)] if wiring.button else []), *wiring.gates(self.panel)}
        for widget in self._locked - wanted:
            widget.disabled = self.panel.busy and isinstance(widget, W.Button)  # a running run keeps Run locked
        for widget in wanted:
            widget.disabled = True
        self._locked = wanted

    def _publish(self):
        t = self.t
        self.texts = {k: t(f"exercise.{k}") for k in ("title", "progress", "commit", "skip", "retry", "check_here",
                                                      "your_number", "done", "right_mark", "wrong_mark",
                                                      "skipped_mark", "why", "chart")}
        self.cards = [{"id": e.id, "kind": e.kind, "question": e.question[self.panel.i18n.lang],
                       "options": [{"value": str(o.value), "label": o.label(self.panel.i18n.lang)} for o in e.options],
                       "own_run": WIRING[(e.lesson, e.action)].button is None} for e in self.exercises.values()]
        self.states = {e.id: self._card_state(e) for e in self.exercises.values()}

    def _card_state(self, ex) -> dict:
        t, state, phase = self.t, self._state.get(ex.id, {}), self.phase(ex.id)
        button = self._button_label(ex)
        prediction = state.get("prediction")
        shown = "" if prediction is None else f"{prediction:.6g}" if ex.kind == "number" else str(prediction)
        out = {"phase": phase, "prediction": shown,
               "verdict": "", "message": "", "why": "", "hint": t("exercise.waiting", button=button)}
        if phase == "predicted":
            out["hint"] = t("exercise.then_run", prediction=self._show(ex, state["prediction"]), button=button)
        elif phase == "skipped":
            out["hint"] = t("exercise.skipped_then_run", button=button)
        elif phase == "answered":
            r = state["record"]
            measured = self._show(ex, r.measured) if r.measured is not None else "inf/NaN"
            out.update(verdict=r.verdict, hint="", why=ex.why[self.panel.i18n.lang].format(
                measured=measured, prediction=self._show(ex, r.prediction)),
                message=t(f"exercise.{r.verdict}", measured=measured, prediction=self._show(ex, r.prediction)))
        if state.get("note"):
            out["hint"] = t(state["note"])
        return out

    def _button_label(self, ex) -> str:
        wiring = WIRING[(ex.lesson, ex.action)]
        return wiring.button(self.panel).description if wiring.button else self.t("exercise.check_here")

    def _show(self, ex, value) -> str:
        """A prediction or a measurement as the learner reads it: the option's label, or a rounded number."""
        for option in ex.options:
            if str(option.value) == str(value) or (isinstance(value, (int, float)) and option.value == value):
                return option.label(self.panel.i18n.lang)
        if isinstance(value, float):
            return f"{value:.4g}" if math.isfinite(value) else "inf/NaN"
        return "" if value is None else str(value)


def exercise_block(panel):
    """The panel's exercise block, or None when its lesson has no file; a malformed file is reported, not raised."""
    try:
        exercises = load_exercises(panel.name)
    except ConfigError as exc:
        if exc.code == "exercise_unreadable":
            return None
        panel.status.error(exc)
        return None
    return ExerciseBlock(panel, exercises)
