"""How the class's warm pool fills: class servers started one after another with WARM_STARTS values, each timed
from its own log (when the first seat was warm, when all were ready). Voila 0.5's pool starts every kernel at
once (WARM_STARTS=0); k > 0 starts k at a time (class/warm_pool.py).

    .venv/bin/python bench/warm_starts.py --size 6 0 2 0 2      # alternate, so machine noise hits both alike
"""
from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from classroom import SEATS_READY, class_server, log_text, wait_for_log  # noqa: E402

FIRST_WARM = re.compile(r"class: 1 of \d+ seats warm after (\d+) s")
ALL_READY = re.compile(r"class: \d+ seats? ready in (\d+) s")


def fill(size: int, warm_starts: int) -> dict:
    """One class server's fill: seconds to its first warm seat and to the whole pool, and the load around it."""
    before = os.getloadavg()[0]
    with class_server(Path(tempfile.mkdtemp(prefix="tp-warm-starts-")), size=size, pool=None,
                      warm_starts=warm_starts, name="warm-starts") as server:
        wait_for_log(server, SEATS_READY, timeout=1200)
        text = log_text(server)
    everyone = int(ALL_READY.search(text).group(1))
    first = FIRST_WARM.search(text)  # no such line when every seat warmed in the same moment
    return {"size": size, "warm_starts": warm_starts, "first_seat_s": int(first.group(1)) if first else everyone,
            "all_ready_s": everyone, "load_average": [round(before, 1), round(os.getloadavg()[0], 1)]}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--size", type=int, default=6, help="seats, all warmed (default %(default)s)")
    p.add_argument("warm_starts", type=int, nargs="+", help="WARM_STARTS values, run in this order")
    args = p.parse_args(argv)
    for warm_starts in args.warm_starts:
        f = fill(args.size, warm_starts)
        print(f"pool {f['size']}, WARM_STARTS={f['warm_starts']}: first seat {f['first_seat_s']} s, "
              f"all {f['all_ready_s']} s (load {f['load_average'][0]:g} → {f['load_average'][1]:g})", flush=True)


if __name__ == "__main__":
    main()
