"""Checks of one value each, raising ConfigError with a sentence a learner understands.

Their own module so that the seeding and the data loaders can check a seed or a batch size without
importing the RunConfig (which imports the data layer: a circle).
"""
from __future__ import annotations

import numbers

from .errors import ConfigError
from .limits import MAX_SEED


def check_seed(seed) -> int:
    """The seed as an int, or ConfigError unless it is a whole number from 0 to MAX_SEED."""
    value = integer("seed", seed)
    if not 0 <= value <= MAX_SEED:
        raise ConfigError("seed_range", limit=MAX_SEED)
    return value


def check_batch_size(batch_size, n_train=None) -> int:
    """The batch size as an int, or ConfigError unless it is from 1 to n_train (the training-set size, if known)."""
    value = integer("batch size", batch_size)
    if value < 1 or (n_train is not None and value > n_train):
        if n_train is None:
            raise ConfigError("batch_min")
        raise ConfigError("batch_range", limit=n_train)
    return value


def choice(what, value, options, allow_csv=False):
    """Nothing, or ConfigError unless value is one of options (or, with allow_csv, a file name ending .csv)."""
    if allow_csv and isinstance(value, str) and value.lower().endswith(".csv"):
        return
    if not isinstance(value, str) or value not in options:
        if allow_csv:
            raise ConfigError("unknown_dataset", value=value, options=", ".join(options))
        raise ConfigError("unknown_choice", what=what, value=value, options=", ".join(options))


def number(what, value) -> float:
    """value as a float, or ConfigError unless it is a real number (a bool is not)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ConfigError("not_number", what=what, value=value)
    return float(value)


def integer(what, value) -> int:
    """value as an int, or ConfigError unless it is whole (2.0 is; True is not)."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raise ConfigError("not_integer", what=what, value=value)
