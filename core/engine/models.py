"""The two model families a learner can pick, built without touching any random generator."""
from __future__ import annotations

import torch
from torch import nn

from .. import plain


def build_model(model: str, hidden, activation: str, input_shape, n_classes: int, norm="none",
                dropout=0.0) -> nn.Sequential:
    """An MLP or CNN as named blocks (`layer1`, …, `out`) on the meta device: no RNG is drawn."""
    with torch.device("meta"):
        return plain.build_model(model, hidden, activation, input_shape, n_classes, norm, dropout)


def materialise(model: nn.Module, device="cpu") -> nn.Module:
    """Give a model built on `meta` real, uninitialised memory on `device` — what model.to_empty(device)
    does, but with torch.empty instead of empty_like on meta tensors, whose Python implementation
    imports sympy and torch.fx (~70 MB in every kernel, measured with torch 2.13)."""
    return model._apply(lambda t: torch.empty(t.shape, dtype=t.dtype, device=device))


def stat_layers(model: nn.Module) -> dict:
    """Layer name -> (block whose output is the activation, weight-bearing module)."""
    layers = {}
    for name, block in model.named_children():
        if isinstance(block, nn.Sequential):
            # the activation's output: the block's own, unless dropout (the last module) follows it
            shown = block[-2] if isinstance(block[-1], nn.Dropout) else block
            layers[name] = (shown, block[0])
        elif isinstance(block, (nn.Linear, nn.Conv2d)):
            layers[name] = (block, block)
    return layers

