"""Zero-init symmetry: train a one-hidden-layer MLP briefly and count how many hidden units differ."""
from __future__ import annotations

from typing import List, NamedTuple

import torch

from ...engine.config import RunConfig
from ...engine.errors import ConfigError
from ...engine.run import Run

MAX_SYMMETRY_STEPS = 2000  # a demo, not a training run: keeps the button instant


class Symmetry(NamedTuple):
    """Result of symmetry_demo: distinct hidden units after training, and the first layer's weights."""
    scheme: str
    distinct: int
    width: int
    weights: List[List[float]]  # first layer, units x inputs
    loss: float                 # training loss at the last step


def distinct_units(weight, bias=None, tol=1e-6) -> int:
    """Number of rows (units) of weight|bias that differ from every earlier kept row by more than tol (max abs)."""
    rows = weight.detach().reshape(weight.shape[0], -1).double()
    if bias is not None:
        rows = torch.cat([rows, bias.detach().double().reshape(-1, 1)], dim=1)
    kept = []
    for row in rows:
        if not any(float((row - k).abs().max()) <= tol for k in kept):
            kept.append(row)
    return len(kept)


def symmetry_demo(scheme, activation="relu", steps=60, seed=0, width=64, lr=0.1) -> Symmetry:
    """Run `steps` SGD steps of a (width,) MLP on digits from `scheme`; identical units stay identical."""
    if isinstance(steps, bool) or not isinstance(steps, int) or not 1 <= steps <= MAX_SYMMETRY_STEPS:
        raise ConfigError("steps_range", limit=MAX_SYMMETRY_STEPS)
    # stats are sampled once, at step 0
    cfg = RunConfig(hidden=(width,), activation=activation, init=scheme, seed=seed, lr=lr, stats_every=100_000)
    with Run(cfg, steps=steps) as run:
        run.drive()
    first = run.model.layer1[0]
    return Symmetry(scheme, distinct_units(first.weight, first.bias), width,
                    first.weight.detach().cpu().tolist(), run.history.final_loss)
