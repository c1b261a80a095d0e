"""A 2-D classifier's decision surface: class-1 probability over a grid in the data's own units."""
from __future__ import annotations

import numpy as np
import torch

MARGIN = 0.15  # extra room around the points, as a fraction of their extent, so the boundary has context


def input_points(bundle, split: str = "train"):
    """A split's rows mapped back from standardised to input units: (points (n, 2), labels (n,)) as numpy."""
    x, y = getattr(bundle, split).tensors
    raw = x * bundle.feature_std + bundle.feature_mean
    return raw.numpy(), y.numpy()


def grid_axes(points: np.ndarray, n: int = 50, margin: float = MARGIN):
    """n evenly spaced values along each axis, spanning the points plus a margin."""
    low, high = points.min(axis=0), points.max(axis=0)
    pad = (high - low) * margin
    pad = np.where(pad > 0, pad, 1.0)  # a single point (or a flat feature) still gets a visible area
    return tuple(np.linspace(low[i] - pad[i], high[i] + pad[i], n) for i in range(2))


@torch.no_grad()
def decision_grid(model, bundle, n: int = 50):
    """(xs (n,), ys (n,), probs (n, n)) with probs[i, j] = P(class 1 | xs[j], ys[i]): plotly's z layout."""
    if tuple(bundle.input_shape) != (2,):
        raise ValueError(f"decision_grid needs 2-D inputs, not shape {tuple(bundle.input_shape)}")
    xs, ys = grid_axes(input_points(bundle)[0], n)
    gx, gy = np.meshgrid(xs, ys)  # gx[i, j] = xs[j], gy[i, j] = ys[i]
    grid = torch.tensor(np.stack([gx.ravel(), gy.ravel()], 1), dtype=torch.float32)
    inputs = (grid - bundle.feature_mean) / bundle.feature_std  # the model only ever saw standardised rows
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    try:
        probs = torch.softmax(model(inputs.to(device)), dim=1)[:, 1]
    finally:
        model.train(was_training)
    return xs, ys, probs.cpu().numpy().reshape(n, n)
