"""The knob matrix: which reproducibility settings make repeated runs bitwise identical, and at what cost."""
from __future__ import annotations

import dataclasses
import statistics
import time
from dataclasses import dataclass

import torch

from ...data.datasets import load_dataset
from ...engine.config import RunConfig
from ...engine.errors import ConfigError
from ...engine.fingerprints import fingerprint
from ...data.loaders import make_loader, seed_worker
from ...engine.seeding import cudnn_flags, seeded
from ...engine.run import train


@dataclass(frozen=True)
class KnobRow:
    """One setting: was the seed fixed, were all repeats identical, their fingerprints and cost."""

    name: str
    seeded: bool
    identical: bool
    fingerprints: tuple
    seconds: float  # median over the repeats
    slowdown: float = 1.0  # median / the reference row's median ("seeded")
    what: str = "run"  # "run": a training run's fingerprint; "loader": the batches a DataLoader served
    times: tuple = ()  # seconds of each repeat
    same_within_noise: bool | None = None  # for run rows: does its spread overlap the reference row's?

    @property
    def low(self) -> float:
        """Fastest repeat, in seconds."""
        return min(self.times) if self.times else self.seconds

    @property
    def high(self) -> float:
        """Slowest repeat, in seconds."""
        return max(self.times) if self.times else self.seconds


class _NoisyDigits(torch.utils.data.Dataset):
    """Training inputs with random noise added in __getitem__: the augmentation a worker process draws."""

    def __init__(self, x):
        self.x = x

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return self.x[i] + 0.1 * torch.randn(self.x[i].shape)


def _loader_fingerprint(cfg: RunConfig, with_generator: bool, workers: int) -> str:
    """Fingerprint of one epoch of batches from a shuffling DataLoader with worker processes."""
    data = _NoisyDigits(load_dataset(cfg.dataset, 0, cfg.val_fraction).train.tensors[0][:256])
    if with_generator:
        loader = make_loader(data, cfg.batch_size, shuffle=True, seed=cfg.seed or 0, num_workers=workers)
    else:  # the common mistake: no generator, so order and worker seeds follow the global RNG
        loader = torch.utils.data.DataLoader(data, cfg.batch_size, shuffle=True, num_workers=workers,
                                             worker_init_fn=seed_worker)
    return fingerprint(torch.cat(list(loader)))


# One short run's time is mostly noise (on a CPU the cuDNN flags change nothing, yet one run each showed
# "seeded" x1.33): so each row reports the median and fastest..slowest of its repeats, and a slowdown whose
# spread overlaps the reference row's is "same within noise".
REFERENCE = "seeded"  # slowdowns are relative to the plain seeded run
MAX_REPEATS = 20


def _timed(one):
    started = time.perf_counter()
    result = one()
    return result, time.perf_counter() - started


# name -> (cfg, stop) -> (seeded?, the repeat to time, the cuDNN flags it runs under)
KNOBS = {
    "nothing seeded": lambda cfg, stop: (False, lambda: train(cfg.replace(seed=None), stop=stop).fingerprint,
                                         cudnn_flags()),
    "seeded": lambda cfg, stop: (True, lambda: train(cfg, stop=stop).fingerprint, cudnn_flags()),
    "seeded + cudnn.benchmark": lambda cfg, stop: (True, lambda: train(cfg, stop=stop).fingerprint,
                                                   cudnn_flags(benchmark=True)),
    "seeded + cudnn.deterministic": lambda cfg, stop: (True, lambda: train(cfg, stop=stop).fingerprint,
                                                       cudnn_flags(benchmark=False, deterministic=True)),
    "seeded + deterministic algorithms": lambda cfg, stop: (
        True, lambda: train(cfg.replace(deterministic=True), stop=stop).fingerprint, cudnn_flags()),
    "loader workers, no generator": lambda cfg, stop: (False, lambda: _loader_fingerprint(cfg, False, 2),
                                                       cudnn_flags()),
    "loader workers, seeded generator": lambda cfg, stop: (True, lambda: _loader_fingerprint(cfg, True, 2),
                                                           cudnn_flags()),
}


def _stopped(stop) -> bool:
    return stop is not None and stop.is_set()


def knob_matrix(cfg: RunConfig, repeats: int = 3, knobs=None, stop=None) -> list | None:
    """Run each setting `repeats` times, in interleaved rounds; every flag and the global RNG are restored afterwards.

    None when `stop` was set: a repeat cut short has another fingerprint, so a partial matrix would show
    "not identical" where the setting is reproducible."""
    if isinstance(repeats, bool) or not isinstance(repeats, int) or not 2 <= repeats <= MAX_REPEATS:
        raise ConfigError("knob_repeats", limit=MAX_REPEATS)
    cfg = cfg.replace(seed=0 if cfg.seed is None else cfg.seed).validate()
    names = list(knobs or KNOBS)
    train(cfg, stop=stop)  # warm-up: the first run in a process pays one-off costs that would skew the timings
    prints, times = {name: [] for name in names}, {name: [] for name in names}
    # seeded() restores the global RNG afterwards, so the matrix leaves no trace; inside it the global RNG
    # runs on from repeat to repeat, as it would in a learner's script
    with seeded(torch.initial_seed()):
        for _ in range(repeats):  # round by round, so a machine that gets busier slows every row alike
            for name in names:
                if _stopped(stop):
                    return None
                _, one, flags = KNOBS[name](cfg, stop)
                with flags:
                    fp, seconds = _timed(one)
                prints[name].append(fp)
                times[name].append(seconds)
    if _stopped(stop):  # the last repeat may have been cut short
        return None
    rows = [KnobRow(name, KNOBS[name](cfg, stop)[0], len(set(prints[name])) == 1, tuple(prints[name]),
                    statistics.median(times[name]), what="loader" if name.startswith("loader") else "run",
                    times=tuple(times[name])) for name in names]
    return _with_slowdowns(rows)


def _with_slowdowns(rows) -> list:
    """Each run row's slowdown against the reference row, and whether the two spreads overlap."""
    runs = [r for r in rows if r.what == "run"]
    if not runs:
        return rows
    ref = next((r for r in runs if r.name == REFERENCE), runs[0])
    return [dataclasses.replace(r, slowdown=r.seconds / ref.seconds,
                                same_within_noise=r.low <= ref.high and ref.low <= r.high)
            if r.what == "run" else r for r in rows]
