"""Losses from their definitions against torch.nn.functional, values and gradients."""
import pytest
import torch
import torch.nn.functional as F

from core.lessons.losses.formulas import cross_entropy, log_softmax, log_softmax_naive, logsumexp, mse, nll


def logits(shape=(16, 10), scale=3.0, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(shape, generator=g) * scale


def labels(n=16, classes=10, seed=1):
    return torch.randint(0, classes, (n,), generator=torch.Generator().manual_seed(seed))


@pytest.mark.parametrize("dim", [-1, 0, 1])
def test_logsumexp_and_log_softmax_equal_torch(dim):
    x = logits((4, 6, 5))
    torch.testing.assert_close(logsumexp(x, dim), torch.logsumexp(x, dim))
    torch.testing.assert_close(log_softmax(x, dim), F.log_softmax(x, dim))


def test_logsumexp_handles_infinite_entries_like_torch():
    x = torch.tensor([[0.0, -float("inf"), 1.0], [-float("inf")] * 3, [2.0, float("inf"), 0.0]])
    torch.testing.assert_close(logsumexp(x), torch.logsumexp(x, -1))
    assert logsumexp(x)[1] == -float("inf") and logsumexp(x)[2] == float("inf")


def test_logsumexp_gradient_is_softmax():
    x = logits().requires_grad_()
    logsumexp(x).sum().backward()
    torch.testing.assert_close(x.grad, F.softmax(x.detach(), -1))


def test_naive_log_softmax_agrees_on_small_logits():
    x = logits()
    torch.testing.assert_close(log_softmax_naive(x), F.log_softmax(x, -1))


def test_exp_of_1000_overflows_in_float32_and_float64():
    for dtype in (torch.float32, torch.float64):
        assert torch.isinf(torch.exp(torch.tensor(1000.0, dtype=dtype)))


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_large_logits_break_naive_but_not_stable(dtype):
    x = logits().to(dtype) * 1000
    assert not torch.isfinite(log_softmax_naive(x)).all()
    stable = log_softmax(x)
    assert torch.isfinite(stable).all()
    torch.testing.assert_close(stable, F.log_softmax(x, -1))


def test_nll_equals_torch():
    lp = F.log_softmax(logits(), -1)
    torch.testing.assert_close(nll(lp, labels()), F.nll_loss(lp, labels()))


def test_cross_entropy_value_and_gradient_equal_torch():
    x1 = logits().requires_grad_()
    x2 = logits().requires_grad_()
    ours, theirs = cross_entropy(x1, labels()), F.cross_entropy(x2, labels())
    ours.backward()
    theirs.backward()
    torch.testing.assert_close(ours, theirs)
    torch.testing.assert_close(x1.grad, x2.grad)


def test_mse_value_and_gradient_equal_torch():
    target = logits(seed=2)
    p1, p2 = logits().requires_grad_(), logits().requires_grad_()
    ours, theirs = mse(p1, target), F.mse_loss(p2, target)
    ours.backward()
    theirs.backward()
    torch.testing.assert_close(ours, theirs)
    torch.testing.assert_close(p1.grad, p2.grad)


def test_confident_cross_entropy_keeps_relative_precision():
    # the true class's log-probability is tiny (~1e-5): only (x - max) - log Σ keeps its digits
    x = torch.tensor([[20.0, 10.0, 1.0, -10.0]])
    target = torch.tensor([0])
    ours, theirs = cross_entropy(x, target), F.cross_entropy(x, target)
    torch.testing.assert_close(ours, theirs, rtol=1e-4, atol=0)
