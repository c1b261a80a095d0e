"""Seeded DataLoaders: the batch order depends only on the seed, with or without workers."""
import numbers
import random

import numpy as np
import torch
from torch.utils.data import DataLoader

from ..engine.checks import check_batch_size
from ..engine.errors import ConfigError
from ..engine.seeding import resolve_seed


def seed_worker(worker_id):
    """Seed numpy and random in a loader worker from the seed torch gave that worker."""
    # torch seeds each worker's torch and random from base_seed + worker_id, and since torch 1.9 NumPy too;
    # older torch left NumPy a copy of the parent's state in every worker. PyTorch's randomness notes keep
    # this recipe, which makes the seeding explicit whatever the version.
    worker_seed = torch.initial_seed() % 2**32
    np.random.seed(worker_seed)
    random.seed(worker_seed)


def make_loader(dataset, batch_size, shuffle=True, seed=0, num_workers=0):
    """A DataLoader whose shuffling and worker seeds come from a private torch.Generator(seed)."""
    batch_size = check_batch_size(batch_size)
    if isinstance(num_workers, bool) or not isinstance(num_workers, numbers.Integral) or num_workers < 0:
        raise ConfigError("workers_range", value=num_workers)
    seed = resolve_seed(seed)
    return DataLoader(dataset, batch_size=batch_size, shuffle=shuffle, num_workers=int(num_workers),
                      worker_init_fn=seed_worker, generator=torch.Generator().manual_seed(seed))
