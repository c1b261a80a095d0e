"""Reading what a learner typed into text boxes or pasted as settings: numbers, seeds, width lists, choices,
or a ConfigError."""
from __future__ import annotations

import math

from core import ConfigError


def parse_float(text, what: str) -> float:
    """'0.05', '1e-3' -> float; anything else is a ConfigError naming the box."""
    try:
        value = float(str(text).strip())
    except ValueError:
        raise ConfigError("not_number", what=what, value=text) from None
    if math.isnan(value):
        raise ConfigError("not_number", what=what, value=text)
    return value


def parse_int(text, what: str) -> int:
    """'42' -> 42; '4.5' or 'abc' is a ConfigError."""
    raw = str(text).strip()
    try:
        return int(raw)
    except ValueError:
        raise ConfigError("not_integer", what=what, value=text) from None


def parse_seed(text):
    """Empty box -> None (unseeded); otherwise a whole number (range checked by RunConfig)."""
    return None if str(text).strip() == "" else parse_int(text, "seed")


def parse_widths(text) -> tuple:
    """'64, 32' -> (64, 32)."""
    parts = [p for p in str(text).replace(";", ",").replace(" ", ",").split(",") if p]
    if not parts:
        raise ConfigError("hidden_list")
    return tuple(parse_int(p, "layer width") for p in parts)


def is_whole_in(value, low: int, high: int) -> bool:
    """True for a whole number (an int, not a bool) from low to high, as a shared slider position must be."""
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def check_choice(value, options, what: str):
    """A shared value that must be one of a dropdown's options; anything else is a ConfigError naming them."""
    if value not in options:
        names = ", ".join(map(str, options))
        raise ConfigError("unknown_choice", what=what, value=value, options=names)
    return value
