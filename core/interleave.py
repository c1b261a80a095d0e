"""Several runs advanced in turn, one step each, so their live curves grow side by side."""
from __future__ import annotations

from .seeding import deterministic_mode
from .training import Run


class Tagged:
    """Forwards a run's events to a callback with tags added (e.g. run=2, lr=0.1, or fold=1)."""

    def __init__(self, callback, **tags):
        self.callback, self.tags = callback, tags

    def _send(self, event, payload):
        method = getattr(self.callback, event, None)
        if method is None and event == "on_step" and callable(self.callback):
            method = self.callback
        if method is not None:
            method(payload)

    def on_step(self, record):
        self._send("on_step", {**record, **self.tags})

    def on_epoch(self, record):
        self._send("on_epoch", {**record, **self.tags})

    def on_end(self, history):
        self._send("on_end", {**self.tags, "history": history})


def run_interleaved(cfgs, callbacks=(), stop=None, generator=None) -> list:
    """Histories of cfgs trained round-robin; `generator`, if given, is shared by all (a demo of why not)."""
    with deterministic_mode(any(c.deterministic for c in cfgs)):
        runs = []
        try:
            for i, cfg in enumerate(cfgs):
                runs.append(Run(cfg, [Tagged(cb, run=i, lr=cfg.lr) for cb in callbacks], stop, generator=generator))
            active = list(runs)
            while active:
                active = [run for run in active if run.step()]
        finally:
            for run in runs:
                run.close()
    return [run.history for run in runs]
