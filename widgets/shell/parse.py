"""Reading what a learner typed into text boxes: numbers, seeds, width lists, or a ConfigError."""
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
