"""English / 简体中文: one catalogue of texts, and widgets bound to keys that relabel on a switch."""
from __future__ import annotations

import traitlets

LANGUAGES = (("English", "en"), ("中文", "zh"))
CATALOGUE: dict = {}  # key -> (english, chinese); each panel module registers its own texts


def register(texts: dict) -> None:
    """Add a panel's texts: {key: (english, chinese)}."""
    for key, pair in texts.items():
        if len(pair) != 2:
            raise ValueError(f"text {key!r} needs an English and a Chinese version")
        if key in CATALOGUE:
            raise ValueError(f"text {key!r} is already registered: each text lives in one place")
    CATALOGUE.update(texts)


class I18n(traitlets.HasTraits):
    """The chosen language, and every widget attribute that shows a translated text."""

    lang = traitlets.Unicode("en")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._bindings = []  # (widget, attribute, key or callable, params)

    def t(self, key: str, **params) -> str:
        """The text for key in the current language, formatted with params."""
        english, chinese = CATALOGUE.get(key, (key, key))
        text = chinese if self.lang == "zh" else english
        return text.format(**params) if params else text

    def bind(self, widget, attribute: str, key, **params):
        """Set widget.attribute to the text now and after every language switch; returns widget."""
        self._bindings.append((widget, attribute, key, params))
        self._apply(widget, attribute, key, params)
        return widget

    def call(self, fn):
        """Run fn(i18n) now and after every language switch (for texts that are not one attribute)."""
        self._bindings.append((None, None, fn, {}))
        fn(self)

    def _apply(self, widget, attribute, key, params):
        if widget is None:
            key(self)
            return
        value = key(self) if callable(key) else self.t(key, **params)
        setattr(widget, attribute, value)

    @traitlets.observe("lang")
    def _relabel(self, change):
        for binding in self._bindings:
            self._apply(*binding)
