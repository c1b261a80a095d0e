"""What an init scheme does to a network before training: per-layer weight, activation and gradient scale."""
from __future__ import annotations

import math
from typing import List, NamedTuple, Optional

import torch
import torch.nn.functional as F

from ...engine.config import RunConfig
from ...data.datasets import load_dataset
from ...engine.errors import ConfigError
from .gains import expected_std, fans
from ...plain import init_model
from ...engine.models import build_model, materialise, stat_layers
from ...engine.seeding import fresh_seed
from ...engine.stats import LayerStats

MAX_PROBE_DEPTH = 64  # one forward pass stays instant; the panel's slider stops at 12
STABLE_BAND = (0.1, 10.0)  # a final std within a factor 10 of 1 counts as "kept its scale"


class InitReport(NamedTuple):
    """Per-layer numbers of one network at init (lists indexed like `names`)."""
    names: List[str]
    fan_in: List[int]
    fan_out: List[int]
    weight_std: List[float]              # measured, population std (ddof=0) like expected_std
    expected_std: List[Optional[float]]  # closed form; None where data-dependent (lsuv)
    act_mean: List[float]
    act_std: List[float]
    grad_std: List[float]
    loss: float
    seed: int


class Verdict(NamedTuple):
    """How a signal's scale ended across layers: kind is nonfinite, vanished, stable, shrinks or grows."""
    kind: str
    layer: int       # 1-based layer the verdict refers to
    value: float     # the std at that layer


def init_report(scheme, activation, depth, width, seed=0, batch=256) -> InitReport:
    """One forward and backward pass (cross-entropy) of a fresh digits MLP; global RNGs untouched."""
    if isinstance(depth, bool) or not isinstance(depth, int) or not 1 <= depth <= MAX_PROBE_DEPTH:
        raise ConfigError("depth_range", limit=MAX_PROBE_DEPTH)
    cfg = RunConfig(hidden=(width,) * depth, activation=activation, init=scheme, seed=seed).validate()
    seed = int(seed) if seed is not None else fresh_seed()
    data = load_dataset("digits", seed)
    x, y = (t[:max(1, int(batch))] for t in data.train.tensors)
    model = build_model("mlp", cfg.hidden, activation, data.input_shape, data.n_classes)
    model = materialise(model, "cpu")
    init_model(model, scheme, activation, generator=torch.Generator().manual_seed(seed), sample=x)
    layers = stat_layers(model)
    with LayerStats(layers) as stats:
        stats.armed = True
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        measured = stats.collect()
    rows = {key: [] for key in InitReport._fields[:8]}
    for name, (_, module) in layers.items():
        fan_in, fan_out = fans(module.weight)
        rows["names"].append(name)
        rows["fan_in"].append(fan_in)
        rows["fan_out"].append(fan_out)
        rows["weight_std"].append(module.weight.detach().std(unbiased=False).item())
        rows["expected_std"].append(expected_std(scheme, fan_in, fan_out, activation))
        for key in ("act_mean", "act_std", "grad_std"):
            rows[key].append(measured[name][key])
    return InitReport(**rows, loss=loss.item(), seed=seed)


def hist_image(hists, hist_range):
    """Histograms over time as an image: (bin centres, z[bin][sample] = log(1 + count))."""
    n_bins = len(hists[0]) if hists else 0
    low, high = hist_range
    width = (high - low) / n_bins if n_bins else 0.0
    centres = [low + (i + 0.5) * width for i in range(n_bins)]
    z = [[math.log1p(h[b]) for h in hists] for b in range(n_bins)]
    return centres, z


def scale_verdict(stds, means, first_nonfinite=None, weight_stds=None) -> Verdict:
    """Per-layer std/mean -> the first non-finite layer, the layer it became exactly zero, or its final scale.

    `first_nonfinite` (deep_matmul's) wins when given; it is the first layer whose std or vector is non-finite.
    With `weight_stds`, a layer whose weights are all one value (all 0 there) and whose output is exactly 0 is
    "zero_weights": its weights zeroed the signal, nothing underflowed.
    """
    if first_nonfinite is None:
        first_nonfinite = next((k for k, s in enumerate(stds, 1) if not math.isfinite(s)), None)
    if first_nonfinite is not None:
        return Verdict("nonfinite", first_nonfinite, math.nan)
    for layer, (std, mean) in enumerate(zip(stds, means), 1):
        if std == 0 and mean == 0:
            zeroed = weight_stds is not None and weight_stds[layer - 1] == 0
            return Verdict("zero_weights" if zeroed else "vanished", layer, 0.0)
    last = stds[-1]
    low, high = STABLE_BAND
    kind = "stable" if low <= last <= high else ("shrinks" if last < low else "grows")
    return Verdict(kind, len(stds), last)
