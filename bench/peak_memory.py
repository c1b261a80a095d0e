"""Peak resident memory of the largest run the work limits allow, in a fresh process per case.

    .venv/bin/python bench/peak_memory.py

Two hidden layers of 2,150 on digits with Adam is just under MAX_PARAMETERS; batch 16 and 1,000
bracket the batch sizes a learner can pick. Each case runs one epoch of core.train in its own process
and prints ru_maxrss (docs/serving.md quotes these figures)."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASE = """
import resource, sys
sys.path.insert(0, {root!r})
from core import RunConfig, train
cfg = RunConfig(dataset="digits", hidden=(2150, 2150), optimizer="adam", epochs=1, batch_size={batch})
cfg.validate()
train(cfg)
print(round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))
"""


def peak_mb(batch: int) -> int:
    done = subprocess.run([sys.executable, "-c", CASE.format(root=str(ROOT), batch=batch)],
                          capture_output=True, text=True, check=True)
    return int(done.stdout.split()[-1])


if __name__ == "__main__":
    for batch in (16, 1000):
        print(f"hidden 2150 x 2150, digits, Adam, batch {batch}: peak {peak_mb(batch)} MB resident")
