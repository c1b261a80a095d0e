"""Run a measurement on this checkout, or on several checkouts alternately (`script.py BEFORE AFTER BEFORE AFTER`):
each in a fresh process, so that two checkouts' `core` packages never meet in one interpreter."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def measure_checkouts(measure, script: str) -> None:
    """`measure(root) -> str` for each checkout named on the command line (this one when none is)."""
    roots = sys.argv[1:] or [str(Path(script).resolve().parents[1])]
    if len(roots) == 1:
        print(measure(roots[0]))
        return
    for root in roots:
        subprocess.run([sys.executable, script, root], check=True)
