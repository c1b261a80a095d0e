"""The two model families a learner can pick, built without touching any random generator."""
from __future__ import annotations

import torch
from torch import nn

from .activations import ACTIVATIONS


def build_model(model: str, hidden, activation: str, input_shape, n_classes: int) -> nn.Sequential:
    """An MLP or CNN as named blocks (`layer1`, …, `out`) on the meta device: no RNG is drawn."""
    with torch.device("meta"):
        if model == "cnn":
            return _cnn(hidden, activation, input_shape, n_classes)
        return _mlp(hidden, activation, input_shape, n_classes)


def materialise(model: nn.Module, device="cpu") -> nn.Module:
    """Give a model built on `meta` real, uninitialised memory on `device` — what model.to_empty(device)
    does, but with torch.empty instead of empty_like on meta tensors, whose Python implementation
    imports sympy and torch.fx (~70 MB in every kernel, measured with torch 2.13)."""
    return model._apply(lambda t: torch.empty(t.shape, dtype=t.dtype, device=device))


def _mlp(hidden, activation, input_shape, n_classes):
    blocks = [("flatten", nn.Flatten())]
    width = _prod(input_shape)
    for i, out in enumerate(hidden, 1):
        blocks.append((f"layer{i}", nn.Sequential(nn.Linear(width, int(out)), ACTIVATIONS[activation]())))
        width = int(out)
    blocks.append(("out", nn.Linear(width, n_classes)))
    return nn.Sequential(_ordered(blocks))


def _cnn(hidden, activation, input_shape, n_classes):
    # 3x3 convs with stride 2 halve the image each layer, so depth stays cheap on 8x8 and 28x28.
    channels, height, width = input_shape
    blocks = []
    for i, out in enumerate(hidden, 1):
        conv = nn.Conv2d(channels, int(out), kernel_size=3, stride=2, padding=1)
        blocks.append((f"layer{i}", nn.Sequential(conv, ACTIVATIONS[activation]())))
        channels, height, width = int(out), (height + 1) // 2, (width + 1) // 2
    blocks.append(("flatten", nn.Flatten()))
    blocks.append(("out", nn.Linear(channels * height * width, n_classes)))
    return nn.Sequential(_ordered(blocks))


def stat_layers(model: nn.Module) -> dict:
    """Layer name -> (block whose output is the activation, weight-bearing module)."""
    layers = {}
    for name, block in model.named_children():
        if isinstance(block, nn.Sequential):
            layers[name] = (block, block[0])
        elif isinstance(block, (nn.Linear, nn.Conv2d)):
            layers[name] = (block, block)
    return layers


def _ordered(blocks):
    from collections import OrderedDict

    return OrderedDict(blocks)


def _prod(shape):
    n = 1
    for s in shape:
        n *= int(s)
    return n
