"""Fingerprints (SHA-256) of tensors, models and runs, and the comparison of two runs."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import torch

from ..plain import module_digest, run_digest, tensor_bytes


def fingerprint(obj) -> str:
    """Hex SHA-256 of a tensor, a module's state_dict, or a History (final weights + losses)."""
    if isinstance(obj, torch.Tensor):
        return hashlib.sha256(tensor_bytes(obj)).hexdigest()
    if isinstance(obj, torch.nn.Module):
        return module_digest(obj)
    if hasattr(obj, "weights_digest") and hasattr(obj, "train_loss"):
        return run_digest(obj.weights_digest, obj.train_loss, obj.val_loss, obj.val_acc)
    raise TypeError(f"cannot fingerprint a {type(obj).__name__}")


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
