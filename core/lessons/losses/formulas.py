"""Losses written from their definitions, including the naive log-softmax that overflows."""
import torch


def log_softmax_naive(x, dim=-1):
    """log(exp(x) / sum(exp(x))) taken literally: exp overflows to inf for logits above ~88 (float32)."""
    e = torch.exp(x)
    return torch.log(e / e.sum(dim=dim, keepdim=True))


def _max_shift(x, dim):
    m = x.amax(dim=dim, keepdim=True).detach()  # the shift cancels in the gradient, so detach it
    # an all -inf (or +inf) row would give inf - inf = nan; shift such rows by 0 instead, as torch does
    return torch.where(torch.isfinite(m), m, torch.zeros_like(m))


def logsumexp(x, dim=-1):
    """log(sum(exp(x))) along `dim`, shifted by the max so no exp exceeds 1."""
    m = _max_shift(x, dim)
    return (m + torch.log(torch.exp(x - m).sum(dim=dim, keepdim=True))).squeeze(dim)


def log_softmax(x, dim=-1):
    """Stable log-softmax: (x - max) - log(sum(exp(x - max))), i.e. x - logsumexp(x).

    Subtracting the max first and the log-sum second (not x - (max + log-sum)) keeps float32's
    precision for the largest logit, whose log-probability is close to 0.
    """
    shifted = x - _max_shift(x, dim)
    return shifted - torch.log(torch.exp(shifted).sum(dim=dim, keepdim=True))


def nll(log_probs, target):
    """Mean negative log-likelihood: pick each row's log-probability of its class by integer indexing."""
    return -log_probs[torch.arange(log_probs.shape[0], device=log_probs.device), target].mean()


def cross_entropy(logits, target):
    """Cross-entropy from raw logits: nll(log_softmax(logits))."""
    return nll(log_softmax(logits), target)


def mse(pred, target):
    """Mean squared error."""
    return ((pred - target) ** 2).mean()
