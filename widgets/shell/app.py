"""The app shell: language switch, status line, page style, and the seven panels (built when first shown)."""
from __future__ import annotations

import importlib
import json
import os
import pathlib
from dataclasses import dataclass, field
from urllib.parse import parse_qs

import ipywidgets as W
from IPython.display import display

from core import catalogue

from .i18n import LANGUAGES, I18n
from .page_a11y import PageAccessibility
from .page_guard import PageGuard
from .page_query import page_query
from .settings import refuse_unknown_keys
from .status import StatusLine, log

PANELS = {  # attribute -> (module, class)
    "lr": ("widgets.lr.panel", "LRPanel"),
    "init": ("widgets.init.panel", "InitPanel"),
    "seeds": ("widgets.seeds.panel", "SeedsPanel"),
    "train": ("widgets.train.panel", "TrainPanel"),
    "losses": ("widgets.losses.panel", "LossesPanel"),
    "gpu": ("widgets.gpu.panel", "GPUPanel"),
    "loop": ("widgets.loop.panel", "LoopPanel"),
}

STYLE = "<style>" + (pathlib.Path(__file__).resolve().parent / "assets" / "app.css").read_text() + "</style>"


@dataclass
class Context:
    """What every panel shares: the language, the status line, and settings from the page URL."""

    i18n: I18n
    status: StatusLine
    url_settings: dict = field(default_factory=dict)


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
    """Header (language switch + status line) and the panels, each built on first access."""

    def __init__(self, query: str | None = None):
        self.i18n = I18n()
        self.status = StatusLine(self.i18n)
        self.ctx = Context(self.i18n, self.status, {})
        self.lang = W.ToggleButtons(options=list(LANGUAGES), value="en", style={"button_width": "6em"})
        self.lang.add_class("tp-lang")
        W.link((self.lang, "value"), (self.i18n, "lang"))
        self.a11y = PageAccessibility()
        W.dlink((self.i18n, "lang"), (self.a11y, "lang"), lambda code: catalogue(code)["language.tag"])
        self.header = W.VBox([W.HTML(STYLE), self.lang, self.status.widget, self.a11y])
        if "VOILA_KERNEL_ID" in os.environ:  # a Voila page: elsewhere the panels come as cells are run
            self.page_guard = PageGuard(panels=[f"tp-panel-{name}" for name in PANELS])
            self.header.children += (self.page_guard,)
        self._panels = {}
        if query is not None or os.environ.get("VOILA_PREHEAT") != "True":  # a preheated kernel has no page yet
            self.apply_page_settings(query)

    def apply_page_settings(self, query: str | None = None) -> None:
        """Take the settings in the page URL (or `query`): language and every panel built so far; panels
        built later take them as they are built. The notebook's last cell calls this, so that a kernel
        from Voila's preheated pool, which built the panels before any page asked, still follows the URL."""
        settings = url_settings(page_query() if query is None else query)
        if not settings or settings == self.ctx.url_settings:
            return
        self.ctx.url_settings = settings
        if settings.get("lang") in dict(LANGUAGES).values():
            self.lang.value = settings["lang"]
        self.status.guard(lambda: refuse_unknown_keys(settings, *page_schemas(), also=("lang",)))()  # the rest apply
        for panel in self._panels.values():
            panel.apply_url_settings(settings)

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
            self._panels[name] = panel
        return self._panels[name]

    def __getattr__(self, name):
        if name in PANELS:
            return self.panel(name)
        raise AttributeError(name)

    def _ipython_display_(self):
        display(self.header)
