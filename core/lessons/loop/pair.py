"""The correct loop and the same loop with mistakes, trained side by side."""
from __future__ import annotations

from ...engine.config import RunConfig
from ...engine.interleave import run_interleaved
from ...engine.mistakes import check_mistakes


def run_with_mistakes(cfg: RunConfig, mistakes, callbacks=(), stop=None) -> list:
    """[correct History, History with `mistakes`], stepped in turn (events tagged run=0 and run=1)."""
    mistakes = check_mistakes(mistakes)
    return run_interleaved([cfg.replace(mistakes=()), cfg.replace(mistakes=mistakes)], callbacks, stop)
