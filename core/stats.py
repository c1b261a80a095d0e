"""Per-layer activation and gradient statistics, gathered by hooks that are always removed."""
from __future__ import annotations

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
        """Stats of the armed step (call after backward): name -> act_mean, act_std, grad_std, hist."""
        self.armed = False
        rows, hists = [], []
        for name, (_, weight_module) in self.layers.items():
            act = self._acts.get(name)
            grad = weight_module.weight.grad
            act = act.float() if act is not None else torch.full((1,), float("nan"))
            grad_std = grad.float().std() if grad is not None else act.new_tensor(float("nan"))
            rows.append(torch.stack([act.mean(), act.std(unbiased=False), grad_std.to(act.device)]))
            hists.append(_histogram(act))
        self._acts.clear()
        if not rows:
            return {}
        # One transfer for all layers: a .item() per number would sync the device every time.
        values = torch.stack(rows).cpu().tolist()
        counts = torch.stack(hists).cpu().tolist()
        return {
            name: {"act_mean": v[0], "act_std": v[1], "grad_std": v[2], "hist": c}
            for name, v, c in zip(self.layers, values, counts)
        }


def _histogram(values: torch.Tensor) -> torch.Tensor:
    """Counts over HIST_RANGE in HIST_BINS bins, outliers in the end bins (as torch.histc after clamping).

    Written with bincount because CUDA's histc has no deterministic kernel and would refuse to run
    under torch.use_deterministic_algorithms(True).
    """
    low, high = HIST_RANGE
    clean = torch.nan_to_num(values.float(), nan=0.0).clamp(low, high)
    index = ((clean - low) * (HIST_BINS / (high - low))).long().clamp_(0, HIST_BINS - 1)
    return torch.bincount(index.flatten(), minlength=HIST_BINS)
