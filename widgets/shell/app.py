"""The app shell: title, language switch, status line, contents bar, page style, and the seven panels: those on
the lesson path (?lesson=lr,loop or App(lessons="lr,loop")), each built when first shown; on a Voila page, each
after the first once the browser has drawn its slot (panel_slot.py)."""
from __future__ import annotations

import importlib
import json
import os
import pathlib
from dataclasses import dataclass, field
from urllib.parse import parse_qs

import ipywidgets as W
from IPython.display import display

from core import LESSONS, ConfigError, catalogue, lesson_path, present_flag

from .contents import ContentsBar
from .held_back import held_back
from .i18n import LANGUAGES, I18n
from .iopub import keep_every_message
from .page_a11y import PageAccessibility
from .page_guard import PageGuard
from .page_query import page_query, preheated
from .panel_slot import PanelSlot
from .priority import step_back_for_the_server
from .record_channel import RecordChannel
from .record_name import NameBox
from .settings import refuse_unknown_keys
from .status import StatusLine, log

PANELS = {  # lesson (core.LESSONS, in page order) -> (module, class)
    "lr": ("widgets.lr.panel", "LRPanel"),
    "init": ("widgets.init.panel", "InitPanel"),
    "seeds": ("widgets.seeds.panel", "SeedsPanel"),
    "train": ("widgets.train.panel", "TrainPanel"),
    "losses": ("widgets.losses.panel", "LossesPanel"),
    "gpu": ("widgets.gpu.panel", "GPUPanel"),
    "loop": ("widgets.loop.panel", "LoopPanel"),
}

assert tuple(PANELS) == LESSONS
PAGE_KEYS = ("lang", "lesson", "present")  # the page's own URL keys; the others are the panels' settings
STYLE = "<style>" + (pathlib.Path(__file__).resolve().parent / "assets" / "app.css").read_text() + "</style>"


@dataclass
class Context:
    """What every panel shares: the language, the status line, and settings from the page URL."""

    i18n: I18n
    status: StatusLine
    url_settings: dict = field(default_factory=dict)
    path: tuple = LESSONS  # the lessons the page shows, in page order
    guided: bool = False  # a lesson path was chosen (a teacher's link): each lesson opens its next exercise
    record: object = None  # the class record channel (record_channel.RecordChannel) on a class server, else None


def url_settings(query: str) -> dict:
    """Settings from a page URL's query (?lr=0.05&seed=7&lang=zh): numbers parsed, text kept."""
    settings = {}
    for key, values in parse_qs(query).items():
        value = values[-1]
        try:
            settings[key] = json.loads(value)
        except (ValueError, RecursionError):  # RecursionError: thousands of '[' — kept as text, refused later
            settings[key] = value
    return settings


def page_schemas() -> list:
    """Every panel's settings schema (a page URL may set any panel's settings), its module imported unbuilt."""
    return [getattr(importlib.import_module(module), cls).schema for module, cls in PANELS.values()]


class App:
    """Header (contents bar, title, language switch, status line) and the panels of the lessons on the path, each
    built on first access."""

    def __init__(self, query: str | None = None, lessons=None, present: bool | None = None):
        """`query`: a page URL's query (read from the page when None); `lessons` ("lr,loop") and `present` choose
        the path and the projector in JupyterLab or a script, where there is no URL."""
        keep_every_message()  # a page that reads late must not lose a lesson's widgets
        step_back_for_the_server()  # a class's kernel: the server relaying every page's messages goes first
        self.i18n = I18n()
        self.status = StatusLine(self.i18n)
        self.ctx = Context(self.i18n, self.status, {}, record=RecordChannel.from_env())
        self.present = False
        self.lang = W.ToggleButtons(options=list(LANGUAGES), value="en", style={"button_width": "6em"})
        self.lang.add_class("tp-lang")
        W.link((self.lang, "value"), (self.i18n, "lang"))
        self.a11y = PageAccessibility()
        W.dlink((self.i18n, "lang"), (self.a11y, "lang"), lambda code: catalogue(code)["language.tag"])
        self.title = self.i18n.bind(W.HTML(), "value", lambda i18n: (
            f'<h1 class="tp-title">{i18n.t("app.title")}</h1><p class="tp-intro">{i18n.t("app.intro")}</p>'))
        self.contents = ContentsBar(self.i18n, self.ctx.path)
        self.name_box = NameBox(self.i18n, self.status, self.ctx.record) if self.ctx.record else None
        self.header = W.VBox([W.HTML(STYLE), self.contents.widget, self.title, self.lang,
                              *([self.name_box.widget] if self.name_box else []), self.status.widget, self.a11y])
        self.header.add_class("tp-header")
        if "VOILA_KERNEL_ID" in os.environ:  # a Voila page: elsewhere the panels come as cells are run
            self.page_guard = PageGuard(panels=[f"tp-panel-{name}" for name in PANELS])
            self.header.children += (self.page_guard,)
        self._panels, self._slots = {}, {}
        if lessons is not None or present is not None:
            self.status.guard(lambda: self.choose(lessons, present))()
        if query is not None or not preheated():  # a preheated kernel has no page yet
            self.apply_page_settings(query)

    def apply_page_settings(self, query: str | None = None) -> None:
        """Take the settings in the page URL (or `query`): language, lesson path, projector, and every panel
        built so far; panels built later take them as they are built. The notebook's last cell calls this, so
        that a kernel from Voila's preheated pool, which built the panels before any page asked, still follows
        the URL: it hides the panels off the path."""
        settings = url_settings(page_query() if query is None else query)
        if not settings or settings == self.ctx.url_settings:
            return
        self.ctx.url_settings = settings
        if settings.get("lang") in dict(LANGUAGES).values():
            self.lang.value = settings["lang"]
        if "lesson" in settings or "present" in settings:
            self.status.guard(lambda: self.choose(settings.get("lesson"), settings.get("present")))()
        self.status.guard(lambda: refuse_unknown_keys(settings, *page_schemas(), also=PAGE_KEYS))()  # the rest apply
        for panel in self._panels.values():
            panel.apply_url_settings(settings)

    def choose(self, lessons=None, present: bool | None = None) -> None:
        """Show the lessons named (None: keep the path) and switch the projector (None: keep it). A bad name
        is a ConfigError, and then every lesson shows: a page that shows something beats an empty one."""
        if present is not None:
            self.present = present_flag(present)
            for widget in (self.header, *(p.root for p in self._panels.values())):
                self._project(widget)
        if lessons is not None:
            try:
                path = lesson_path(lessons)
            except ConfigError:
                self._follow(LESSONS, guided=False)
                raise
            self._follow(path, guided=True)

    def _follow(self, path: tuple, guided: bool) -> None:
        self.ctx.path, self.ctx.guided = path, guided
        self.contents.follow(path)
        for name, panel in self._panels.items():
            panel.root.layout.display = None if name in path else "none"  # a pooled kernel built some
            panel.guide(guided and name in path)
        for name, slot in self._slots.items():
            slot.box.layout.display = None if name in path else "none"
            if not slot.filled:
                slot.signal.wait_for_plot = name != path[0]  # the path's first lesson waits for no one's plot
            slot.fill_if_due()
        if hasattr(self, "page_guard"):
            self.page_guard.panels = [f"tp-panel-{name}" for name in path]
        self.i18n.refresh()  # each lesson's last "Next:" link points to the next lesson on the path

    def _project(self, widget) -> None:
        (widget.add_class if self.present else widget.remove_class)("tp-present")

    def show(self, name: str):
        """A notebook cell's lesson: its panel if it is on the path, else nothing (and it is not built). On a
        Voila page every lesson after the path's first shows a slot, filled once the browser has drawn it: the
        first lesson's plot does not wait for the others' widgets to render (a kernel started for its page
        builds them then; a pooled kernel built them before its page came, and sends their widgets then)."""
        if name not in PANELS:
            raise KeyError(name)
        if name not in self.ctx.path:
            return None
        if not hasattr(self, "page_guard") or name == self.ctx.path[0] or name in self._panels:
            return self.panel(name)
        if name not in self._slots:
            held = ()
            if preheated():  # a pooled kernel has time before its page: build now, so that thirty pages at once
                importlib.import_module(PANELS[name][0])  # a module's own widgets (a shared Layout) are not held
                with held_back() as held:  # find built panels; but send them only when the slot is drawn
                    self.panel(name)
                held = held if name in self._panels else ()  # a panel that failed is built again when drawn
            self._slots[name] = PanelSlot(name, self.i18n, lambda: self._root(name), lambda: name in self.ctx.path,
                                          held)
        return self._slots[name]

    def _root(self, name: str):
        built = self.panel(name)
        return getattr(built, "root", built)  # a panel that failed to build is a message

    def panel(self, name: str):
        """The named panel (lr, init, seeds, train, losses, gpu, loop), built once."""
        if name not in self._panels:
            module, cls = PANELS[name]
            try:
                panel = getattr(importlib.import_module(module), cls)(self.ctx)
            except Exception as exc:  # a broken panel must not take the page down with a traceback
                log.exception("panel %s failed to build", name)
                self.status.error(exc)
                return W.HTML(self.i18n.t("app.panel_failed"))
            panel.apply_url_settings(self.ctx.url_settings)
            self._project(panel.root)
            self._panels[name] = panel
        return self._panels[name]

    def __getattr__(self, name):
        if name in PANELS:
            return self.panel(name)
        raise AttributeError(name)

    @property
    def built(self) -> tuple:
        """The panels built so far, in page order."""
        return tuple(name for name in PANELS if name in self._panels)

    def _ipython_display_(self):
        display(self.header)
