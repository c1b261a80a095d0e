"""k-fold cross-validation indices from a seeded permutation."""
import numbers

import torch

from ..engine.errors import ConfigError
from ..engine.seeding import resolve_seed


def kfold_indices(n, k, seed):
    """k (train_idx, val_idx) pairs of LongTensors; every index of range(n) validates exactly once."""
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 2:
        raise ConfigError("kfold_rows", value=n)
    if isinstance(k, bool) or not isinstance(k, numbers.Integral) or not 2 <= k <= n:
        raise ConfigError("kfold_count", limit=n, value=k)
    seed = resolve_seed(seed)
    perm = torch.randperm(int(n), generator=torch.Generator().manual_seed(seed))
    # the first n % k folds get one extra index, so sizes differ by at most one
    sizes = [n // k + (1 if i < n % k else 0) for i in range(k)]
    folds, start = [], 0
    for size in sizes:
        val = perm[start:start + size]
        train = torch.cat([perm[:start], perm[start + size:]])
        folds.append((train, val))
        start += size
    return folds
