"""Activation registry: the dropdown's names mapped to fresh nn.Module factories."""
from torch import nn

# PyTorch's own default slope; calculate_gain("leaky_relu") assumes the same value.
LEAKY_SLOPE = 0.01

# Zero-argument factories (not instances) so every layer gets its own module.
ACTIVATIONS = {
    "relu": nn.ReLU,
    "leaky_relu": lambda: nn.LeakyReLU(LEAKY_SLOPE),
    "tanh": nn.Tanh,
    "sigmoid": nn.Sigmoid,
    "linear": nn.Identity,
    "gelu": nn.GELU,
    "selu": nn.SELU,
}
