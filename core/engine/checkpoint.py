"""Checkpoints of a Run: the parts of its state a resume needs, saved as plain tensors and dicts."""
from __future__ import annotations

import torch

from .errors import ConfigError

STATE_PARTS = ("model", "optimizer", "generators", "position")  # what a checkpoint may hold


def check_parts(keep) -> tuple:
    """`keep` as a tuple of STATE_PARTS, or ConfigError naming the allowed parts."""
    if isinstance(keep, str) or not all(part in STATE_PARTS for part in keep):
        raise ConfigError("checkpoint_parts", parts=", ".join(STATE_PARTS))
    return tuple(part for part in STATE_PARTS if part in keep)


def run_state(run, keep=STATE_PARTS) -> dict:
    """The named parts of a paused run's state: tensors, numbers and dicts only (torch.load(weights_only=True) reads them)."""
    state = {}
    for part in check_parts(keep):
        if part == "model":
            state["model"] = {k: v.detach().cpu() for k, v in run.model.state_dict().items()}
        elif part == "optimizer":
            opt = run.optimizer
            # momentum buffers (SGD) or moments and step counts (Adam): plain SGD has none
            state["optimizer"] = {"lr": float(opt.param_groups[0]["lr"]),
                                  "buffers": {i: t.cpu() for i, t in getattr(opt, "buffers", {}).items()},
                                  "state": {i: {k: v.cpu() if torch.is_tensor(v) else v for k, v in s.items()}
                                            for i, s in getattr(opt, "state", {}).items()}}
        elif part == "generators":
            # every stream the run draws from: the batch order's generator and dropout's stream
            stream = run.dropout
            state["generators"] = {"order": run.order_gen.get_state(),
                                   "dropout": {"cpu": stream.cpu_state.clone(), "cuda": stream.cuda_state}}
        else:  # the epoch's shuffled order and how far the run got through it
            rest = list(run._batches)
            run._batches = iter(rest)  # reading the iterator used it up: hand the same batches back
            batches = torch.cat(rest).cpu() if rest else torch.empty(0, dtype=torch.int64)
            state["position"] = {"step": run.step_index, "epoch": run.epoch, "batches": batches}
    return state


def load_run_state(run, state: dict):
    """Put a run_state into a fresh, not yet stepped Run built from the same config."""
    if "model" in state:
        run.model.load_state_dict(state["model"])
    if "optimizer" in state:
        opt, saved, device = run.optimizer, state["optimizer"], run.device
        run.set_lr(saved["lr"])
        if hasattr(opt, "buffers"):
            opt.buffers = {int(i): t.to(device) for i, t in saved["buffers"].items()}
        if hasattr(opt, "state"):
            opt.state = {int(i): {k: v.to(device) if torch.is_tensor(v) else v for k, v in s.items()}
                         for i, s in saved["state"].items()}
    if "generators" in state:
        run.order_gen.set_state(state["generators"]["order"])
        dropout = state["generators"].get("dropout")  # absent in a checkpoint saved before dropout's stream was
        if dropout is not None:
            run.dropout.cpu_state, run.dropout.cuda_state = dropout["cpu"].clone(), dropout["cuda"]
    if "position" in state:
        pos = state["position"]
        run.step_index, run.epoch = int(pos["step"]), int(pos["epoch"])
        run._batches = iter(pos["batches"].to(run.device).split(run.batch_size)) if len(pos["batches"]) else iter(())


def save_checkpoint(run, path, keep=STATE_PARTS):
    """torch.save the kept parts of `run`'s state to `path`."""
    torch.save(run_state(run, keep), path)


def load_checkpoint(run, path):
    """Read a checkpoint with torch.load(weights_only=True) (no code runs) and load it into `run`."""
    load_run_state(run, torch.load(path, map_location="cpu", weights_only=True))
