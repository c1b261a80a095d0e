"""k-fold indices and seeded DataLoaders: properties that must hold for any seed."""
import random

import numpy as np
import pytest
import torch
from torch.utils.data import Dataset, TensorDataset

from core.data.datasets import kfold_indices, make_loader, seed_worker
from core.engine.errors import ConfigError


@pytest.mark.parametrize("n, k", [(10, 3), (7, 7), (100, 5), (2, 2)])
def test_kfold_partitions_range_n(n, k):
    folds = kfold_indices(n, k, seed=0)
    assert len(folds) == k
    vals = torch.cat([val for _, val in folds])
    assert sorted(vals.tolist()) == list(range(n))  # every index validates exactly once
    sizes = [len(val) for _, val in folds]
    assert max(sizes) - min(sizes) <= 1
    for train, val in folds:
        assert train.dtype == val.dtype == torch.int64
        assert not set(train.tolist()) & set(val.tolist())
        assert sorted(train.tolist() + val.tolist()) == list(range(n))


def test_kfold_is_seeded():
    a, b, c = kfold_indices(50, 5, 1), kfold_indices(50, 5, 1), kfold_indices(50, 5, 2)
    assert all(torch.equal(x[1], y[1]) for x, y in zip(a, b))
    assert not all(torch.equal(x[1], y[1]) for x, y in zip(a, c))


@pytest.mark.parametrize("n, k", [(10, 1), (10, 11), (10, 0), (10, 2.5), (1, 2), (10, True)])
def test_kfold_bad_k(n, k):
    with pytest.raises(ConfigError):
        kfold_indices(n, k, seed=0)


def _order(loader):
    return [y.tolist() for _, y in loader]


def _data(n=64):
    return TensorDataset(torch.arange(n, dtype=torch.float32)[:, None], torch.arange(n))


def test_same_seed_same_batches_other_seed_differs():
    data = _data()
    assert _order(make_loader(data, 8, seed=3)) == _order(make_loader(data, 8, seed=3))
    assert _order(make_loader(data, 8, seed=3)) != _order(make_loader(data, 8, seed=4))
    assert _order(make_loader(data, 8, shuffle=False)) == [list(range(i, i + 8)) for i in range(0, 64, 8)]


def test_workers_give_the_same_batches_as_the_main_process():
    data = _data(40)
    assert _order(make_loader(data, 5, seed=11, num_workers=2)) == _order(make_loader(data, 5, seed=11))


class _WorkerDraws(Dataset):
    """Each item reports a numpy draw, a random draw and the torch seed of the worker making it."""

    def __len__(self):
        return 4

    def __getitem__(self, i):
        seed = torch.initial_seed() % 2**32
        return torch.tensor([np.random.random(), random.random(), seed], dtype=torch.float64)


def test_seed_worker_seeds_numpy_and_random_from_the_worker_torch_seed():
    # batch_size 1, no shuffle, 2 workers: items 0 and 1 are the first draws of workers 0 and 1
    draws = [torch.cat(list(make_loader(_WorkerDraws(), 1, shuffle=False, seed=s, num_workers=2)))
             for s in (5, 5, 6)]
    for first in draws[0][:2]:
        seed = int(first[2])
        assert first[0].item() == np.random.RandomState(seed).random_sample()
        assert first[1].item() == random.Random(seed).random()
    assert draws[0][0, 2] != draws[0][1, 2]  # each worker has its own seed
    assert torch.equal(draws[0], draws[1]) and not torch.equal(draws[0], draws[2])
    assert make_loader(_data(), 4).worker_init_fn is seed_worker


def test_torch_itself_gives_each_worker_its_own_numpy_and_random_streams_as_seed_workers_comment_says():
    # no worker_init_fn: torch >= 1.9 seeds NumPy (and random) per worker; seed_worker only makes it explicit
    loader = torch.utils.data.DataLoader(_WorkerDraws(), batch_size=1, num_workers=2,
                                         generator=torch.Generator().manual_seed(5))
    draws = torch.cat(list(loader))
    assert draws[0, 0] != draws[1, 0] and draws[0, 1] != draws[1, 1]  # not copies of the parent's state
    numpy_copy, random_copy = np.random.RandomState(), random.Random()  # the parent's states, not advanced
    numpy_copy.set_state(np.random.get_state())
    random_copy.setstate(random.getstate())
    parent = torch.tensor([numpy_copy.random_sample(), random_copy.random()], dtype=torch.float64)
    assert not any(torch.equal(row[:2], parent) for row in draws)


@pytest.mark.parametrize("kwargs", [{"batch_size": 0}, {"batch_size": 2.5}, {"num_workers": -1}])
def test_make_loader_bad_arguments(kwargs):
    args = {"batch_size": 4, **kwargs}
    with pytest.raises(ConfigError):
        make_loader(_data(), **args)
