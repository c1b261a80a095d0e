"""Same seed, same numbers: draws from python's random, numpy and torch under one seed."""
from __future__ import annotations

import random

import numpy as np
import torch

from ...engine.errors import ConfigError
from ...engine.seeding import seeded

GENERATORS = ("python", "numpy", "torch")


def random_sequences(seed: int, n: int = 5) -> dict:
    """n uniform [0, 1) draws from random, numpy and torch, each seeded with seed; global RNG state restored."""
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= 1000:
        raise ConfigError("draw_count")
    with seeded(seed):
        return {
            "python": [random.random() for _ in range(n)],
            "numpy": np.random.rand(n).tolist(),
            "torch": torch.rand(n).tolist(),  # float32, as a plain torch.rand(n) gives
        }
