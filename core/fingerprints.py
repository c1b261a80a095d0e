"""Fingerprints (SHA-256) of tensors, models and runs, and the comparison of two runs."""
from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

import numpy as np
import torch


def _tensor_bytes(t: torch.Tensor) -> bytes:
    t = t.detach().to("cpu").contiguous()
    if t.dtype == torch.bfloat16:
        t = t.view(torch.int16)
    return str(t.dtype).encode() + str(tuple(t.shape)).encode() + t.numpy().tobytes()


def _floats_bytes(values) -> bytes:
    return np.asarray([math.nan if v is None else v for v in values], dtype=np.float64).tobytes()


def fingerprint(obj) -> str:
    """Hex SHA-256 of a tensor, a module's state_dict, or a History (final weights + losses)."""
    h = hashlib.sha256()
    if isinstance(obj, torch.Tensor):
        h.update(_tensor_bytes(obj))
    elif isinstance(obj, torch.nn.Module):
        for name, tensor in obj.state_dict().items():
            h.update(name.encode())
            h.update(_tensor_bytes(tensor))
    elif hasattr(obj, "weights_digest") and hasattr(obj, "train_loss"):
        h.update(obj.weights_digest.encode())
        for series in (obj.train_loss, obj.val_loss, obj.val_acc):
            h.update(_floats_bytes(series))
    else:
        raise TypeError(f"cannot fingerprint a {type(obj).__name__}")
    return h.hexdigest()


@dataclass(frozen=True)
class Comparison:
    """How two runs differ: identical?, first differing step (0-based) and largest loss gap."""

    identical: bool
    first_diff_step: int | None
    max_abs_diff: float


def compare(h1, h2) -> Comparison:
    """Compare two Histories step by step; identical means equal fingerprints."""
    a = np.asarray(h1.train_loss, dtype=np.float64)
    b = np.asarray(h2.train_loss, dtype=np.float64)
    n = min(len(a), len(b))
    # NaN == NaN counts as equal here: two runs that diverge identically are reproducible.
    same = (a[:n] == b[:n]) | (np.isnan(a[:n]) & np.isnan(b[:n]))
    diff_steps = np.flatnonzero(~same)
    first = int(diff_steps[0]) if diff_steps.size else (n if len(a) != len(b) else None)
    with np.errstate(invalid="ignore"):
        gaps = np.abs(a[:n] - b[:n])
    finite = gaps[np.isfinite(gaps)]
    max_diff = float(finite.max()) if finite.size else 0.0
    identical = h1.fingerprint == h2.fingerprint
    if identical:
        first = None
    elif first is None:
        first = n  # losses agree but weights differ: the difference lies past the last step
    return Comparison(identical, first, max_diff)
