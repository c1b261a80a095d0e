"""The loop lab's classic mistakes as data: key -> the code of its one-line explanation."""
from __future__ import annotations

from .errors import ConfigError

LOOP_MISTAKES = {
    "no_zero_grad": "loop.mistake.no_zero_grad",  # gradients accumulate across steps
    "no_eval_mode": "loop.mistake.no_eval_mode",  # validation runs in train mode (dropout, batch norm)
    "no_shuffle": "loop.mistake.no_shuffle",  # batches in file order, the training split sorted by class
    "softmax_then_ce": "loop.mistake.softmax_then_ce",  # softmax before F.cross_entropy: a floor under the loss
    "leaky_normalisation": "loop.mistake.leaky_normalisation",  # statistics of every row, validation and test too
    "eval_with_grad": "loop.mistake.eval_with_grad",  # validation without no_grad: same numbers, more memory
    "sum_reduction": "loop.mistake.sum_reduction",  # reduction="sum" at the same rate: the step scales with the batch
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
