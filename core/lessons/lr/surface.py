"""A two-parameter model (y ≈ w·x + b) whose loss surface can be drawn, and gradient descent's path on it."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from ...engine.errors import ConfigError
from ...engine.optimizers import OPTIMIZERS

TRUE_W, TRUE_B = 2.0, 1.0
# x is standardised, so the MSE Hessian is 2·I: steps converge for lr < 1 and bounce for 0.5 < lr < 1.
DESCENT_STEPS = 30  # steps of the path drawn on the loss surface
SURFACE_PRESETS = {"too_small": 0.02, "good": 0.3, "too_large": 0.9, "diverged": 1.05}


@dataclass(frozen=True)
class Path:
    """Descent on the surface: parameters and loss at each point, whether it escaped, and per step the gradient,
    the update applied (new minus old (w, b)) and the optimizer's state behind it."""

    w: list
    b: list
    loss: list
    escaped: bool
    optimizer: str = "sgd"
    grads: list = field(default_factory=list)  # (dL/dw, dL/db) at each step
    updates: list = field(default_factory=list)  # (Δw, Δb) each step applied
    velocity: list = field(default_factory=list)  # momentum: the buffer the step followed
    m_hat: list = field(default_factory=list)  # adam: bias-corrected first moment
    v_hat_sqrt: list = field(default_factory=list)  # adam: square root of the bias-corrected second moment


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


def descend(x, y, lr: float, steps: int = DESCENT_STEPS, start=(-1.5, 4.0), limit: float = 1e6,
            optimizer: str = "sgd") -> Path:
    """Full-batch descent with the app's SGD, momentum or Adam from `start`; stops once the loss passes limit."""
    if not (np.isfinite(lr) and lr > 0):
        raise ConfigError("lr_positive")
    if optimizer not in OPTIMIZERS:
        raise ConfigError("unknown_choice", what="optimizer", value=optimizer, options=", ".join(OPTIMIZERS))
    params = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    opt = OPTIMIZERS[optimizer]([params], lr)
    ws, bs, losses, inside = [], [], [], {"grads": [], "updates": [], "velocity": [], "m_hat": [], "v_hat_sqrt": []}
    for step in range(steps + 1):
        loss = ((params[0] * x + params[1] - y) ** 2).mean()
        ws.append(params[0].item())
        bs.append(params[1].item())
        losses.append(loss.item())
        if step == steps or not np.isfinite(losses[-1]) or losses[-1] > limit:
            break  # a step from the last point would lead nowhere drawn
        opt.zero_grad()
        loss.backward()
        old = params.detach().clone()
        opt.step()
        inside["grads"].append(params.grad.tolist())
        inside["updates"].append((params.detach() - old).tolist())
        _record_state(opt, optimizer, inside)
    return Path(ws, bs, losses, losses[-1] > 10 * losses[0] or not np.isfinite(losses[-1]), optimizer, **inside)


def _record_state(opt, optimizer, inside):
    """The numbers behind the step just taken: momentum's buffer, or Adam's m̂ and √v̂ as its step computes them."""
    if optimizer == "momentum":
        inside["velocity"].append(opt.buffers[0].tolist())
    elif optimizer == "adam":
        state, (beta1, beta2) = opt.state[0], opt.betas
        inside["m_hat"].append((state["exp_avg"] / (1 - beta1 ** state["step"])).tolist())
        inside["v_hat_sqrt"].append((state["exp_avg_sq"].sqrt() / (1 - beta2 ** state["step"]) ** 0.5).tolist())
