"""Several runs advanced in turn, one step each, so their live curves grow side by side."""
from __future__ import annotations

import contextlib

from .run import Run, dispatch, drive


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
    with contextlib.ExitStack() as runs:
        return drive([runs.enter_context(Run(cfg, [Tagged(cb, run=i, lr=cfg.lr) for cb in callbacks], stop,
                                             generator=generator))
                      for i, cfg in enumerate(cfgs)])
