"""Weight-initialisation schemes by name, and init_model that applies one to every layer."""
import math

import torch
from torch import nn
from torch.nn import init

from core.activations import LEAKY_SLOPE
from core.errors import ConfigError
from core.gains import (CONSTANT_VALUE, SPARSE_STD, SPARSITY, TRUNC_BOUND, TRUNC_STD,
                        UNIFORM_BOUND, calculate_gain, expected_std, fans,
                        kaiming_uniform_scratch)
from core.seeding import fresh_seed

__all__ = ["INIT_SCHEMES", "init_model", "calculate_gain", "expected_std", "fans",
           "kaiming_uniform_scratch"]

LAYER_TYPES = (nn.Linear, nn.Conv1d, nn.Conv2d)
# torch's kaiming_* only knows torch's names; gelu borrows relu's gain (see calculate_gain)
_TORCH_NONLINEARITY = {"gelu": "relu", "identity": "linear"}


def _pytorch_default(weight, bias, activation, generator):
    """Exactly nn.Linear/nn.Conv*d.reset_parameters, drawn from `generator`; activation is ignored."""
    with torch.no_grad():
        init.kaiming_uniform_(weight, a=math.sqrt(5), generator=generator)
        if bias is not None:
            fan_in, _ = fans(weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(bias, -bound, bound, generator=generator)


def _kaiming(sampler):
    """Fill with torch's kaiming sampler in fan_in mode for the layer's activation."""
    def fill(w, act, g):
        name = _TORCH_NONLINEARITY.get(act, act)
        slope = LEAKY_SLOPE if name == "leaky_relu" else 0
        sampler(w, a=slope, mode="fan_in", nonlinearity=name, generator=g)
    return fill


def _eye_or_dirac(w, act, g):
    """Identity map: eye_ for a matrix, dirac_ for a conv kernel (each is defined for one only)."""
    if w.dim() == 2:
        init.eye_(w)
    else:
        init.dirac_(w)


def _sparse(w, act, g):
    """Martens' sparse init like torch's sparse_, whose permutations ignore `generator`."""
    w2 = w.view(w.shape[0], -1)  # a conv kernel as its (out, in*k) matrix, sharing storage
    rows, cols = w2.shape
    w2.normal_(0, SPARSE_STD, generator=g)
    # a random permutation per column, as sparse_ does, but drawn from our generator
    zero_rows = torch.rand(rows, cols, generator=g, device=w.device).argsort(dim=0)
    w2.scatter_(0, zero_rows[: math.ceil(SPARSITY * rows)], 0.0)


def _orthogonal(w, act, g):
    """Scaled (semi-)orthogonal matrix over the (out, in*k) view."""
    init.orthogonal_(w, gain=calculate_gain(act), generator=g)


def _weights_only(fill):
    """Turn a weight filler into a scheme; the bias starts at zero, as in every scheme but the default."""
    def scheme(weight, bias, activation, generator):
        with torch.no_grad():
            fill(weight, activation, generator)
            if bias is not None:
                bias.zero_()
    return scheme


INIT_SCHEMES = {
    "pytorch_default": _pytorch_default,
    "zeros": _weights_only(lambda w, act, g: init.zeros_(w)),
    "normal_0.01": _weights_only(lambda w, act, g: init.normal_(w, 0.0, 0.01, generator=g)),
    "xavier_uniform": _weights_only(
        lambda w, act, g: init.xavier_uniform_(w, calculate_gain(act), generator=g)),
    "xavier_normal": _weights_only(
        lambda w, act, g: init.xavier_normal_(w, calculate_gain(act), generator=g)),
    "kaiming_uniform": _weights_only(_kaiming(init.kaiming_uniform_)),
    "kaiming_normal": _weights_only(_kaiming(init.kaiming_normal_)),
    "orthogonal": _weights_only(_orthogonal),
    # the per-layer part of LSUV; init_model then rescales each layer on a data batch
    "lsuv": _weights_only(_orthogonal),
    "uniform": _weights_only(
        lambda w, act, g: init.uniform_(w, -UNIFORM_BOUND, UNIFORM_BOUND, generator=g)),
    "normal": _weights_only(lambda w, act, g: init.normal_(w, 0.0, 1.0, generator=g)),
    "ones": _weights_only(lambda w, act, g: init.ones_(w)),
    "constant": _weights_only(lambda w, act, g: init.constant_(w, CONSTANT_VALUE)),
    "eye": _weights_only(_eye_or_dirac),
    "dirac": _weights_only(_eye_or_dirac),
    "sparse": _weights_only(_sparse),
    "trunc_normal": _weights_only(lambda w, act, g: init.trunc_normal_(
        w, 0.0, TRUNC_STD, -TRUNC_BOUND, TRUNC_BOUND, generator=g)),
}


def _apply(scheme_fn, layer, activation, generator):
    """Run one scheme on a layer, drawing on the generator's device."""
    weight, bias = layer.weight, layer.bias
    if weight.device == generator.device:
        scheme_fn(weight, bias, activation, generator)
        return
    # draw on the generator's device and copy: one seed gives the same weights on CPU and GPU
    w = torch.empty(weight.shape, dtype=weight.dtype, device=generator.device)
    b = None if bias is None else torch.empty(bias.shape, dtype=bias.dtype, device=generator.device)
    scheme_fn(w, b, activation, generator)
    with torch.no_grad():
        weight.copy_(w)
        if bias is not None:
            bias.copy_(b)


def _lsuv_rescale(model, layers, sample, tol=0.05, max_iter=10):
    """Scale each layer in turn so its output std on `sample` is 1 (Mishkin & Matas, LSUV)."""
    modes = [(m, m.training) for m in model.modules()]
    model.eval()  # calibrate the deterministic forward pass: no dropout, frozen batch-norm stats
    try:
        for layer in layers:
            seen = {}
            handle = layer.register_forward_hook(
                lambda mod, inp, out: seen.__setitem__("std", out.std().item()))
            try:
                for _ in range(max_iter):
                    with torch.no_grad():
                        model(sample)
                    std = seen.get("std", 1.0)  # a layer the forward pass skips is left alone
                    if abs(std - 1) < tol or not math.isfinite(std) or std == 0:
                        break
                    with torch.no_grad():
                        layer.weight.div_(std)
            finally:
                handle.remove()
    finally:
        for module, mode in modes:
            module.training = mode


def init_model(model, scheme, activation, generator=None, sample=None):
    """Initialise every Linear/Conv1d/Conv2d of `model` in place with a named scheme; return the model."""
    if scheme not in INIT_SCHEMES:
        raise ConfigError(f"Unknown init scheme {scheme!r}; choose one of: {', '.join(INIT_SCHEMES)}.")
    calculate_gain(activation)  # an unknown activation fails here, before any weight changes
    if scheme == "lsuv" and sample is None:
        raise ConfigError("LSUV needs a batch of data to calibrate on.")
    if generator is None:
        # unseeded, yet without drawing from (and so shifting) torch's global RNG stream
        generator = torch.Generator().manual_seed(fresh_seed())
    layers = [m for m in model.modules() if isinstance(m, LAYER_TYPES)]
    for layer in layers:
        _apply(INIT_SCHEMES[scheme], layer, activation, generator)
    if scheme == "lsuv":
        _lsuv_rescale(model, layers, sample)
    return model
