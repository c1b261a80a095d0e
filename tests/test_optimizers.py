"""The app's optimizers take torch.optim's steps bit for bit (torch.optim is the oracle)."""
import pytest
import torch
import torch.nn.functional as F

from core.engine.optimizers import OPTIMIZERS, torch_optim_code
from core.engine.seeding import seeded

TORCH = {"sgd": lambda ps, lr: torch.optim.SGD(ps, lr=lr, foreach=False),
         "momentum": lambda ps, lr: torch.optim.SGD(ps, lr=lr, momentum=0.9, foreach=False),
         "adam": lambda ps, lr: torch.optim.Adam(ps, lr=lr, foreach=False)}


def _model(seed):
    with seeded(seed):  # the layers' default init draws from the global RNG, which is put back after
        return torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.Tanh(), torch.nn.Linear(16, 3))


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
@pytest.mark.parametrize("lr", [1e-3, 0.1, 3.0])
def test_twenty_steps_give_the_same_weights_as_torch_optim(name, lr):
    ours_model, theirs_model = _model(0), _model(0)
    ours, theirs = OPTIMIZERS[name](ours_model.parameters(), lr), TORCH[name](theirs_model.parameters(), lr)
    gen = torch.Generator().manual_seed(1)
    for step in range(20):
        x, y = torch.randn(32, 8, generator=gen), torch.randint(0, 3, (32,), generator=gen)
        if step == 10:  # the learning-rate finder changes the rate between steps
            ours.param_groups[0]["lr"] = theirs.param_groups[0]["lr"] = lr * 2
        for model, opt in ((ours_model, ours), (theirs_model, theirs)):
            opt.zero_grad(set_to_none=True)
            F.cross_entropy(model(x), y).backward()
            opt.step()
    for a, b in zip(ours_model.parameters(), theirs_model.parameters()):
        assert torch.equal(a, b)
    assert all(p.grad is not None for p in ours_model.parameters())
    ours.zero_grad()
    assert all(p.grad is None for p in ours_model.parameters())


def test_a_parameter_without_a_gradient_is_left_alone():
    used, unused = torch.nn.Parameter(torch.ones(3)), torch.nn.Parameter(torch.ones(3))
    for name in OPTIMIZERS:
        opt = OPTIMIZERS[name]([used, unused], 0.1)
        used.grad = torch.ones(3)
        opt.step()
        assert torch.equal(unused, torch.ones(3)) and not torch.equal(used, torch.ones(3))
        used.data.fill_(1.0)


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_the_exported_torch_optim_line_builds_the_optimizer_torch_would(name):
    """The exported script's optimizer line, run, is torch.optim's twin of ours (and the hand-written oracle)."""
    model = _model(0)
    exported = eval(torch_optim_code(name), {"torch": torch, "model": model, "LR": 0.1})
    oracle = TORCH[name](model.parameters(), 0.1)
    assert type(exported) is type(oracle) and exported.defaults == oracle.defaults
