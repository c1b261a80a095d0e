"""Health gauges a practitioner reads first: step-0 loss against ln C, gradient norm, update-to-weight ratios
and dead units, gathered without changing a single number of the run."""
from __future__ import annotations

import contextlib
import math

import torch


def new_health(n_classes: int) -> dict:
    """An empty History.health: the step-0 loss expected of a uniform guess is ln C."""
    return {"initial_loss": None, "expected_initial_loss": math.log(n_classes), "grad_norm": [],
            "update_ratio": {}, "lr_grad_ratio": {}, "dead_fraction": {}, "dead_rows": 0, "eval_saved_bytes": [],
            "val_acc_eval_mode": []}


DEAD_UNIT_ROWS = 10_000  # dead units are counted over the training split, at most its first this many rows


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


def _silent_units(act: torch.Tensor) -> torch.Tensor:
    """Per unit (feature or channel): True where it is zero for every example (and position) of `act`."""
    return (act.detach().transpose(0, 1).reshape(act.shape[1], -1) == 0).all(dim=1)


def dead_fractions(model, layers: dict, rows: torch.Tensor, chunk: int = 1024) -> dict:
    """Per hidden layer: the fraction of units that are zero on every one of `rows`, measured in eval mode under
    no_grad (no dropout draw, no batch-norm update: the run's numbers stay as they are)."""
    silent, handles = {}, []

    def hook(name):
        def record(module, inputs, output):
            seen = _silent_units(output)
            silent[name] = seen if name not in silent else silent[name] & seen
        return record
    # only hidden blocks: the output layer's logits have no units to die
    handles = [shown.register_forward_hook(hook(name)) for name, (shown, layer) in layers.items()
               if shown is not layer]
    training = model.training
    try:
        model.eval()
        with torch.no_grad():
            for part in rows.split(chunk):
                model(part)
    finally:
        model.train(training)
        for handle in handles:
            handle.remove()
    return {name: seen.float().mean().item() for name, seen in silent.items()}


class HealthGauges:
    """Per sampled step and layer: the applied update ||w_after - w_before|| / ||w_before||, Karpathy's
    std(lr·grad) / std(w) (the quantity his 1e-3 rule of thumb is about); dead units over the training rows."""

    def __init__(self, model, layers: dict, health: dict, rows: torch.Tensor):
        self.model, self.layers, self.health = model, layers, health  # name -> (activation module, weight module)
        self.rows = rows[:DEAD_UNIT_ROWS]
        self.health["dead_rows"] = len(self.rows)
        self._before = {}

    def count_dead(self, step: int):
        """Record the dead units of the weights as they are before step `step`."""
        for name, fraction in dead_fractions(self.model, self.layers, self.rows).items():
            series = self.health["dead_fraction"].setdefault(name, {"step": [], "fraction": []})
            if series["step"][-1:] != [step]:
                series["step"].append(step)
                series["fraction"].append(fraction)

    def before_step(self, step: int, lr: float):
        self._before = {name: layer.weight.detach().clone() for name, (_, layer) in self.layers.items()}
        for name, (_, layer) in self.layers.items():
            weight, grad = layer.weight.detach().double(), layer.weight.grad
            size = weight.std().item()
            scale = (lr * grad.detach().double()).std().item() if grad is not None else math.nan
            series = self.health["lr_grad_ratio"].setdefault(name, {"step": [], "ratio": []})
            series["step"].append(step)
            series["ratio"].append(scale / size if size > 0 else math.nan)

    def after_step(self, step: int):
        for name, (_, layer) in self.layers.items():
            before = self._before.pop(name).double()
            size = torch.linalg.vector_norm(before).item()
            change = torch.linalg.vector_norm(layer.weight.detach().double() - before).item()
            series = self.health["update_ratio"].setdefault(name, {"step": [], "ratio": []})
            series["step"].append(step)
            series["ratio"].append(change / size if size > 0 else math.nan)
