"""A two-parameter model (y ≈ w·x + b) whose loss surface can be drawn, and gradient descent's path on it."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ...engine.errors import ConfigError
from ...engine.optimizers import SGD

TRUE_W, TRUE_B = 2.0, 1.0
# x is standardised, so the MSE Hessian is 2·I: steps converge for lr < 1 and bounce for 0.5 < lr < 1.
SURFACE_PRESETS = {"too_small": 0.02, "good": 0.3, "too_large": 0.9, "diverged": 1.05}


@dataclass(frozen=True)
class Path:
    """Gradient descent on the surface: parameters and loss at each step, and whether it escaped."""

    w: list
    b: list
    loss: list
    escaped: bool


def linear_data(n: int = 64, seed: int = 0):
    """(x, y) with x standardised and y = 2x + 1 + noise, from a private generator."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, generator=g, dtype=torch.float64)
    x = (x - x.mean()) / x.std(unbiased=False)
    y = TRUE_W * x + TRUE_B + 0.3 * torch.randn(n, generator=g, dtype=torch.float64)
    return x, y


def surface(x, y, w_range=(-2.0, 6.0), b_range=(-3.0, 5.0), n: int = 60):
    """(ws, bs, losses[b_index][w_index]) of the mean squared error over a grid of (w, b)."""
    ws = torch.linspace(*w_range, n, dtype=torch.float64)
    bs = torch.linspace(*b_range, n, dtype=torch.float64)
    pred = ws[None, :, None] * x[None, None, :] + bs[:, None, None]
    losses = ((pred - y) ** 2).mean(-1)
    return ws.tolist(), bs.tolist(), losses.tolist()


def descend(x, y, lr: float, steps: int = 30, start=(-1.5, 4.0), limit: float = 1e6) -> Path:
    """Plain SGD (full batch) with torch autograd from `start`; stops early once the loss passes limit."""
    if not (np.isfinite(lr) and lr > 0):
        raise ConfigError("lr_positive")
    params = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    opt = SGD([params], lr=lr)
    ws, bs, losses = [], [], []
    for _ in range(steps + 1):
        loss = ((params[0] * x + params[1] - y) ** 2).mean()
        ws.append(params[0].item())
        bs.append(params[1].item())
        losses.append(loss.item())
        if not np.isfinite(losses[-1]) or losses[-1] > limit:
            break
        opt.zero_grad()
        loss.backward()
        opt.step()
    return Path(ws, bs, losses, escaped=losses[-1] > 10 * losses[0] or not np.isfinite(losses[-1]))
