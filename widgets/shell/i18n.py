"""The app's languages (one catalogue file each, in locales/), and widgets bound to keys that relabel on a switch."""
from __future__ import annotations

import traitlets

from core import catalogue, languages

# (name as the language toggle shows it, code): every catalogue in locales/, English first
LANGUAGES = tuple((catalogue(code)["language.name"], code) for code in languages())


def known(key: str) -> bool:
    """True when the catalogues have a text for key (English is the reference every language matches)."""
    return key in catalogue()


class I18n(traitlets.HasTraits):
    """The chosen language, and every widget attribute that shows a translated text."""

    lang = traitlets.Unicode("en")

    def __init__(self, **kwargs):
        self._bindings = []  # (widget, attribute, key or callable, params); before a lang= given here is set
        super().__init__(**kwargs)

    def t(self, key: str, **params) -> str:
        """The text for key in the current language, formatted with params."""
        text = catalogue(self.lang).get(key, key)
        return text.format(**params) if params else text

    def bind(self, widget, attribute: str, key, **params):
        """Set widget.attribute to the text now and after every language switch; returns widget."""
        self._bindings.append((widget, attribute, key, params))
        self._apply(widget, attribute, key, params)
        return widget

    def unbind(self, widget) -> None:
        """Forget widget's texts (a widget closed for good: a filled slot's note)."""
        self._bindings = [binding for binding in self._bindings if binding[0] is not widget]

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

    def refresh(self) -> None:
        """Redraw every bound text (for texts that depend on more than the language, e.g. the lesson path)."""
        for binding in self._bindings:
            self._apply(*binding)

    @traitlets.observe("lang")
    def _relabel(self, change):
        self.refresh()
