"""What every panel shares: its root box and CSS classes, texts, status, run/stop handling, sharing."""
from __future__ import annotations

import json

import ipywidgets as W

from core import ConfigError

from .runner import BackgroundRun
from .sections import lesson_opening, section_box
from .settings import check_settings, read_settings, schema_keys
from .status import StatusLine, log


class Panel:
    """Base of every panel: `root` carries tp-panel classes; subclasses build controls and figures."""

    name = "panel"
    threaded = None  # None: in a thread inside a kernel, inline elsewhere; tests set True to click Stop mid-run

    def __init__(self, ctx):
        # The panel's own message line, first in its box, repeats what the page's line says about it: where
        # the page's line cannot stay in view (JupyterLab, Colab), the message is still beside the panel's
        # buttons. Under Voila the page's line is in view and the CSS hides this one.
        self.ctx, self.i18n, self.status = ctx, ctx.i18n, StatusLine(ctx.i18n, "tp-panel-status", echo=ctx.status)
        self.t, self.guard = ctx.i18n.t, self.status.guard
        self.job, self.applying = None, False
        self.finished_listeners, self.exercises = [], None  # the exercise block checks a run when it finishes
        self.root = W.VBox(layout=W.Layout(width="100%"))
        self.root.add_class("tp-panel")
        self.root.add_class(f"tp-panel-{self.name}")
        self.root.observe(self._message_line_first, "children")

    def _message_line_first(self, change):
        if self.status.widget not in change["new"]:
            block = [b for b in self._exercise_block() if b not in change["new"]]  # sections() placed it already
            self.root.children = (self.status.widget, *block, *change["new"])

    def _exercise_block(self) -> tuple:
        """The lesson's exercises open the panel: built once, when the panel first lays out its controls."""
        if self.exercises is None:
            from ..exercises.block import exercise_block  # read (files, JavaScript) only when a panel lays out
            self.exercises = exercise_block(self) or False
            self.guide(getattr(self.ctx, "guided", False))
        return (self.exercises,) if self.exercises else ()

    def guide(self, guided: bool) -> None:
        """On a lesson path, the lesson opens at its first exercise the learner has not done (the page knows which)."""
        if self.exercises:
            self.exercises.guided = guided

    def sections(self, *parts) -> None:
        """Lay the panel out as its lesson: the opening, then each (section name, widgets) under its heading."""
        self.root.children = [*self.opening(), *(section_box(self, name, children) for name, children in parts)]

    def opening(self) -> list:
        """What a lesson starts with, before its first section: its heading and text, then its exercises."""
        return [*lesson_opening(self), *self._exercise_block()]

    # -- display -------------------------------------------------------------------------
    def _repr_mimebundle_(self, **kwargs):
        return self.root._repr_mimebundle_(**kwargs)

    def label(self, widget, key, attribute="description", **params):
        """Bind a widget's text to a catalogue key (relabels on a language switch)."""
        return self.i18n.bind(widget, attribute, key, **params)

    def button(self, key, css=None, style="", icon=""):
        """A translated button whose clicks go through the error surface."""
        b = self.label(W.Button(button_style=style, icon=icon, layout=W.Layout(width="auto")), key)
        if css:
            b.add_class(css)
        return b

    def on_click(self, button, fn):
        button.on_click(self.guard(lambda _b: fn()))

    # -- background runs -----------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self.job is not None and self.job.running

    def refuse_if_busy(self) -> bool:
        """True (and a message) when a run is going: a second one must wait for Stop."""
        if self.busy:
            self.status.show("panel.busy", "error")
        return self.busy

    def start(self, work, flush, done, run_buttons, stop_button, threaded=None):
        """Run work in the background; disable run buttons meanwhile; route failures to the status."""
        if self.refuse_if_busy():
            return None
        if self.job is not None:
            self.job.join(timeout=5)  # the last run has reported; let its thread finish before the next
        for b in run_buttons:
            b.disabled = True
        stop_button.disabled = False

        def finish():
            for b in run_buttons:
                b.disabled = False
            stop_button.disabled = True

        def on_done(result):
            finish()
            self.guard(done)(result)
            for listener in self.finished_listeners:
                self.guard(listener)()
            self._record_runs(result)

        def on_fail(exc):
            finish()
            self.status.error(exc)

        self.status.show("panel.running")
        threaded = self.threaded if threaded is None else threaded
        self.job = BackgroundRun(work, self.guard(flush), on_done, on_fail, threaded=threaded)
        try:
            return self.job.start()
        except ConfigError:  # the kernel runs its most already: the buttons come back, the status says why
            finish()
            raise

    def _record_runs(self, result) -> None:
        """The class record gets each finished run's summary (a class server's kernel only; never in the way)."""
        channel = getattr(self.ctx, "record", None)
        if channel is not None:
            try:
                channel.runs(self.name, result)
            except Exception:
                log.exception("class record: no summary of a %s run", self.name)

    def stop(self):
        if self.job is not None:
            self.job.stop()

    # -- shareable settings --------------------------------------------------------------
    schema = ()  # the panel's settings (Setting / RunSettings parts, widgets.shell.settings): declared, not coded

    @classmethod
    def settings_keys(cls) -> tuple:
        """The keys this panel's settings may have (a page URL's others belong to other panels)."""
        return schema_keys(cls.schema)

    def settings(self) -> dict:
        """The panel's settings as JSON-safe data."""
        return read_settings(self, self.schema)

    def apply_settings(self, data: dict) -> None:
        """Set the panel's controls from settings() data: every value is checked before any is set."""
        checked = check_settings(self, self.schema, data)
        self.applying = True  # controls' observers may skip redrawing while several change at once
        try:
            for part, parsed in checked:
                part.write(self, parsed)
        finally:
            self.applying = False
        self.settings_applied()

    def settings_applied(self) -> None:
        """After apply_settings set the controls at once: redraw what they feed (subclasses override)."""

    def apply_url_settings(self, url_settings: dict) -> None:
        """Take the page URL's settings that are this panel's; a bad one is reported, the others kept."""
        mine = {k: v for k, v in url_settings.items() if k in self.settings_keys()}
        if mine:
            self.guard(self.apply_settings)(mine)

    def share_box(self):
        """An accordion with the settings JSON and an Apply button."""
        text = W.Textarea(layout=W.Layout(width="100%", height="90px"))
        text.add_class("tp-share-text")
        show, apply = self.button("share.copy"), self.button("share.apply")
        help_ = self.label(W.HTML(), "share.help", "value")
        self.on_click(show, lambda: setattr(text, "value", json.dumps(self.settings(), indent=1)))

        def apply_pasted():
            try:
                data = json.loads(text.value)
            except ValueError:
                self.status.show("share.bad_json", "error")
                return
            if not isinstance(data, dict):
                raise ConfigError("settings_object")
            self.apply_settings(data)
            self.status.show("share.applied", "ok")

        self.on_click(apply, apply_pasted)
        box = W.Accordion(children=[W.VBox([help_, text, W.HBox([show, apply])])])
        box.selected_index = None
        self.i18n.call(lambda i18n: set_titles(box, [i18n.t("share.title")]))
        self.share_text, self.share_show, self.share_apply = text, show, apply
        return box


def set_titles(container, titles):
    """Tab/Accordion titles on ipywidgets 8 (`titles`) and 7 (`set_title`, as on Colab)."""
    if hasattr(container, "titles"):
        container.titles = tuple(titles)
    else:
        for i, title in enumerate(titles):
            container.set_title(i, title)
