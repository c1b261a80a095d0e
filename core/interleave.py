"""Several runs advanced in turn, one step each, so their live curves grow side by side."""
from __future__ import annotations

from .seeding import deterministic_mode
from .training import Run


class Tagged:
    """Forwards a run's events to a callback with the run's index and learning rate added."""

    def __init__(self, callback, index, lr):
        self.callback, self.index, self.lr = callback, index, lr

    def _send(self, event, payload):
        method = getattr(self.callback, event, None)
        if method is None and event == "on_step" and callable(self.callback):
            method = self.callback
        if method is not None:
            method(payload)

    def on_step(self, record):
        self._send("on_step", {**record, "run": self.index, "lr": self.lr})

    def on_epoch(self, record):
        self._send("on_epoch", {**record, "run": self.index, "lr": self.lr})

    def on_end(self, history):
        self._send("on_end", {"run": self.index, "lr": self.lr, "history": history})


def run_interleaved(cfgs, callbacks=(), stop=None, generator=None) -> list:
    """Histories of cfgs trained round-robin; `generator`, if given, is shared by all (a demo of why not)."""
    with deterministic_mode(any(c.deterministic for c in cfgs)):
        runs = []
        try:
            for i, cfg in enumerate(cfgs):
                runs.append(Run(cfg, [Tagged(cb, i, cfg.lr) for cb in callbacks], stop, generator=generator))
            active = list(runs)
            while active:
                active = [run for run in active if run.step()]
        finally:
            for run in runs:
                run.close()
    return [run.history for run in runs]
