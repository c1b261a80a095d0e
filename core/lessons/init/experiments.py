"""The course's initialisation experiments, each drawing only from a private seeded generator."""
import math
from typing import List, NamedTuple, Optional

import torch
from torch import nn

from ...engine.errors import ConfigError
from ...plain import init_model
from ..losses.formulas import mse


class MatmulStats(NamedTuple):
    """Per-layer statistics of x in the deep-matmul experiment."""
    means: List[float]
    stds: List[float]
    first_nonfinite: Optional[int]  # 1-based layer where x or its std (the chart) is first inf/nan, or None
    vector_nonfinite: Optional[int] = None  # 1-based layer where x itself first holds inf/nan, or None


class Moments(NamedTuple):
    """Monte-Carlo estimates of E[y] and E[y^2]."""
    mean: float
    mean_sq: float


class ConvStackStats(NamedTuple):
    """Activation and gradient scale of the four-conv stack under one init scheme."""
    layer_stds: List[float]  # std of each conv layer's output (before its ReLU)
    out_std: float
    first_grad_std: float    # std of the first conv layer's weight gradient


def _generator(seed):
    """A private CPU generator: the experiment never moves torch's global RNG."""
    return torch.Generator().manual_seed(seed)


MATMUL_DEPTH = 100  # the course's experiment: x <- A·x a hundred times (and the most layers the sandbox runs) ...
MATMUL_WIDTH = 512  # ... with 512×512 matrices
MAX_MATMUL_WIDTH = 1024  # twice the course's: a layer is a width x width matrix drawn fresh


def _whole_in(value, limit) -> bool:
    return not isinstance(value, bool) and isinstance(value, int) and 1 <= value <= limit


def deep_matmul(depth=MATMUL_DEPTH, width=MATMUL_WIDTH, scale=1.0, relu=False, seed=0, stop=None):
    """x <- A_k @ x for k = 1..depth with fresh A_k ~ N(0, scale^2) (width x width), x0 ~ N(0, I).

    x is one float32 vector of length `width`, as in the course. With relu=True each step is
    x <- relu(A_k @ x). The std of x grows by scale*sqrt(width) per layer (times sqrt(1/2) after
    ReLU), so scale=1 overflows float32 near layer 28 and scale=0.01 underflows to exact zeros.
    The std is computed in float32 like x: its mean's plain sum adds entries near ±3e38, reaches +inf and
    −inf, and inf − inf is NaN, a layer before any entry of x overflows. first_nonfinite names the layer
    where the std (what the chart shows) is first non-finite; vector_nonfinite the one where x itself is.
    """
    if not _whole_in(depth, MATMUL_DEPTH):
        raise ConfigError("matmul_depth", limit=MATMUL_DEPTH)
    if not _whole_in(width, MAX_MATMUL_WIDTH):
        raise ConfigError("matmul_width", limit=MAX_MATMUL_WIDTH)
    g = _generator(seed)
    x = torch.randn(width, generator=g)
    means, stds, first_nonfinite, vector_nonfinite = [], [], None, None
    for layer in range(1, depth + 1):
        if stop is not None and stop.is_set():
            break
        a = torch.randn(width, width, generator=g) * scale
        x = a @ x
        if relu:
            x = x.clamp_min(0)
        means.append(x.mean().item())
        stds.append(x.std().item())
        if vector_nonfinite is None and not bool(torch.isfinite(x).all()):
            vector_nonfinite = layer
        if first_nonfinite is None and (vector_nonfinite is not None or not math.isfinite(stds[-1])):
            first_nonfinite = layer
    return MatmulStats(means, stds, first_nonfinite, vector_nonfinite)


def product_moments(n=10000, relu=False, seed=0):
    """Mean and mean square of y = a*x (or relu(a*x)) over n draws of scalar a, x ~ N(0, 1).

    Exact values: E[y] = 0, E[y^2] = 1; after ReLU E[y] = 1/pi, E[y^2] = 1/2.
    """
    g = _generator(seed)
    a = torch.randn(n, generator=g)
    x = torch.randn(n, generator=g)
    y = a * x
    if relu:
        y = y.clamp_min(0)
    return Moments(y.mean().item(), (y**2).mean().item())


def conv_stack(generator):
    """The lesson's four stride-2 convs (fastai 02a_why_sqrt5), then average pool to one number."""
    convs = [(1, 8, 5), (8, 16, 3), (16, 32, 3), (32, 1, 3)]
    layers = []
    for i, (c_in, c_out, k) in enumerate(convs):
        # skip_init builds without PyTorch's default draw, which would use the global RNG
        layers.append(nn.utils.skip_init(nn.Conv2d, c_in, c_out, k, stride=2, padding=k // 2))
        if i < len(convs) - 1:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten())


def conv_stack_stats(init="pytorch_default", seed=0, inputs=None):
    """Forward and backward one batch through conv_stack initialised with `init`; report scales.

    `inputs` is an (N, 1, H, W) normalised batch; by default 100 images of N(0, 1) pixels, 28x28
    like normalised MNIST. Targets are random digit labels 0..9 as floats and the loss is MSE,
    as in the lesson, so the gradient reaching the first layer is comparable across schemes.
    """
    g = _generator(seed)
    if inputs is None:
        inputs = torch.randn(100, 1, 28, 28, generator=g)
    targets = torch.randint(0, 10, (inputs.shape[0],), generator=g).float()
    model = init_model(conv_stack(g), init, "relu", generator=g)
    convs = [m for m in model if isinstance(m, nn.Conv2d)]
    layer_stds = []
    handles = [c.register_forward_hook(lambda m, i, o: layer_stds.append(o.std().item()))
               for c in convs]
    try:
        out = model(inputs)
    finally:
        for h in handles:
            h.remove()
    mse(out.squeeze(-1), targets).backward()
    return ConvStackStats(layer_stds, out.std().item(), convs[0].weight.grad.std().item())
