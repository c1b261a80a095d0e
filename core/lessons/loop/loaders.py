"""The DataLoader lab: which sample indices each batch holds, and the worker-augmentation pitfall, measured."""
from __future__ import annotations

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset

from ...data.loaders import seed_worker
from ...engine.checks import check_batch_size
from ...engine.errors import ConfigError
from ...engine.seeding import fresh_seed

MAX_LAB_ROWS = 256  # the grid shows every index: a small set keeps it readable
MAX_LAB_EPOCHS = 10  # one grid row per batch per epoch: ten epochs already fill the screen


def batch_indices(n: int, batch_size: int, epochs: int = 2, shuffle: bool = True, seed: int | None = 0) -> list:
    """Per epoch, the list of batches (each a list of sample indices) a DataLoader over range(n) serves.

    seed=None is a loader without a generator: its sampler draws from torch's global RNG, here a fork of it
    seeded from the operating system, so the learner's global stream is left as it was.
    """
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_LAB_ROWS:
        raise ConfigError("lab_rows", limit=MAX_LAB_ROWS)
    batch_size = check_batch_size(batch_size, n)
    if isinstance(epochs, bool) or not isinstance(epochs, int) or not 1 <= epochs <= MAX_LAB_EPOCHS:
        raise ConfigError("lab_epochs", limit=MAX_LAB_EPOCHS)
    generator = None if seed is None else torch.Generator().manual_seed(int(seed))
    with torch.random.fork_rng(devices=[]):
        if seed is None:
            torch.manual_seed(fresh_seed())
        loader = DataLoader(range(n), batch_size=batch_size, shuffle=shuffle, generator=generator)
        return [[batch.tolist() for batch in loader] for _ in range(epochs)]


class NoisyDataset(Dataset):
    """Each item draws a NumPy random augmentation in __getitem__, as many course data sets do."""

    def __init__(self, n: int):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return torch.tensor([i, np.random.randint(0, 1_000_000)])


def worker_augmentations(seed_workers: bool, n: int = 8, workers: int = 2, epochs: int = 2, seed: int = 0) -> dict:
    """Serve NoisyDataset with `workers` processes (batch size 1, no shuffle) for `epochs` epochs, with or
    without seed_worker; report the augmentations each worker drew and whether they repeat.

    Measured, not assumed: PyTorch before 1.9 gave every worker the parent's NumPy state (identical draws,
    repeated each epoch); later versions seed NumPy per worker themselves.
    """
    loader = DataLoader(NoisyDataset(n), batch_size=1, shuffle=False, num_workers=workers,
                        worker_init_fn=seed_worker if seed_workers else None,
                        generator=torch.Generator().manual_seed(seed))
    draws = []
    for _ in range(epochs):
        epoch = {}
        for k, batch in enumerate(loader):  # items are dealt round-robin: item k comes from worker k % workers
            epoch.setdefault(k % workers, []).append(int(batch[0, 1]))
        draws.append([epoch[w] for w in range(workers)])
    same_across_workers = all(len(set(map(tuple, epoch))) == 1 for epoch in draws)
    same_across_epochs = all(draws[e] == draws[0] for e in range(1, epochs))
    return {"draws": draws, "same_across_workers": same_across_workers, "same_across_epochs": same_across_epochs,
            "torch": torch.__version__}
