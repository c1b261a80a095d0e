"""Several runs advanced in turn, one step each, so their live curves grow side by side."""
from __future__ import annotations

import contextlib

from .run import Run, dispatch, drive
from ..data.datasets import load_dataset


class Tagged:
    """Forwards a run's events to a callback with tags added (e.g. run=2, lr=0.1, or fold=1)."""

    def __init__(self, callback, **tags):
        self.callback, self.tags = callback, tags

    def on_step(self, record):
        dispatch(self.callback, "on_step", {**record, **self.tags})

    def on_epoch(self, record):
        dispatch(self.callback, "on_epoch", {**record, **self.tags})

    def on_end(self, history):
        dispatch(self.callback, "on_end", {**self.tags, "history": history})


def run_interleaved(cfgs, callbacks=(), stop=None, generator=None) -> list:
    """Histories of cfgs trained round-robin; `generator`, if given, is shared by all (a demo of why not)."""
    splits = {}  # a sweep's runs differ in their rate: they share one split instead of loading it once a run
    with contextlib.ExitStack() as runs:
        return drive([runs.enter_context(Run(cfg, [Tagged(cb, run=i, lr=cfg.lr) for cb in callbacks], stop,
                                             data=shared_split(cfg.validate(), splits), generator=generator))
                      for i, cfg in enumerate(cfgs)])


def shared_split(cfg, splits: dict):
    """The split Run(cfg) would load, loaded once per distinct key in `splits`; None (Run loads its own) when the
    split seed is drawn fresh. Runs only read their data, so sharing it changes no number."""
    if cfg.seed is None or "split" in cfg.unseeded:
        return None
    key = (str(cfg.dataset), int(cfg.seed), float(cfg.val_fraction), "leaky_normalisation" in cfg.mistakes)
    if key not in splits:
        splits[key] = load_dataset(cfg.dataset, key[1], key[2], leaky=key[3])
    return splits[key]
