"""The train/val/test split rule and training-set standardisation, shared by every data set."""
import torch

from .config import check_val_fraction
from .errors import ConfigError

TEST_FRACTION = 0.15


def counts(n_rest, n_test, val_fraction):
    """(n_train, n_val, n_test), val = round(val_fraction · rest); val may be empty, train/test not."""
    check_val_fraction(val_fraction)
    n_val = round(val_fraction * n_rest)
    n_train = n_rest - n_val
    if min(n_train, n_test) < 1:
        raise ConfigError(f"A validation fraction of {val_fraction} leaves no rows to train on; "
                          "pick a value nearer 0.2.")
    return n_train, n_val, n_test


def pool_counts(n, val_fraction):
    """Counts for one pool of n rows: test = round(0.15 · n) first, then val from the rest."""
    n_test = round(TEST_FRACTION * n)
    return counts(n - n_test, n_test, val_fraction)


def split_pool(x, y, g, val_fraction):
    """Split one pool of rows with a permutation from generator g into train, val and test pairs."""
    _, n_val, n_test = pool_counts(len(x), val_fraction)
    perm = torch.randperm(len(x), generator=g)
    test, val, train = perm[:n_test], perm[n_test:n_test + n_val], perm[n_test + n_val:]
    return (x[train], y[train]), (x[val], y[val]), (x[test], y[test])


def split_files(x, y, x_test, y_test, g, val_fraction):
    """MNIST-style: the official test file is the test split; val is drawn from the train file."""
    _, n_val, _ = counts(len(x), len(x_test), val_fraction)
    perm = torch.randperm(len(x), generator=g)
    val, train = perm[:n_val], perm[n_val:]
    return (x[train], y[train]), (x[val], y[val]), (x_test, y_test)


def standardise(train, *others):
    """Scale every split by the training split's statistics only, so val/test stay unseen.

    Returns the scaled tensors and the mean and std used, both shaped like one example.
    Tables and toy sets get one mean/std per feature; images one per channel, because a
    pixel that is almost always blank has a tiny std and would blow up in val/test.
    A std below 1e-6 (a constant feature) is treated as 1.
    """
    dims = (0, 2, 3) if train.dim() == 4 else (0,)
    mean = train.mean(dim=dims, keepdim=True)
    std = train.std(dim=dims, keepdim=True, unbiased=False)  # population std: 1 row gives 0, not NaN
    std = torch.where(std < 1e-6, torch.ones_like(std), std)
    one = (1, *train.shape[1:])
    mean, std = mean.expand(one)[0].clone(), std.expand(one)[0].clone()
    return [(x - mean) / std for x in (train, *others)], mean, std

