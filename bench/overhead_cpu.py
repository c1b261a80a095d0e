"""overhead_ratio_same_optimizer in CPU time: on a busy machine wall-clock ratios of 0.07 s runs are noise.

Torch on one thread, 15 alternating pairs of `train(RunConfig())` (with a streaming callback) and
bench/bare.py's loop with core's SGD; prints the ratio of the medians of `time.thread_time`.
Usage: .venv/bin/python bench/overhead_cpu.py [CHECKOUT ...]  (default: this one; several: each in turn, so
two checkouts can be compared alternately in one command)."""
from __future__ import annotations

import statistics
import sys
import time

from checkouts import measure_checkouts

PAIRS = 15


def measure(root: str) -> str:
    sys.path[:0] = [root, f"{root}/bench"]
    import torch

    torch.set_num_threads(1)  # thread_time sees this thread only
    from bare import bare_loop
    from core import RunConfig, train
    from core.engine.optimizers import SGD

    cfg, sink, train_s, bare_s = RunConfig(), [], [], []
    train(cfg), bare_loop(cfg, SGD)  # warm both paths
    for _ in range(PAIRS):
        start = time.thread_time()
        train(cfg, callbacks=[sink.append])
        train_s.append(time.thread_time() - start)
        start = time.thread_time()
        bare_loop(cfg, SGD)
        bare_s.append(time.thread_time() - start)
    t, b = statistics.median(train_s), statistics.median(bare_s)
    return f"{root}: cpu overhead ratio {t / b:.3f} (train {t * 1e3:.1f} ms, bare {b * 1e3:.1f} ms)"


if __name__ == "__main__":
    measure_checkouts(measure, __file__)
