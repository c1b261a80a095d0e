"""SGD, SGD with momentum and Adam, written out: the same arithmetic as torch.optim's single-tensor code.

Why not torch.optim itself: constructing any torch.optim optimizer imports torch._dynamo (and sympy)
on first use — about 1 s and 73 MB in every learner's kernel (torch 2.13, measured), for nothing this
app uses. These classes do, operation for operation, what `torch.optim.SGD(params, lr, momentum)` and
`torch.optim.Adam(params, lr)` do with `foreach=False` (their CPU default), so a run gives bitwise
the same weights (tests compare them with torch.optim). Each keeps `param_groups[0]["lr"]`, which
the learning-rate finder changes between steps, as torch's optimizers do.
"""
from __future__ import annotations

import functools

import torch


class _Optimizer:
    """What the loop and the learning-rate finder use: one parameter group, zero_grad, and the
    (index, parameter, gradient) triples a step updates."""

    def __init__(self, params, lr: float):
        self.param_groups = [{"params": list(params), "lr": lr}]

    def zero_grad(self, set_to_none: bool = True):
        for p in self.param_groups[0]["params"]:
            p.grad = None

    def _with_grads(self):
        return ((i, p, p.grad) for i, p in enumerate(self.param_groups[0]["params"]) if p.grad is not None)


class SGD(_Optimizer):
    """p ← p − lr·g; with momentum μ: b ← μ·b + g (b = g on the first step), p ← p − lr·b."""

    def __init__(self, params, lr: float, momentum: float = 0.0):
        super().__init__(params, lr)
        self.momentum = momentum
        self.buffers: dict[int, torch.Tensor] = {}

    def set_momentum(self, momentum: float):
        """The momentum μ of the next steps (what OneCycleLR cycles)."""
        self.momentum = momentum

    @torch.no_grad()
    def step(self):
        lr = self.param_groups[0]["lr"]
        for i, p, grad in self._with_grads():
            if self.momentum:
                buf = self.buffers.get(i)
                if buf is None:
                    buf = self.buffers[i] = grad.detach().clone()
                else:
                    buf.mul_(self.momentum).add_(grad, alpha=1)
                grad = buf
            p.add_(grad, alpha=-lr)


class Adam(_Optimizer):
    """Adam (Kingma & Ba) with torch's defaults: betas (0.9, 0.999), eps 1e-8, bias correction."""

    def __init__(self, params, lr: float, betas=(0.9, 0.999), eps: float = 1e-8):
        super().__init__(params, lr)
        self.betas, self.eps = betas, eps
        self.state: dict[int, dict] = {}

    def set_momentum(self, beta1: float):
        """Adam's momentum is beta1 (what OneCycleLR cycles)."""
        self.betas = (beta1, self.betas[1])

    @torch.no_grad()
    def step(self):
        lr = self.param_groups[0]["lr"]
        beta1, beta2 = self.betas
        for i, p, grad in self._with_grads():
            state = self.state.get(i)
            if state is None:
                state = self.state[i] = {"step": 0.0,
                                         "exp_avg": torch.zeros_like(p, memory_format=torch.preserve_format),
                                         "exp_avg_sq": torch.zeros_like(p, memory_format=torch.preserve_format)}
            state["step"] += 1.0
            exp_avg, exp_avg_sq, step = state["exp_avg"], state["exp_avg_sq"], state["step"]
            exp_avg.lerp_(grad, 1 - beta1)
            exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
            bias_correction1 = 1 - beta1 ** step
            bias_correction2 = 1 - beta2 ** step
            step_size = lr / bias_correction1
            denom = (exp_avg_sq.sqrt() / bias_correction2 ** 0.5).add_(self.eps)
            p.addcdiv_(exp_avg, denom, value=-step_size)


WITH_MOMENTUM = ("momentum", "adam")  # the optimizers whose momentum (Adam: beta1) a one-cycle schedule cycles
MOMENTUM = 0.9
# Each optimizer a learner may pick: the class and its arguments beyond the learning rate. The classes carry
# torch.optim's names, so the same entry also writes the torch.optim call of an exported script.
OPTIMIZER_SPECS = {"sgd": (SGD, {}), "momentum": (SGD, {"momentum": MOMENTUM}), "adam": (Adam, {})}
OPTIMIZERS = {name: functools.partial(cls, **kwargs) for name, (cls, kwargs) in OPTIMIZER_SPECS.items()}


def torch_optim_code(name: str) -> str:
    """The torch.optim line an exported script builds `name` with. foreach=False: torch.optim's single-tensor
    arithmetic, which these classes follow step for step; on a GPU torch.optim would otherwise pick its
    multi-tensor code."""
    cls, kwargs = OPTIMIZER_SPECS[name]
    extra = "".join(f", {key}={value!r}" for key, value in kwargs.items())
    return f"torch.optim.{cls.__name__}(model.parameters(), lr=LR{extra}, foreach=False)"
