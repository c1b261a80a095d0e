"""Dev-only: write core/data/assets/digits.npz from scikit-learn's load_digits (never a run-time dependency).

Run from the repo root in a scratch venv that has scikit-learn:
    python3 -m venv /tmp/skl && /tmp/skl/bin/pip install scikit-learn numpy
    /tmp/skl/bin/python tools/make_digits.py
"""
import hashlib
import pathlib

import numpy as np
from sklearn.datasets import load_digits

OUT = pathlib.Path(__file__).resolve().parent.parent / "core" / "assets" / "digits.npz"


def main():
    """Write the npz and print the checksums that SOURCE.md records."""
    bunch = load_digits()
    images = bunch.images.astype(np.uint8)  # pixel counts 0..16, exact in uint8
    labels = bunch.target.astype(np.uint8)
    assert images.shape == (1797, 8, 8) and images.max() == 16 and labels.max() == 9
    np.savez_compressed(OUT, images=images, labels=labels)
    # the zip inside an npz stores a timestamp, so also record a hash of the array bytes,
    # which is the same every time the script is run
    content = hashlib.sha256(images.tobytes() + labels.tobytes()).hexdigest()
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")
    print("file sha256:   ", hashlib.sha256(OUT.read_bytes()).hexdigest())
    print("content sha256:", content)


if __name__ == "__main__":
    main()
