"""History: what one run produced, with the config that produced it."""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

from .config import RunConfig


@dataclass
class History:
    """Per-step train loss, per-epoch validation, sampled layer stats, and how the run ended."""

    config: RunConfig
    train_loss: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    val_acc: list = field(default_factory=list)
    layer_stats: dict = field(default_factory=dict)  # name -> {step, act_mean, act_std, grad_std, hist}
    hist_range: tuple = (-4.0, 4.0)
    test_loss: float | None = None
    test_acc: float | None = None
    diverged_at: int | None = None
    stopped: bool = False
    seconds: float = 0.0
    seed_used: int | None = None
    device: str = "cpu"
    weights_digest: str = ""
    fingerprint: str = ""
    steps_per_epoch: int = 0
    lr: list = field(default_factory=list)  # the learning rate used at each step
    health: dict = field(default_factory=dict)  # see engine/health.py: step-0 loss vs ln C, grad norm, ratios

    @property
    def steps(self) -> int:
        """Number of optimisation steps recorded."""
        return len(self.train_loss)

    @property
    def final_loss(self) -> float:
        """Last training loss (NaN when there is none)."""
        return self.train_loss[-1] if self.train_loss else math.nan

    def to_dict(self) -> dict:
        """A JSON-safe dict (non-finite floats become None)."""
        d = asdict(self)
        d["config"] = self.config.to_dict()
        return _json_safe(d)


def _json_safe(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    return value
