"""Health gauges a practitioner reads first: step-0 loss against ln C, gradient norm, update-to-weight ratio
and dead units, gathered without changing a single number of the run."""
from __future__ import annotations

import contextlib
import math

import torch


def new_health(n_classes: int) -> dict:
    """An empty History.health: the step-0 loss expected of a uniform guess is ln C."""
    return {"initial_loss": None, "expected_initial_loss": math.log(n_classes), "grad_norm": [],
            "update_ratio": {}, "dead_fraction": {}, "eval_saved_bytes": []}


@contextlib.contextmanager
def counting_saved_bytes(health: dict):
    """Count the bytes autograd saves for backward inside the block (0 under no_grad) into health, per epoch."""
    total = [0]

    def pack(t):
        total[0] += t.numel() * t.element_size()
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        yield
    health["eval_saved_bytes"].append(total[0])


def grad_norm(params) -> float:
    """The L2 norm of every gradient taken together (as clip_grad_norm_ measures it)."""
    norms = [torch.linalg.vector_norm(p.grad.detach().float()) for p in params if p.grad is not None]
    return torch.linalg.vector_norm(torch.stack(norms)).item() if norms else 0.0


def dead_fraction(act: torch.Tensor) -> float:
    """Fraction of units (features or channels) that are zero for every example of the batch."""
    per_unit = act.detach().transpose(0, 1).reshape(act.shape[1], -1)
    return (per_unit == 0).all(dim=1).float().mean().item()


class HealthGauges:
    """Per sampled step and layer: the update ratio ||w_after - w_before|| / ||w_before|| and dead units."""

    def __init__(self, layers: dict, health: dict):
        self.layers, self.health = layers, health  # name -> (module whose output is the activation, weight module)
        self._before, self._handles = {}, []

    def arm(self, step: int):
        """Watch the activations of this step's forward pass."""
        def hook(name):
            def record(module, inputs, output):
                series = self.health["dead_fraction"].setdefault(name, {"step": [], "fraction": []})
                series["step"].append(step)
                series["fraction"].append(dead_fraction(output))
            return record
        # only hidden blocks: the output layer's logits have no units to die
        self._handles = [shown.register_forward_hook(hook(name)) for name, (shown, layer) in self.layers.items()
                         if shown is not layer]

    def disarm(self):
        for handle in self._handles:
            handle.remove()
        self._handles = []

    def before_step(self):
        self._before = {name: layer.weight.detach().clone() for name, (_, layer) in self.layers.items()}

    def after_step(self, step: int):
        for name, (_, layer) in self.layers.items():
            before = self._before.pop(name).double()
            size = torch.linalg.vector_norm(before).item()
            change = torch.linalg.vector_norm(layer.weight.detach().double() - before).item()
            series = self.health["update_ratio"].setdefault(name, {"step": [], "ratio": []})
            series["step"].append(step)
            series["ratio"].append(change / size if size > 0 else math.nan)
