"""Where two runs part: the first step, the first layer in forward order, and whether data, weights,
activations or gradients differ first (per-layer digests each step)."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from ...engine.config import RunConfig
from ...engine.interleave import Tagged
from ...engine.models import stat_layers
from ...engine.run import Run, drive
from ...plain import tensor_bytes
from .butterfly import flip_bit
from .resume import _first_difference

KINDS = ("weights", "data", "activations", "gradients")  # the order in which a step reveals them


@dataclass(frozen=True)
class Divergence:
    """First step and layer where two runs differ (None when they never do), and the first differing loss step."""

    step: int | None
    layer: str | None  # "input" when the batch itself differs
    kind: str | None  # one of KINDS
    loss_step: int | None  # compare()'s first differing step
    layers: tuple  # layer names in forward order
    same: dict  # at `step`: kind -> {layer: digests equal?}, for the diagram
    stopped: bool = False


def _digest(tensors) -> str:
    h = hashlib.sha256()
    for t in tensors:
        h.update(tensor_bytes(t))
    return h.hexdigest()


class _Probe:
    """Per-layer digests of one run's step: the batch, each layer's output in the training forward, its gradients."""

    def __init__(self, model):
        self.layers = stat_layers(model)
        self.seen = {}
        self.handles = [model.register_forward_pre_hook(lambda m, args: self._keep("input", args[0]))]
        for name, (block, _) in self.layers.items():
            self.handles.append(block.register_forward_hook(lambda m, args, out, name=name: self._keep(name, out)))

    def _keep(self, name, tensor):
        self.seen.setdefault(name, _digest([tensor]))  # the step's training forward comes first; evaluation after

    def weights(self) -> dict:
        return {name: _digest(block.parameters()) for name, (block, _) in self.layers.items()}

    def gradients(self) -> dict:
        return {name: _digest(p.grad for p in block.parameters() if p.grad is not None)
                for name, (block, _) in self.layers.items()}

    def close(self):
        for handle in self.handles:
            handle.remove()


def _common_difference(a, b):
    """First differing loss over the steps both runs took (Stop may let one run take a step the other did not)."""
    n = min(a.history.steps, b.history.steps)
    return _first_difference(a.history.train_loss[:n], b.history.train_loss[:n])


def _first(a: dict, b: dict):
    same = {name: a.get(name) == b.get(name) for name in a}
    differing = [name for name, equal in same.items() if not equal]
    return (differing[0] if differing else None), same


def first_divergence(cfg_a: RunConfig, cfg_b: RunConfig, flip=None, callbacks=(), stop=None) -> Divergence:
    """Step both runs in lockstep and stop at the first difference (then on to the first differing loss).

    `flip`, if given, is (layer, index, bit) flipped in run b's initial weights: the butterfly's twin.
    """
    with Run(cfg_a, [Tagged(cb, run=0) for cb in callbacks], stop) as a, \
            Run(cfg_b, [Tagged(cb, run=1) for cb in callbacks], stop) as b:
        if flip is not None:
            flip_bit(b, *flip)
        pa, pb = _Probe(a.model), _Probe(b.model)
        try:
            found, step = None, 0
            layers = tuple(pa.layers)
            while found is None and not (a.done or b.done):
                layer, same = _first(pa.weights(), pb.weights())
                if layer is not None:
                    found = (step, layer, "weights", {"weights": same})
                    break
                pa.seen, pb.seen = {}, {}
                drive([a, b], limit=1)
                if a.history.stopped or b.history.stopped:
                    break  # one run may have taken this step and the other not: nothing to compare
                data_same = pa.seen.get("input") == pb.seen.get("input")
                acts = {k: v for k, v in pa.seen.items() if k != "input"}
                act_layer, act_same = _first(acts, {k: v for k, v in pb.seen.items() if k != "input"})
                grad_layer, grad_same = _first(pa.gradients(), pb.gradients())
                detail = {"data": {"input": data_same}, "activations": act_same, "gradients": grad_same}
                if not data_same:
                    found = (step, "input", "data", detail)
                elif act_layer is not None:
                    found = (step, act_layer, "activations", detail)
                elif grad_layer is not None:
                    found = (step, grad_layer, "gradients", detail)
                step += 1
            stopped = a.history.stopped or b.history.stopped
            if found is None and not stopped:  # one run ended: the rest of the difference, if any, is in the final weights
                layer, same = _first(pa.weights(), pb.weights())
                if layer is not None:
                    found = (step, layer, "weights", {"weights": same})
        finally:
            pa.close()
            pb.close()
        loss_step = _common_difference(a, b)
        while loss_step is None and not (a.done or b.done):  # on to the first differing loss (compare's step)
            drive([a, b], limit=1)
            loss_step = _common_difference(a, b)
        if loss_step is None and found is not None and not (a.history.stopped or b.history.stopped):
            drive([a, b])  # the losses never part: compare() then reports the step past the last one
            loss_step = len(a.history.train_loss)
        for run in (a, b):
            run.close()
    stopped = a.history.stopped or b.history.stopped
    if found is None:
        return Divergence(None, None, None, None, layers, {}, stopped)
    step, layer, kind, same = found
    return Divergence(step, layer, kind, loss_step, layers, same, stopped)
