"""The one error surface: every callback's failure becomes a short message, never a traceback."""
from __future__ import annotations

import functools
import html
import logging
import os
import sys
import tempfile

import ipywidgets as W

from core import ConfigError, is_out_of_memory

from .i18n import known
from . import palette

log = logging.getLogger("training_playground")


def log_file() -> str:
    """Where this kernel's log goes: $TP_LOG_DIR (or the temporary folder)/training-playground-logs."""
    folder = os.environ.get("TP_LOG_DIR") or os.path.join(tempfile.gettempdir(), "training-playground-logs")
    return os.path.join(folder, f"kernel-{os.getpid()}.log")


def _log_to_a_file():
    # Never to the kernel's stderr: ipykernel forwards stderr to the page as it is, tracebacks and server
    # paths included, whatever Voila's show_tracebacks says.
    if log.handlers:
        return
    path = log_file()
    os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
    handler = logging.FileHandler(path, delay=True, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    log.addHandler(handler)
    log.propagate = False
    if os.environ.get("TP_STDERR") == "log":
        # The class server asks for this: warnings and anything else Python writes to stderr go to the
        # log file too, not over the learner's websocket (its kernels also keep C-level output off it).
        sys.stderr = open(path, "a", buffering=1, encoding="utf-8")  # noqa: SIM115 (lives with the kernel)


_log_to_a_file()


class StatusLine:
    """A single line at the foot of the page; `guard` wraps every callback that can fail.

    With `echo` (the page's line) it is a panel's own line (its messages, or the result of one of its
    buttons, placed beside that button); it starts blank, and everything it shows `echo` shows too."""

    def __init__(self, i18n, css: str = "tp-status", echo: StatusLine | None = None):
        self.i18n, self.echo = i18n, echo
        self.widget = W.HTML()
        self.widget.add_class(css)
        self.kind = "info"
        self._key, self._params, self._raw = ("status.ready" if echo is None else ""), {}, None  # "": blank
        i18n.observe(lambda _: self._render(), "lang")
        self._render()

    @property
    def text(self) -> str:
        """The message as a learner reads it (no markup)."""
        # A ConfigError is translated at render time, so a language switch re-translates it.
        params = {k: self._translate(v) if isinstance(v, ConfigError) else v for k, v in self._params.items()}
        return self._raw if self._raw is not None else self.i18n.t(self._key, **params)

    def show(self, key: str, kind: str = "info", **params):
        """Show a catalogue text (re-translated when the language switches)."""
        self._key, self._params, self._raw, self.kind = key, params, None, kind
        self._render()
        if self.echo is not None:
            self.echo.show(key, kind, **params)

    def error(self, exc: BaseException):
        """Turn any exception into one short sentence in the chosen language."""
        if isinstance(exc, ConfigError):
            self.show("status.bad_setting", "error", message=exc)
        elif is_out_of_memory(exc):
            log.warning("a run ran out of memory: %s", str(exc)[:200])
            self.show("status.out_of_memory", "error")
        else:
            log.exception("unexpected error in a callback", exc_info=exc)
            self.show("status.unexpected", "error", error=type(exc).__name__)

    def _translate(self, exc: ConfigError) -> str:
        key = f"err.{exc.code}"
        if not known(key):
            return str(exc)
        # the name of the box ("learning rate") is translated too when the catalogues know it
        params = {k: self.i18n.t(f"what.{v}") if k == "what" and known(f"what.{v}") else v
                  for k, v in exc.params.items()}
        try:
            return self.i18n.t(key, **params)
        except (KeyError, ValueError, IndexError):  # a param missing or of the wrong kind: the English sentence
            return str(exc)

    def _render(self):
        colour = {"error": palette.ERROR, "ok": palette.OK}.get(self.kind, palette.TEXT)
        text = self.text
        self.widget.value = f'<span style="color:{colour}">{html.escape(text)}</span>' if text else ""

    def guard(self, fn):
        """Decorator for widget callbacks: exceptions go to the status line, not to the page."""

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except Exception as exc:  # the one place that catches everything: learners never see tracebacks
                self.error(exc)
                return None

        return wrapper
