"""Loss demonstrations: naive vs stable log-softmax as logits grow, and MSE vs cross-entropy gradients."""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from ...engine.errors import ConfigError
from .formulas import cross_entropy, log_softmax, log_softmax_naive, mse, nll

BASE_LOGITS = (2.0, 1.0, 0.1, -1.0)
SCALE_RANGE = (1.0, 1e4)


def _naive(base, scale):
    return log_softmax_naive(torch.tensor(base, dtype=torch.float32) * scale)


def first_scale(predicate, base=BASE_LOGITS, lo=SCALE_RANGE[0], hi=SCALE_RANGE[1], iters=60) -> float | None:
    """Smallest scale in [lo, hi] where predicate(naive log-softmax of base*scale) holds (bisection); None if never."""
    if not predicate(_naive(base, hi)):
        return None
    if predicate(_naive(base, lo)):
        return lo
    for _ in range(iters):  # bisect in log space: the scales span four decades
        mid = math.sqrt(lo * hi)
        lo, hi = (lo, mid) if predicate(_naive(base, mid)) else (mid, hi)
    return hi


def check_scale(scale) -> float:
    """The logit scale as a float, or a ConfigError when it is not a number within SCALE_RANGE."""
    lo, hi = SCALE_RANGE
    if isinstance(scale, bool) or not isinstance(scale, (int, float)) or not lo <= scale <= hi:
        raise ConfigError("scale_range", lo=lo, hi=hi)
    return float(scale)


def scaled_log_softmax(scale, target: int = 0, base=BASE_LOGITS) -> dict:
    """Float32 naive and stable log-softmax of base*scale, where naive breaks, and CE = nll(log_softmax)[target]."""
    scale = check_scale(scale)
    if isinstance(target, bool) or not isinstance(target, int) or not 0 <= target < len(base):
        raise ConfigError("target_range", top=len(base) - 1)
    z = torch.tensor(base, dtype=torch.float32) * scale
    stable = log_softmax(z)
    t = torch.tensor([target])
    # "+ 0.0" turns a -0.0 (the negation of a log-probability of exactly 0) into a plain 0 for display
    return {
        "scale": scale,
        "logits": z.tolist(),
        "naive": log_softmax_naive(z).tolist(),
        "stable": stable.tolist(),
        "target": target,
        "nll": nll(stable[None], t).item() + 0.0,
        "cross_entropy": cross_entropy(z[None], t).item() + 0.0,
        "torch_cross_entropy": F.cross_entropy(z[None], t).item() + 0.0,
        # exp(min - max) underflows to 0 first (log 0 = -inf); exp(max) overflows later (inf/inf = NaN)
        "breaks_at": first_scale(lambda v: not torch.isfinite(v).all(), base),
        "nan_at": first_scale(lambda v: torch.isnan(v).any(), base),
    }


def loss_gradients(probs) -> dict:
    """CE and MSE (on softmax probabilities vs one-hot) and their autograd gradients w.r.t. the true logit.

    Two classes, logits [z, 0], true class 0, so p = sigmoid(z); z = logit(p) for each given p.
    """
    probs = [float(p) for p in probs]
    if not all(0 < p < 1 for p in probs):
        raise ConfigError("prob_range")
    out = {"p": probs, "ce": [], "mse": [], "ce_grad": [], "mse_grad": []}
    target, onehot = torch.tensor([0]), torch.tensor([[1.0, 0.0]])
    for p in probs:
        for name, loss_of in (("ce", lambda lg: cross_entropy(lg, target)),
                              ("mse", lambda lg: mse(torch.softmax(lg, -1), onehot))):
            z = torch.logit(torch.tensor(p, dtype=torch.float64)).float().requires_grad_()
            loss = loss_of(torch.stack([z, torch.zeros(())])[None])
            loss.backward()
            out[name].append(loss.item())
            out[f"{name}_grad"].append(z.grad.item())
    return out


def loss_curves(n: int = 99, lo: float = 0.01, hi: float = 0.99) -> dict:
    """loss_gradients on n evenly spaced probabilities of the true class from lo to hi."""
    return loss_gradients(torch.linspace(lo, hi, n, dtype=torch.float64).tolist())
