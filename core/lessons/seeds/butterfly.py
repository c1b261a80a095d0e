"""The one-bit butterfly: flip one bit of one initial weight and train the twin beside the original."""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from ...engine.config import RunConfig
from ...engine.errors import ConfigError
from ...engine.interleave import Tagged
from ...engine.models import stat_layers
from ...engine.run import Run, drive


@dataclass(frozen=True)
class Flip:
    """Which weight a flip changed (layer, flat index, bit) and its value and float32 bits before and after."""

    layer: str
    index: int
    bit: int
    before: float
    after: float
    bits_before: str
    bits_after: str


@dataclass(frozen=True)
class Butterfly:
    """Twin runs one bit apart: distance per step (entry k after k steps), loss gaps, and how each ended."""

    flip: Flip
    steps: list
    abs_distance: list  # largest |weight_a - weight_b| over every parameter
    rel_distance: list  # ||theta_a - theta_b|| / ||theta_a|| over every parameter
    loss_diff: list  # |loss_a - loss_b| at each step
    original: object  # History
    twin: object  # History
    stopped: bool = False

    @property
    def final_val_acc(self) -> tuple:
        """Last validation accuracy of the original and of the twin."""
        return tuple(h.val_acc[-1] if h.val_acc else None for h in (self.original, self.twin))


def float_bits(value: float) -> str:
    """The 32 bits of a float32 as sign | exponent | mantissa, e.g. '0 01111110 10000000000000000000000'."""
    n = torch.tensor([value], dtype=torch.float32).view(torch.int32).item() & 0xFFFFFFFF
    s = f"{n:032b}"
    return f"{s[0]} {s[1:9]} {s[9:]}"


def default_index(run, layer: str) -> int:
    """A weight the output depends on: in the first layer, one fed by an input that varies (not a blank corner pixel)."""
    first = next(iter(stat_layers(run.model)))
    module = stat_layers(run.model)[layer][1]
    if layer != first or not isinstance(module, torch.nn.Linear):
        return 0  # a convolution slides over every pixel; a deeper layer reads activations
    x = run.x_train.reshape(len(run.x_train), -1)
    varying = torch.nonzero(x.amax(0) != x.amin(0)).flatten()
    return int(varying[0]) if len(varying) else 0


SIGN_BIT = 31  # a float32's bits: 0 is the lowest mantissa bit, 31 the sign


def flip_bit(run, layer=None, index=None, bit: int = 0) -> Flip:
    """Flip bit `bit` (0 = lowest mantissa bit, 31 = sign) of one weight of `run`'s model, before any step."""
    layers = stat_layers(run.model)
    layer = next(iter(layers)) if layer is None else layer
    if layer not in layers:
        raise ConfigError("unknown_layer", layer=layer, options=", ".join(layers))
    weight = layers[layer][1].weight
    index = default_index(run, layer) if index is None else index
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < weight.numel():
        raise ConfigError("weight_index", limit=weight.numel() - 1)
    if isinstance(bit, bool) or not isinstance(bit, int) or not 0 <= bit <= SIGN_BIT:
        raise ConfigError("bit_range")
    if weight.dtype != torch.float32:
        raise ConfigError("float32_only")
    mask = 1 << bit if bit < SIGN_BIT else -(1 << SIGN_BIT)  # the sign bit as an int32
    with torch.no_grad():
        cell = weight.view(-1)[index:index + 1]
        before = cell.item()
        cell.view(torch.int32).bitwise_xor_(mask)
        after = cell.item()
    return Flip(layer, index, bit, before, after, float_bits(before), float_bits(after))


def distances(model_a, model_b) -> tuple:
    """(largest absolute difference, relative L2 distance) between two models' parameters."""
    largest, diff_sq, norm_sq = 0.0, 0.0, 0.0
    with torch.no_grad():
        for pa, pb in zip(model_a.parameters(), model_b.parameters()):
            d = (pa.double() - pb.double())
            largest = max(largest, d.abs().max().item())
            diff_sq += d.square().sum().item()
            norm_sq += pa.double().square().sum().item()
    return largest, math.sqrt(diff_sq) / math.sqrt(norm_sq) if norm_sq else math.inf


def butterfly(cfg: RunConfig, layer=None, index=None, bit: int = 0, callbacks=(), stop=None) -> Butterfly:
    """Train cfg and its twin with one bit of one initial weight flipped; records stream as run=0 / run=1 and
    one {"step", "abs", "rel", "loss_diff"} "on_distance" event per step."""
    cfg = cfg.validate()
    if cfg.seed is None or cfg.unseeded:
        raise ConfigError("butterfly_seeded")
    with Run(cfg, [Tagged(cb, run=0) for cb in callbacks], stop) as a, \
            Run(cfg, [Tagged(cb, run=1) for cb in callbacks], stop) as b:
        flip = flip_bit(b, layer, index, bit)
        first = distances(a.model, b.model)
        abs_d, rel_d, losses = [first[0]], [first[1]], []
        while not (a.done or b.done):
            drive([a, b], limit=1)
            if len(a.history.train_loss) > len(losses) and len(b.history.train_loss) > len(losses):
                k = len(losses)
                losses.append(abs(a.history.train_loss[k] - b.history.train_loss[k]))
                step_abs, step_rel = distances(a.model, b.model)
                abs_d.append(step_abs)
                rel_d.append(step_rel)
                for cb in callbacks:
                    method = getattr(cb, "on_distance", None)
                    if method is not None:
                        method({"step": k + 1, "abs": step_abs, "rel": step_rel, "loss_diff": losses[-1]})
        drive([a, b])  # let both finish (a run that ended first is already closed)
    return Butterfly(flip, list(range(len(abs_d))), abs_d, rel_d, losses, a.history, b.history,
                     a.history.stopped or b.history.stopped)
