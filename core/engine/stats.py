"""Per-layer activation and gradient statistics, gathered by hooks that are always removed."""
from __future__ import annotations

import math

import numpy as np
import torch

HIST_BINS = 40
HIST_RANGE = (-4.0, 4.0)  # signed, so tanh's negative half and ReLU's dead zero both show


class LayerStats:
    """Context manager over a model's layers; setting `armed = True` hooks them for one step.

    Hooks exist only on sampled steps (a hook on every forward pass costs time even when it
    records nothing), and leaving the context removes any that are left, even on an error.
    """

    def __init__(self, layers: dict):
        self.layers = layers  # name -> (block whose output is the activation, weight module)
        self._acts = {}
        self._handles = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.armed = False
        return False

    @property
    def armed(self) -> bool:
        return bool(self._handles)

    @armed.setter
    def armed(self, on: bool):
        if on and not self._handles:
            self._handles = [block.register_forward_hook(self._hook(name))
                             for name, (block, _) in self.layers.items()]
        elif not on:
            for handle in self._handles:
                handle.remove()
            self._handles = []

    def _hook(self, name):
        def hook(module, inputs, output):
            self._acts[name] = output.detach()

        return hook

    def collect(self) -> dict:
        """Stats of the armed step (call after backward): name -> act_mean, act_std, grad_std, hist.

        On the CPU the numbers are computed in NumPy on the same memory (a few microseconds an
        operation instead of torch's ~8: this runs every `stats_every` steps of every run); on a GPU
        they stay on the device and come back in one transfer (a .item() per number would sync it).
        """
        self.armed = False
        acts, grads = [], []
        for name, (_, weight_module) in self.layers.items():
            act = self._acts.get(name)
            acts.append(act.detach() if act is not None else torch.full((1,), float("nan")))
            grad = weight_module.weight.grad
            grads.append(grad.detach() if grad is not None else None)
        self._acts.clear()
        on_cpu = all(a.device.type == "cpu" for a in acts)
        if on_cpu:
            rows = _numpy_stats_all(acts, grads) if acts else []
        else:
            rows = [_torch_stats(a, g) for a, g in zip(acts, grads)]
        if not on_cpu and rows:
            flat = torch.stack([torch.cat([torch.stack(r[:3]), r[3].to(r[0].dtype)]) for r in rows]).cpu().tolist()
            rows = [(*r[:3], [int(c) for c in r[3:]]) for r in flat]
        return {name: {"act_mean": m, "act_std": s, "grad_std": g, "hist": h}
                for name, (m, s, g, h) in zip(self.layers, rows)}


_LOW, _HIGH = np.float32(HIST_RANGE[0]), np.float32(HIST_RANGE[1])
_PER_UNIT = np.float32(HIST_BINS / (HIST_RANGE[1] - HIST_RANGE[0]))


def _numpy_stats(act: torch.Tensor, grad: torch.Tensor | None):
    """(mean, population std, weight-gradient std (n-1), histogram counts) of a CPU activation."""
    return _numpy_stats_all([act], [grad])[0]


def _numpy_stats_all(acts: list, grads: list) -> list:
    """_numpy_stats of every layer at once: one NumPy call per step of the arithmetic for all layers together,
    not one per layer (a sampled step comes every few steps, when NumPy's code is no longer in the CPU's caches,
    so each call costs several times what it costs in a loop).

    Moments from sums in float64 (two BLAS-fast passes), each layer's sum over its own slice: the same
    reductions over the same numbers as one array per layer. The histogram by the same float32 arithmetic as
    _histogram, so the counts are identical; each layer's bins offset by HIST_BINS, so one bincount counts all.
    """
    flat = [a.float().numpy().ravel() for a in acts]
    act_moments = _moments_all(flat, ddof=0)
    grad_moments = iter(_moments_all([g.float().numpy().ravel() for g in grads if g is not None], ddof=1))
    grad_stds = [next(grad_moments)[1] if g is not None else float("nan") for g in grads]
    a = np.concatenate(flat) if len(flat) > 1 else flat[0]
    if not all(math.isfinite(mean) for mean, _ in act_moments):
        # NaN counts as 0 and ±inf in the end bins, as torch.nan_to_num does in _histogram (a finite layer has none)
        a = np.nan_to_num(a, nan=0.0)
    # clip() by its two ufuncs: the same values without ndarray.clip's Python wrapper
    index = ((np.minimum(np.maximum(a, _LOW), _HIGH) - _LOW) * _PER_UNIT).astype(np.int64)
    # clean >= low makes every index >= 0; only clean == high reaches HIST_BINS, which belongs to the last bin
    np.minimum(index, HIST_BINS - 1, out=index)
    if len(flat) > 1:
        index += np.repeat(np.arange(0, HIST_BINS * len(flat), HIST_BINS), [f.size for f in flat])
    counts = np.bincount(index, minlength=HIST_BINS * len(flat)).reshape(len(flat), HIST_BINS).tolist()
    return [(mean, std, grad_std, hist) for (mean, std), grad_std, hist in zip(act_moments, grad_stds, counts)]


def _moments_all(arrays: list, ddof: int) -> list:
    """(mean, std) of each float32 vector, accumulated in float64; std NaN where there are too few values.
    One float64 copy for all; each vector's sums over its own slice (the same sums as over a copy of its own)."""
    if not arrays:
        return []
    v = (np.concatenate(arrays) if len(arrays) > 1 else arrays[0]).astype(np.float64)
    out, start = [], 0
    for values in arrays:
        n, part = values.size, v[start:start + values.size]
        start += n
        if n <= ddof:
            out.append(((float(values.mean()) if n else float("nan")), float("nan")))
            continue
        mean = np.add.reduce(part) / n  # what part.sum() runs (pairwise summation), without its Python wrapper
        centred = part - mean
        out.append((float(mean), float(math.sqrt(np.dot(centred, centred) / (n - ddof)))))
    return out


def _torch_stats(act: torch.Tensor, grad: torch.Tensor | None):
    """The same as tensors on the activation's device (no sync here)."""
    act = act.float()
    grad_std = grad.float().std().to(act.device) if grad is not None else act.new_tensor(float("nan"))
    return act.mean(), act.std(unbiased=False), grad_std, _histogram(act)


def _histogram(values: torch.Tensor) -> torch.Tensor:
    """Counts over HIST_RANGE in HIST_BINS bins, outliers in the end bins (as torch.histc after clamping).

    Written with bincount because CUDA's histc has no deterministic kernel and would refuse to run
    under torch.use_deterministic_algorithms(True).
    """
    low, high = HIST_RANGE
    clean = torch.nan_to_num(values.float(), nan=0.0).clamp(low, high)
    index = ((clean - low) * (HIST_BINS / (high - low))).long().clamp_(0, HIST_BINS - 1)
    return torch.bincount(index.flatten(), minlength=HIST_BINS)
