"""Closed forms behind initialisation: the std each scheme should give, and kaiming_uniform written out.

The gains, fans and scheme parameters themselves live in core.plain, beside the samplers."""
import math

import torch

from ...engine.errors import ConfigError
from ...plain import INIT_SCHEMES, SPARSE_STD, SPARSITY, TRUNC_BOUND, TRUNC_STD, UNIFORM_BOUND, calculate_gain, fans

SYMMETRIC_SCHEMES = ("zeros", "ones", "constant")  # schemes that give every unit the same weights (std 0)


def kaiming_uniform_scratch(shape, a=0, nonlinearity="leaky_relu", generator=None):
    """He/Kaiming uniform init written out: U(-b, b) with b = gain * sqrt(3 / fan_in)."""
    weight = torch.empty(shape)
    fan_in, _ = fans(weight)
    std = calculate_gain(nonlinearity, a) / math.sqrt(fan_in)
    # U(-b, b) has std b/sqrt(3); same arithmetic order as torch, so the draw is bitwise equal
    bound = math.sqrt(3.0) * std
    with torch.no_grad():
        return weight.uniform_(-bound, bound, generator=generator)


def _trunc_normal_std():
    """Std of N(0, s^2) truncated to [-b, b]: s * sqrt(1 - 2 beta phi(beta) / Z), beta = b/s."""
    beta = TRUNC_BOUND / TRUNC_STD
    phi = math.exp(-beta**2 / 2) / math.sqrt(2 * math.pi)
    mass = math.erf(beta / math.sqrt(2))  # P(|z| <= beta)
    return TRUNC_STD * math.sqrt(1 - 2 * beta * phi / mass)


def expected_std(scheme, fan_in, fan_out, activation, receptive_field=1):
    """Closed-form std of the weights a scheme draws (population std, ddof=0); None if data-dependent.

    `receptive_field` is the kernel size (kh*kw) for a conv, 1 for Linear; only the schemes that
    work on the (out, in*k) matrix view need it: orthogonal and sparse.
    pytorch_default: 1/sqrt(3 fan_in) (kaiming_uniform with a=sqrt(5), activation ignored).
    kaiming_*: gain/sqrt(fan_in); xavier_*: gain*sqrt(2/(fan_in+fan_out)).
    orthogonal: gain*Q with sum(Q^2) = min(rows, cols), so the rms is gain/sqrt(max(rows, cols)).
    eye/dirac: min(out, in) ones among the entries, a fraction p = 1/max(fan_in, fan_out);
    std sqrt(p(1-p)). sparse: SPARSE_STD*sqrt(kept fraction), torch zeroes ceil(s*rows) per column.
    trunc_normal: the exact truncated-normal std. zeros/ones/constant: 0. lsuv: None.
    """
    gain = calculate_gain(activation)
    rows, cols = fan_out // receptive_field, fan_in
    if scheme == "pytorch_default":
        return 1 / math.sqrt(3 * fan_in)
    if scheme in SYMMETRIC_SCHEMES:
        return 0.0
    if scheme == "normal_0.01":
        return 0.01
    if scheme == "normal":
        return 1.0
    if scheme == "uniform":
        return UNIFORM_BOUND / math.sqrt(3)
    if scheme in ("xavier_uniform", "xavier_normal"):
        return gain * math.sqrt(2 / (fan_in + fan_out))
    if scheme in ("kaiming_uniform", "kaiming_normal"):
        return gain / math.sqrt(fan_in)
    if scheme == "orthogonal":
        return gain / math.sqrt(max(rows, cols))
    if scheme in ("eye", "dirac"):
        p = 1 / max(fan_in, fan_out)
        return math.sqrt(p * (1 - p))
    if scheme == "sparse":
        return SPARSE_STD * math.sqrt((rows - math.ceil(SPARSITY * rows)) / rows)
    if scheme == "trunc_normal":
        return _trunc_normal_std()
    if scheme == "lsuv":
        return None
    raise ConfigError("unknown_init", value=scheme, options=", ".join(INIT_SCHEMES))
