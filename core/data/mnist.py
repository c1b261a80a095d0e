"""MNIST and Fashion-MNIST: download the IDX files once into a cache folder, then read them."""
import os
import pathlib
import urllib.error
import urllib.request

from ..engine.errors import ConfigError
from .idx import read_idx

MIRRORS = {
    "mnist": ("https://ossci-datasets.s3.amazonaws.com/mnist/",
              "https://storage.googleapis.com/cvdf-datasets/mnist/"),
    "fashion-mnist": ("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",),
}
FILES = {"train_images": "train-images-idx3-ubyte.gz", "train_labels": "train-labels-idx1-ubyte.gz",
         "test_images": "t10k-images-idx3-ubyte.gz", "test_labels": "t10k-labels-idx1-ubyte.gz"}
TITLES = {"mnist": "MNIST", "fashion-mnist": "Fashion-MNIST"}
CLASS_NAMES = {
    "mnist": tuple(str(d) for d in range(10)),
    "fashion-mnist": ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                      "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"),
}
SIZES = {"mnist": (60000, 10000), "fashion-mnist": (60000, 10000)}  # (train file, test file)


def cache_dir(name):
    """The folder for one data set's files: $TP_DATA_DIR/<name>, else ~/.cache/training-playground/<name>."""
    root = os.environ.get("TP_DATA_DIR") or pathlib.Path.home() / ".cache" / "training-playground"
    return pathlib.Path(root) / name


def mirrors(name):
    """Base URLs to fetch one data set from, read at call time: with $TP_MNIST_MIRROR set (one or more
    base URLs, space-separated), <base>/<name>/ for each — a mirror laid out like the cache folder, for
    a classroom server or a test; otherwise the public mirrors."""
    bases = os.environ.get("TP_MNIST_MIRROR", "").split()
    if bases:
        return tuple(base.rstrip("/") + f"/{name}/" for base in bases)
    return MIRRORS[name]


def _download(filename, folder, base_urls, timeout, title):
    """Fetch one file from the first mirror that answers; write it atomically so a broken
    transfer never looks like a cached file."""
    folder.mkdir(parents=True, exist_ok=True)
    target, part = folder / filename, folder / (filename + ".part")
    for base in base_urls:
        try:
            with urllib.request.urlopen(base + filename, timeout=timeout) as response:
                data = response.read()
        except (urllib.error.URLError, OSError, ValueError):
            continue  # this mirror is down or we are offline: try the next one
        if data[:2] != b"\x1f\x8b":
            continue  # not gzip (e.g. a captive portal's web page): keep looking
        part.write_bytes(data)
        os.replace(part, target)
        return
    raise ConfigError("download_failed", title=title)


def load_mnist_arrays(name, base_urls=None, folder=None, timeout=10.0):
    """Return uint8 (train_images, train_labels, test_images, test_labels), downloading missing files.

    base_urls and folder default to mirrors(name) and the cache; tests pass their own.
    A file already in the folder is never fetched again; parsed arrays are cached in memory.
    """
    title = TITLES[name]
    folder = pathlib.Path(folder) if folder is not None else cache_dir(name)
    urls = mirrors(name) if base_urls is None else tuple(base_urls)
    arrays = {}
    for key, filename in FILES.items():
        if not (folder / filename).is_file():
            _download(filename, folder, urls, timeout, title)
        arrays[key] = read_idx(folder / filename)
    _check(arrays, title)
    return arrays["train_images"], arrays["train_labels"], arrays["test_images"], arrays["test_labels"]


def _check(a, title):
    """Refuse files that parse but do not fit together (wrong kind or count of items)."""
    ok = (a["train_images"].ndim == 3 and a["test_images"].ndim == 3
          and a["train_labels"].ndim == 1 and a["test_labels"].ndim == 1
          and len(a["train_images"]) == len(a["train_labels"]) > 0
          and len(a["test_images"]) == len(a["test_labels"]) > 0
          and a["train_images"].shape[1:] == a["test_images"].shape[1:]
          and a["train_images"].dtype.itemsize == 1 and a["train_labels"].max() <= 9
          and a["test_labels"].max() <= 9)
    if not ok:
        raise ConfigError("cache_mismatch", title=title)
