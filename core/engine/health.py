"""Health gauges a practitioner reads first: step-0 loss against ln C, gradient norm, update-to-weight ratios
and dead units, gathered without changing a single number of the run."""
from __future__ import annotations

import contextlib
import itertools
import math

import torch


def new_health(n_classes: int) -> dict:
    """An empty History.health: the step-0 loss expected of a uniform guess is ln C."""
    return {"initial_loss": None, "expected_initial_loss": math.log(n_classes), "grad_norm": [],
            "update_ratio": {}, "lr_grad_ratio": {}, "dead_fraction": {}, "dead_rows": 0, "eval_saved_bytes": [],
            "val_acc_eval_mode": []}


FUSED_NORMS = hasattr(torch, "_foreach_norm")  # private but present since torch 1.13; a plain loop where it is not
GAUGE_KEEP_BYTES = 1 << 22  # the update-ratio gauges keep at most about this many bytes of copies between flushes
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


GRAD_ROWS_BYTES = 1 << 20  # a run keeps at most this many bytes of a step's gradients before it takes their norms
MIN_GRAD_ROWS = 8  # fewer steps than this fit (a large model): each step takes its own norms, as before


class GradNorms:
    """The per-step gradient norms of a run, appended to health["grad_norm"] as floats in bulk (`flush`): the
    same numbers as grad_norm's one `.item()` a step, without a device wait and a Python float each step.

    On the CPU a step keeps its gradients themselves: zero_grad(set_to_none=True) hands each backward's fresh
    tensors to the parameters, so last step's are no longer written to (`fresh=False`, a loop that never zeroes
    its gradients, accumulates into the same tensors: there a step keeps copies). When GRAD_ROWS_BYTES of
    gradients are kept, and at each flush, every parameter's kept gradients stacked as rows give all their norms in one
    `vector_norm(dim=1)`, and the rows of those norms the step norms. torch reduces the last dimension row by
    row with the same loop that a whole contiguous tensor gets, so the numbers are grad_norm's bit for bit
    (tests/test_cheap_gauges.py)."""

    def __init__(self, params, health: dict, fresh: bool = True):
        self.params, self.health, self.fresh, self._pending, self._kept = list(params), health, fresh, [], []
        self._capacity = GRAD_ROWS_BYTES // max(1, 4 * sum(p.numel() for p in self.params))
        self._in_bulk = (FUSED_NORMS and self._capacity >= MIN_GRAD_ROWS and bool(self.params)
                      and all(p.device.type == "cpu" and p.dtype == torch.float32 for p in self.params))

    def record(self):
        grads = [p.grad for p in self.params]
        if self._in_bulk and not any(g is None for g in grads):  # (`None in grads` would call Tensor.__eq__)
            if len(self._kept) == self._capacity:
                self._reduce()
            self._kept.append(grads if self.fresh else [g.detach().clone() for g in grads])
        else:  # no gradient somewhere, a large model or a GPU (whose fused norms sum in another order): now
            self._reduce()
            self._pending.append(grad_norm_tensor(self.params).reshape(1))

    def _reduce(self):
        """The kept gradients -> one norm per step, pending; nothing is kept any more."""
        if not self._kept:
            return
        n, kept, self._kept = len(self._kept), self._kept, []
        per_tensor = torch.stack([torch.linalg.vector_norm(torch.stack(rows).reshape(n, -1), dim=1)
                                  for rows in zip(*kept)], dim=1)
        self._pending.append(torch.linalg.vector_norm(per_tensor, dim=1))

    def flush(self):
        self._reduce()
        if self._pending:
            # to the CPU first: one copy, then float32 -> Python float exactly as .item() converts it
            self.health["grad_norm"].extend(torch.cat(self._pending).cpu().tolist())
            self._pending = []


def _silent_units(act: torch.Tensor) -> torch.Tensor:
    """Per unit (feature or channel): True where it is zero for every example (and position) of `act`.

    The largest |value| over the rest is 0 exactly then (NaN, like any non-zero, makes it not silent): a float
    max over the rows as they lie in memory, several times faster than a boolean all() across them."""
    rest = [0, *range(2, act.dim())]
    return act.detach().abs().amax(dim=rest) == 0


def dead_fractions(model, layers: dict, rows: torch.Tensor, chunk: int = 1024, blocks=None) -> dict:
    """Per hidden layer: the fraction of units that are zero on every one of `rows`, measured in eval mode under
    no_grad (no dropout draw, no batch-norm update: the run's numbers stay as they are).

    `blocks` (see hidden_blocks), if given, are the first children of a Sequential model up to the last hidden
    layer: run in turn they give the same hidden outputs as model(part), without computing the logits."""
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
                if blocks is None:
                    model(part)
                    continue
                for block in blocks:  # what Sequential.forward does, stopped after the last hidden layer
                    part = block(part)
    finally:
        model.train(training)
        for handle in handles:
            handle.remove()
    return {name: seen.float().mean().item() for name, seen in silent.items()}


def hidden_blocks(model, layers: dict):
    """The children of a Sequential `model` up to the last one holding a hidden layer's activation (None for any
    other model, or where nothing would be left out): dead units need no logits."""
    if not isinstance(model, torch.nn.Sequential):
        return None
    hidden = [shown for shown, layer in layers.values() if shown is not layer]
    children = list(model)
    last = max((i for i, child in enumerate(children) if any(m in hidden for m in child.modules())), default=None)
    return None if last is None or last == len(children) - 1 else children[:last + 1]


class HealthGauges:
    """Per sampled step and layer: the applied update ||w_after - w_before|| / ||w_before||, Karpathy's
    std(lr·grad) / std(w) (the quantity his 1e-3 rule of thumb is about); dead units over the training rows."""

    def __init__(self, model, layers: dict, health: dict, rows: torch.Tensor):
        self.model, self.layers, self.health = model, layers, health  # name -> (activation module, weight module)
        self.rows = rows[:DEAD_UNIT_ROWS]
        self.health["dead_rows"] = len(self.rows)
        self._blocks = hidden_blocks(model, layers)
        self._dead_counted_at = None
        self._kept, self._kept_bytes = [], 0  # per sampled step: [step, lr, weights before, grads, weights after]

    def count_dead(self, step: int):
        """Record the dead units of the weights as they are before step `step`."""
        if self._dead_counted_at == step:  # the run's end right after an epoch's end: the same weights
            return
        self._dead_counted_at = step
        for name, fraction in dead_fractions(self.model, self.layers, self.rows, blocks=self._blocks).items():
            series = self.health["dead_fraction"].setdefault(name, {"step": [], "fraction": []})
            series["step"].append(step)
            series["fraction"].append(fraction)

    def before_step(self, step: int, lr: float):
        """Keep float64 copies of each layer's weight and gradient; the ratios are worked out at `flush`, all at
        once: the same operations on the same numbers, in a tight loop instead of scattered between steps."""
        weights = [layer.weight.detach().to(torch.float64, copy=True) for _, layer in self.layers.values()]
        grads = [layer.weight.grad for _, layer in self.layers.values()]
        self._kept.append([step, lr, weights,
                           [g.detach().to(torch.float64, copy=True) if g is not None else None for g in grads], None])
        self._kept_bytes += 3 * sum(w.numel() * w.element_size() for w in weights)

    def after_step(self, step: int):
        self._kept[-1][4] = [layer.weight.detach().clone() for _, layer in self.layers.values()]
        if self._kept_bytes > GAUGE_KEEP_BYTES:  # a large model: work them out now rather than hold more
            self.flush()

    def flush(self):
        """Append the ratios of the steps kept since the last flush to health (a run flushes at each epoch's end,
        at its end and when `drive` returns, as the gradient norms)."""
        kept, self._kept, self._kept_bytes = self._kept, [], 0
        if not kept:
            return
        steps = [entry[0] for entry in kept]
        for i, name in enumerate(self.layers):
            # the weight before the step (float64) is this gauge's input and the update ratio's "before"
            before = [entry[2][i] for entry in kept]
            sizes = torch.stack([w.std() for w in before]).tolist()
            # lr·grad in float64, in place on the gradient's float64 copy: the same numbers as lr * grad.double()
            scales = [entry[3][i].mul_(entry[1]).std().item() if entry[3][i] is not None else math.nan
                      for entry in kept]
            self._append("lr_grad_ratio", name, steps, scales, sizes)
            # the rows' norms, one vector_norm(dim=1): torch reduces each row as it reduces a whole tensor; float32
            # minus float64 is computed in float64 (weight.double() - before without the copy)
            rows = torch.stack(before).reshape(len(kept), -1)
            after = torch.stack([entry[4][i] for entry in kept]).reshape(len(kept), -1)
            sizes = torch.linalg.vector_norm(rows, dim=1).tolist()
            changes = torch.linalg.vector_norm(torch.sub(after, rows), dim=1).tolist()
            self._append("update_ratio", name, steps, changes, sizes)

    def _append(self, gauge, name, steps, tops, bottoms):
        series = self.health[gauge].setdefault(name, {"step": [], "ratio": []})
        series["step"].extend(steps)
        series["ratio"].extend(top / bottom if bottom > 0 else math.nan for top, bottom in zip(tops, bottoms))
