"""The loop lab's classic mistakes as data: key -> the code of its label (why each is one: "loop.why.<key>",
both in locales/)."""
from __future__ import annotations

from .errors import ConfigError

LOOP_MISTAKES = {
    "no_zero_grad": "loop.mistake.no_zero_grad",
    "no_eval_mode": "loop.mistake.no_eval_mode",
    "no_shuffle": "loop.mistake.no_shuffle",
    "softmax_then_ce": "loop.mistake.softmax_then_ce",
    "leaky_normalisation": "loop.mistake.leaky_normalisation",
    "eval_with_grad": "loop.mistake.eval_with_grad",
    "sum_reduction": "loop.mistake.sum_reduction",
}


def check_mistakes(mistakes) -> tuple:
    """The mistakes as a tuple of known keys, each once, or a ConfigError listing the valid ones."""
    valid = ", ".join(LOOP_MISTAKES)
    if isinstance(mistakes, str) or not isinstance(mistakes, (tuple, list)):
        raise ConfigError("mistakes_list", options=valid)
    for key in mistakes:
        if key not in LOOP_MISTAKES:
            raise ConfigError("unknown_mistake", value=key, options=valid)
    if len(set(mistakes)) != len(mistakes):
        raise ConfigError("mistake_twice")
    return tuple(mistakes)
