"""The seed a data split is drawn with; the split rule itself lives in core.plain (the exported script runs it too)."""
import numbers
import random

from .errors import ConfigError


def resolve_seed(seed):
    """The seed to use: the one given, or one drawn from the OS so the global RNGs stay untouched."""
    if seed is None:
        return random.SystemRandom().randrange(2**63)
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or not 0 <= seed < 2**63:
        raise ConfigError(f"The seed must be a whole number from 0 to 2**63 - 1, or empty, not {seed!r}.")
    return int(seed)
