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


FUSED_NORMS = hasattr(torch, "_foreach_norm")  # private but present since torch 1.13; a plain loop where it is not
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
    return grad_norm_tensor(params).item()


def grad_norm_tensor(params) -> torch.Tensor:
    """grad_norm as a 0-d tensor: reading it (`.item()`) waits for the device, so a run reads its norms in bulk."""
    params = list(params)
    grads = [p.grad.detach() for p in params if p.grad is not None]
    if not grads:
        return torch.zeros((), device=params[0].device if params else "cpu")
    grads = [g if g.dtype == torch.float32 else g.float() for g in grads]
    if FUSED_NORMS and grads[0].device.type == "cpu":
        # one call for every tensor; on the CPU it runs vector_norm on each, so the same bits (a GPU's fused kernel
        # sums in another order: there each tensor keeps its own vector_norm, and no sync waits for them anyway)
        norms = torch._foreach_norm(grads)
    else:
        norms = [torch.linalg.vector_norm(g) for g in grads]
    return torch.linalg.vector_norm(torch.stack(norms))


class GradNorms:
    """The per-step gradient norms of a run, kept as tensors and appended to health["grad_norm"] as floats in
    bulk (`flush`): the same numbers as one `.item()` a step, without a device wait and a Python float each step.

    On the CPU a step keeps the row of its tensors' norms (`_foreach_norm`, then one stack); `flush` takes every
    row's norm in one call. A row's norm is the same reduction as the norm of that row alone (torch reduces the
    last dimension row by row), so the numbers are grad_norm's bit for bit (tests/test_cheap_gauges.py). The
    gradients themselves are not kept: a run that holds them makes every step's backward allocate afresh."""

    def __init__(self, params, health: dict):
        self.params, self.health, self._pending = list(params), health, []
        self._rows = FUSED_NORMS and all(p.device.type == "cpu" and p.dtype == torch.float32 for p in self.params)

    def record(self):
        grads = [p.grad for p in self.params]
        if self._rows and grads and all(g is not None for g in grads):  # (`None in grads` would call Tensor.__eq__)
            self._pending.append(torch.stack(torch._foreach_norm(grads)))  # 1-d: this step's row
        else:  # no gradient somewhere, or a GPU (whose fused norms sum in another order): this step's norm now
            self._pending.append(grad_norm_tensor(self.params))

    def flush(self):
        if not self._pending:
            return
        totals, rows = [], []
        for entry in self._pending + [None]:  # consecutive rows become one (steps, tensors) matrix, one norm call
            if entry is not None and entry.dim() == 1:
                rows.append(entry)
                continue
            if rows:
                totals.append(torch.linalg.vector_norm(torch.stack(rows), dim=1))
                rows = []
            if entry is not None:
                totals.append(entry.reshape(1))
        # to the CPU first: one copy, then float32 -> Python float exactly as .item() converts it
        self.health["grad_norm"].extend(torch.cat(totals).cpu().tolist())
        self._pending = []


def _silent_units(act: torch.Tensor) -> torch.Tensor:
    """Per unit (feature or channel): True where it is zero for every example (and position) of `act`.

    The largest |value| over the rest is 0 exactly then (NaN, like any non-zero, makes it not silent): a float
    max over the rows as they lie in memory, several times faster than a boolean all() across them."""
    rest = [0, *range(2, act.dim())]
    return act.detach().abs().amax(dim=rest) == 0


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
        self._before, self._dead_counted_at = {}, None

    def count_dead(self, step: int):
        """Record the dead units of the weights as they are before step `step`."""
        if self._dead_counted_at == step:  # the run's end right after an epoch's end: the same weights
            return
        self._dead_counted_at = step
        for name, fraction in dead_fractions(self.model, self.layers, self.rows).items():
            series = self.health["dead_fraction"].setdefault(name, {"step": [], "fraction": []})
            series["step"].append(step)
            series["fraction"].append(fraction)

    def before_step(self, step: int, lr: float):
        for name, (_, layer) in self.layers.items():
            # the float64 copy is both this gauge's input and the "before" of the update ratio (one copy, not two)
            weight, grad = layer.weight.detach().to(torch.float64, copy=True), layer.weight.grad
            self._before[name] = weight
            size = weight.std().item()
            # lr·grad in float64 in place on its own copy: the same numbers as lr * grad.double(), one tensor fewer
            scale = grad.detach().to(torch.float64, copy=True).mul_(lr).std().item() if grad is not None else math.nan
            series = self.health["lr_grad_ratio"].setdefault(name, {"step": [], "ratio": []})
            series["step"].append(step)
            series["ratio"].append(scale / size if size > 0 else math.nan)

    def after_step(self, step: int):
        for name, (_, layer) in self.layers.items():
            before = self._before.pop(name)
            size = torch.linalg.vector_norm(before).item()
            # float32 minus float64 is computed in float64: weight.double() - before without the copy
            change = torch.linalg.vector_norm(torch.sub(layer.weight.detach(), before)).item()
            series = self.health["update_ratio"].setdefault(name, {"step": [], "ratio": []})
            series["step"].append(step)
            series["ratio"].append(change / size if size > 0 else math.nan)
