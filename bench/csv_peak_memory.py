"""Peak resident memory of the worst CSV run the work limits accept (issue 23.2), in a fresh process per shape.

    .venv/bin/python bench/csv_peak_memory.py

A 5 MB upload (the upload limit) of at most MAX_CSV_ROWS rows and MAX_CLASSES labels, with 2 or 24 feature
columns; two hidden layers of 2,000 with Adam (just under MAX_PARAMETERS), the largest batch MAX_BATCH_VALUES
allows. Three training steps and two evaluation chunks reach the run's peak (later steps repeat the first);
each case prints ru_maxrss after the imports, after Run() read the file and built the model, and at the end."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASE = """
import os, resource, sys, tempfile
sys.path.insert(0, {root!r})
import torch
torch.set_num_threads(1)
from core import MAX_BATCH_VALUES, MAX_CLASSES, MAX_CSV_ROWS, Run, RunConfig
from core.engine.work import values_per_row

def peak():
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)

imports = peak()
cols, path = {cols}, os.path.join(tempfile.mkdtemp(), "worst.csv")
with open(path, "w") as f:
    f.write(",".join(f"x{{i}}" for i in range(cols)) + ",label\\n")
    size, rows = 0, 0
    while rows < MAX_CSV_ROWS:
        line = ",".join(str((rows + i) % 7) for i in range(cols)) + f",{{rows % MAX_CLASSES}}\\n"
        if size + len(line) > 5 * 2**20 - 2000:
            break
        f.write(line)
        size, rows = size + len(line), rows + 1
hidden = (2000, 2000)
batch = MAX_BATCH_VALUES // values_per_row("mlp", hidden, (cols,), MAX_CLASSES)
run = Run(RunConfig(dataset=path, hidden=hidden, optimizer="adam", lr=1e-3, batch_size=batch, epochs=1))
built = peak()
for _ in range(3):
    run.step()
x, y = run.val
run.evaluate(x[:2048], y[:2048])
run.close()
print(rows, size, batch, imports, built, peak())
"""


def case(cols: int) -> list:
    done = subprocess.run([sys.executable, "-c", CASE.format(root=str(ROOT), cols=cols)],
                          capture_output=True, text=True, check=True)
    return [int(v) for v in done.stdout.split()[-6:]]


if __name__ == "__main__":
    for cols in (2, 24):
        rows, size, batch, imports, built, peak = case(cols)
        print(f"{cols} columns, {rows:,} rows ({size / 2**20:.1f} MB), batch {batch:,}: {imports} MB after imports, "
              f"{built} MB once read and built, {peak} MB peak")
