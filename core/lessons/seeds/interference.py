"""Why a private generator per run: two runs sharing torch's global generator change each other."""
from __future__ import annotations

from dataclasses import dataclass

import torch

from ...engine.config import RunConfig
from ...engine.interleave import run_interleaved
from ...engine.seeding import seeded


@dataclass(frozen=True)
class Interference:
    """Run A's fingerprint alone and beside run B, once sharing the global generator, once with private ones."""

    shared_alone: str
    shared_beside: str
    private_alone: str
    private_beside: str

    @property
    def shared_reproducible(self) -> bool:
        return self.shared_alone == self.shared_beside

    @property
    def private_reproducible(self) -> bool:
        return self.private_alone == self.private_beside


def interference_demo(cfg: RunConfig, stop=None) -> Interference | None:
    """Run A alone and interleaved with B, classic-style (torch.manual_seed + global RNG) and privately;
    None when `stop` was set (a run cut short has another fingerprint: the comparison would be false)."""
    a = cfg.replace(seed=0 if cfg.seed is None else cfg.seed).validate()
    b = a.replace(lr=a.lr / 2)  # any second run will do: it only has to draw random numbers too
    with seeded(a.seed):  # the classic recipe: torch.manual_seed(seed), then everything uses the global RNG
        shared_alone = run_interleaved([a], stop=stop, generator=torch.default_generator)[0]
    with seeded(a.seed):
        shared_beside = run_interleaved([a, b], stop=stop, generator=torch.default_generator)[0]
    private_alone = run_interleaved([a], stop=stop)[0]
    private_beside = run_interleaved([a, b], stop=stop)[0]
    runs = (shared_alone, shared_beside, private_alone, private_beside)
    if any(h.stopped for h in runs) or (stop is not None and stop.is_set()):
        return None
    return Interference(*(h.fingerprint for h in runs))
