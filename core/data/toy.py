"""Two-class 2-D toy data sets, drawn only from a caller's torch.Generator."""
import math

import torch

TOY_SIZE = 600  # points per toy set, split evenly between the two classes


def _labels(n):
    """First half class 0, second half class 1 (the split permutation mixes them later)."""
    return torch.cat([torch.zeros(n // 2), torch.ones(n - n // 2)]).long()


def _flip(y, fraction, g):
    """Flip a fraction of labels so no boundary can reach 100 % (label noise)."""
    flip = torch.rand(len(y), generator=g) < fraction
    return torch.where(flip, 1 - y, y)


def moons(n, g):
    """Two interleaving half circles with Gaussian jitter."""
    y = _labels(n)
    t = torch.rand(n, generator=g) * math.pi
    x = torch.stack([torch.cos(t), torch.sin(t)], 1)
    lower = torch.stack([1 - torch.cos(t), 0.5 - torch.sin(t)], 1)
    x = torch.where(y[:, None] == 1, lower, x)
    return x + 0.2 * torch.randn(n, 2, generator=g), y


def circles(n, g):
    """A small ring inside a large one, radii jittered until they touch."""
    y = _labels(n)
    t = torch.rand(n, generator=g) * 2 * math.pi
    r = 1.0 - 0.5 * y + 0.12 * torch.randn(n, generator=g)
    return torch.stack([r * torch.cos(t), r * torch.sin(t)], 1), y


def spiral(n, g):
    """Two interleaved spiral arms, each turning about one and a half times."""
    y = _labels(n)
    t = torch.rand(n, generator=g)
    angle = t * 3 * math.pi + y * math.pi
    r = 0.1 + t
    x = torch.stack([r * torch.cos(angle), r * torch.sin(angle)], 1)
    return x + 0.05 * torch.randn(n, 2, generator=g), y


def xor(n, g):
    """Uniform points labelled by quadrant (x·y > 0 or not), jittered, with 5 % label noise."""
    x = torch.rand(n, 2, generator=g) * 2 - 1
    y = (x[:, 0] * x[:, 1] < 0).long()
    x = x + 0.1 * torch.randn(n, 2, generator=g)
    return x, _flip(y, 0.05, g)


def gaussian(n, g):
    """Two overlapping unit-variance Gaussian blobs whose centres are 2 apart."""
    y = _labels(n)
    centre = (2.0 * y[:, None] - 1) * 0.7071
    return centre + torch.randn(n, 2, generator=g), y


TOY_SETS = {"moons": moons, "circles": circles, "spiral": spiral, "xor": xor, "gaussian": gaussian}


def make_toy(name, g, n=TOY_SIZE):
    """Return float32 points of shape (n, 2) and int64 labels of shape (n,) for one toy set."""
    x, y = TOY_SETS[name](n, g)
    return x.float(), y.long()
