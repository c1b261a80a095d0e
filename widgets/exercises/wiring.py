"""Where each lesson's exercise actions live on its panel: the widgets a prediction unlocks, the button whose
click is the run, and where the panel keeps the result the measurement reads (None while there is none)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from core import devices


def _complete(histories):
    """Histories of a run that finished (a stopped run is not the run the learner predicted)."""
    return histories if histories and not any(h.stopped for h in histories) else None


def _sweep(panel):
    return _complete([panel.results[s] for s in range(4)] if all(s in panel.results for s in range(4)) else None)


def _twice(panel):
    r = panel.result
    return r if r is not None and _complete(r[:2]) else None


def _devices(panel):
    # the facts the GPU panel shows after Refresh, and the device a run with device="auto" would get here
    return {"info": panel.info, "memory": panel.memory, "auto": devices.resolve_device("auto").type}


@dataclass(frozen=True)
class Wiring:
    """button(panel): the Run button whose click is the action (None: the exercise card brings its own);
    result(panel): what the measurement reads; gates(panel): further controls locked until a prediction."""

    button: Callable | None
    result: Callable
    gates: Callable = lambda panel: []


WIRING = {
    ("lr", "run"): Wiring(lambda p: p.run, _sweep),
    ("init", "look"): Wiring(lambda p: p.run, lambda p: p.report),
    ("seeds", "run"): Wiring(lambda p: p.run, _twice),
    ("train", "play"): Wiring(lambda p: p.play,
                              lambda p: p.current.history if p.current is not None and p.current.done else None),
    # the losses panel redraws as its scale moves: the card's own button checks the scale the learner set
    ("losses", "draw"): Wiring(None, lambda p: p.result, lambda p: [p.scale, p.scale_text, p.target]),
    ("gpu", "refresh"): Wiring(lambda p: p.run, _devices),
    ("loop", "run"): Wiring(lambda p: p.run, lambda p: _complete(p.histories)),
}
