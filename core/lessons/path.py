"""A lesson path: which of the seven lessons a page shows, and whether it is projected. Read from a page URL
(?lesson=lr,loop&present=1) or given in JupyterLab (App(lessons="lr")); the names are a teacher's links, fixed."""
from __future__ import annotations

from ..engine.errors import ConfigError

LESSONS = ("lr", "init", "seeds", "train", "losses", "gpu", "loop")  # page order; the URL's names


def lesson_path(value=None) -> tuple:
    """The lessons named by `value` ("lr,loop", ["lr", "loop"], or None/"" for all), in page order."""
    if value is None or value == "":
        return LESSONS
    names = value.split(",") if isinstance(value, str) else list(value) if isinstance(value, (list, tuple)) else [value]
    names = [str(name).strip().lower() for name in names if str(name).strip()]
    unknown = [name for name in names if name not in LESSONS]
    if unknown or not names:
        raise ConfigError("unknown_lesson", name=", ".join(unknown) or str(value), names=", ".join(LESSONS))
    return tuple(name for name in LESSONS if name in names)


def present_flag(value) -> bool:
    """?present=1 (or true) is the projector, 0 (or false) the ordinary page; anything else is refused."""
    if value in (True, False, 0, 1) or str(value).lower() in ("true", "false"):
        return value in (True, 1) or str(value).lower() == "true"
    raise ConfigError("present_flag", value=str(value))
