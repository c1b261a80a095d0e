"""The layer statistics of a sampled step, worked out for every layer at once (core/engine/stats.py
_numpy_stats_all), are bit for bit those of the first way: one NumPy array per layer."""
import math

import numpy as np
import pytest
import torch

from core.engine.stats import HIST_BINS, HIST_RANGE, _numpy_stats_all


def moments_one_layer(values, ddof):
    """The first way: (mean, std) of one layer's own float64 copy."""
    n = values.size
    if n <= ddof:
        return (float(values.mean()) if n else float("nan")), float("nan")
    v = values.astype(np.float64)
    mean = v.sum() / n
    centred = v - mean
    return float(mean), float(math.sqrt(np.dot(centred, centred) / (n - ddof)))


def stats_one_layer(act, grad):
    """The first way, one layer at a time."""
    a = act.float().numpy().ravel()
    mean, std = moments_one_layer(a, ddof=0)
    grad_std = moments_one_layer(grad.float().numpy().ravel(), ddof=1)[1] if grad is not None else float("nan")
    low, high = HIST_RANGE
    if not math.isfinite(mean):
        a = np.nan_to_num(a, nan=0.0)
    clean = a.clip(low, high)
    index = ((clean - np.float32(low)) * np.float32(HIST_BINS / (high - low))).astype(np.int64)
    return mean, std, grad_std, np.bincount(np.minimum(index, HIST_BINS - 1), minlength=HIST_BINS).tolist()


def same(x, y):
    """Equal bit for bit, NaN equal to NaN."""
    return np.float64(x).tobytes() == np.float64(y).tobytes()


def random_layers(gen, count):
    """Layers of odd and even sizes (so that each layer's slice starts anywhere in the joined array), scales
    from 1e-6 to 1e3, ReLU-like zeros, shapes of MLP and CNN activations and gradients."""
    def draw(low, high):
        return int(torch.randint(low, high, (1,), generator=gen))

    acts, grads = [], []
    for _ in range(count):
        rows = draw(1, 40)
        shape = (rows, draw(1, 130)) if draw(0, 2) else (rows, draw(1, 6), 3, 5)
        act = torch.randn(shape, generator=gen) * 10.0 ** draw(-6, 4) + float(torch.randn(1, generator=gen))
        if draw(0, 2):
            act = act.relu()
        acts.append(act)
        grads.append(torch.randn(draw(1, 200), draw(1, 70), generator=gen) * 1e-3 if draw(0, 10) else None)
    return acts, grads


@pytest.mark.parametrize("seed", range(40))
def test_every_layer_at_once_is_bitwise_each_layer_alone(seed):
    gen = torch.Generator().manual_seed(seed)
    acts, grads = random_layers(gen, 1 + seed % 5)
    if seed % 4 == 3:  # a diverging layer: NaN and ±inf among the values
        acts[-1].view(-1)[:3] = torch.tensor([float("nan"), float("inf"), -float("inf")])[:acts[-1].numel()]
    batched = _numpy_stats_all(acts, grads)
    alone = [stats_one_layer(a, g) for a, g in zip(acts, grads)]
    assert len(batched) == len(alone)
    for mine, first in zip(batched, alone):
        assert all(same(x, y) for x, y in zip(mine[:3], first[:3]))
        assert mine[3] == first[3]


def test_tiny_layers_keep_their_nan_std():
    """One value: its population std is 0, its gradient's (n-1) std NaN, as before."""
    acts, grads = [torch.ones(1), torch.full((1,), 5.0)], [torch.ones(1), None]
    batched = _numpy_stats_all(acts, grads)
    alone = [stats_one_layer(a, g) for a, g in zip(acts, grads)]
    for mine, first in zip(batched, alone):
        assert all(same(x, y) for x, y in zip(mine[:3], first[:3])) and mine[3] == first[3]
