"""The knob matrix: which reproducibility settings make repeated runs bitwise identical, and at what cost."""
from __future__ import annotations

import time
from dataclasses import dataclass

import torch

from ...engine.config import RunConfig
from ...engine.fingerprints import fingerprint
from ...data.loaders import make_loader, seed_worker
from ...engine.seeding import cudnn_flags
from ...engine.run import train


@dataclass(frozen=True)
class KnobRow:
    """One setting: was the seed fixed, were all repeats identical, their fingerprints and cost."""

    name: str
    seeded: bool
    identical: bool
    fingerprints: tuple
    seconds: float
    slowdown: float = 1.0
    what: str = "run"  # "run": a training run's fingerprint; "loader": the batches a DataLoader served


class _NoisyDigits(torch.utils.data.Dataset):
    """Training inputs with random noise added in __getitem__: the augmentation a worker process draws."""

    def __init__(self, x):
        self.x = x

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return self.x[i] + 0.1 * torch.randn(self.x[i].shape)


def _loader_fingerprint(cfg: RunConfig, seeded: bool, workers: int) -> str:
    """Fingerprint of one epoch of batches from a shuffling DataLoader with worker processes."""
    from ...data.datasets import load_dataset

    data = _NoisyDigits(load_dataset(cfg.dataset, 0, cfg.val_fraction).train.tensors[0][:256])
    if seeded:
        loader = make_loader(data, cfg.batch_size, shuffle=True, seed=cfg.seed or 0, num_workers=workers)
    else:  # the common mistake: no generator, so order and worker seeds follow the global RNG
        loader = torch.utils.data.DataLoader(data, cfg.batch_size, shuffle=True, num_workers=workers,
                                             worker_init_fn=seed_worker)
    return fingerprint(torch.cat(list(loader)))


def _runs(name, seeded, repeats, one, what="run"):
    started = time.perf_counter()
    prints = tuple(one() for _ in range(repeats))
    seconds = (time.perf_counter() - started) / repeats
    return KnobRow(name, seeded, len(set(prints)) == 1, prints, seconds, what=what)


KNOBS = {
    "nothing seeded": lambda cfg: (False, lambda: train(cfg.replace(seed=None)).fingerprint, cudnn_flags()),
    "seeded": lambda cfg: (True, lambda: train(cfg).fingerprint, cudnn_flags()),
    "seeded + cudnn.benchmark": lambda cfg: (True, lambda: train(cfg).fingerprint, cudnn_flags(benchmark=True)),
    "seeded + cudnn.deterministic": lambda cfg: (True, lambda: train(cfg).fingerprint,
                                                 cudnn_flags(benchmark=False, deterministic=True)),
    "seeded + deterministic algorithms": lambda cfg: (True, lambda: train(cfg.replace(deterministic=True)).fingerprint,
                                                      cudnn_flags()),
    "loader workers, no generator": lambda cfg: (False, lambda: _loader_fingerprint(cfg, False, 2), cudnn_flags()),
    "loader workers, seeded generator": lambda cfg: (True, lambda: _loader_fingerprint(cfg, True, 2), cudnn_flags()),
}


def knob_matrix(cfg: RunConfig, repeats: int = 2, knobs=None) -> list:
    """Run each setting `repeats` times; every flag and the global RNG are restored afterwards."""
    from ...engine.seeding import seeded

    cfg = cfg.replace(seed=0 if cfg.seed is None else cfg.seed).validate()
    train(cfg)  # warm-up: the first run in a process pays one-off costs that would skew the slowdowns
    rows = []
    for name in knobs or KNOBS:
        is_seeded, one, flags = KNOBS[name](cfg)
        what = "loader" if name.startswith("loader") else "run"
        with flags, seeded(torch.initial_seed()):
            # seeded() restores the global RNG afterwards, so the matrix leaves no trace
            rows.append(_runs(name, is_seeded, repeats, one, what))
    fastest = min(r.seconds for r in rows if r.what == "run") if any(r.what == "run" for r in rows) else 1.0
    return [KnobRow(r.name, r.seeded, r.identical, r.fingerprints, r.seconds,
                    r.seconds / fastest if r.what == "run" else 1.0, r.what) for r in rows]
