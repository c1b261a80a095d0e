"""IDX reading and the MNIST cache/download, on small files the tests write (no internet)."""
import functools
import gzip
import http.server
import struct
import threading

import numpy as np
import pytest
import torch

from core.data import mnist
from core.data.datasets import load_dataset
from core.engine.errors import ConfigError
from core.data.idx import read_idx
from core.plain import IDX_DTYPES, counts

CLOSED = "http://127.0.0.1:9/"  # the discard port: nothing listens, so a connection is refused at once
IDX_CODES = {np.dtype(v).str: k for k, v in IDX_DTYPES.items()}  # numpy type -> IDX's third magic byte


def write_idx(path, array):
    """Write a numpy array as an IDX file (gzip'd if the name ends in .gz; mtime 0 keeps the bytes the same)."""
    array = np.asarray(array)
    big = array.astype(array.dtype.newbyteorder(">"))
    raw = bytes([0, 0, IDX_CODES[big.dtype.str], big.ndim]) + struct.pack(f">{big.ndim}I", *big.shape) + big.tobytes()
    path = str(path)
    data = gzip.compress(raw, mtime=0) if path.endswith(".gz") else raw
    with open(path, "wb") as f:
        f.write(data)


def _write_mnist(folder, n_train=40, n_test=12, seed=0):
    """Small MNIST-shaped files: 6×6 uint8 images, labels 0..9."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    arrays = {"train_images": rng.integers(0, 256, (n_train, 6, 6), dtype=np.uint8),
              "train_labels": (np.arange(n_train) % 10).astype(np.uint8),
              "test_images": rng.integers(0, 256, (n_test, 6, 6), dtype=np.uint8),
              "test_labels": (np.arange(n_test) % 10).astype(np.uint8)}
    for key, filename in mnist.FILES.items():
        write_idx(folder / filename, arrays[key])
    return arrays


@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64])
@pytest.mark.parametrize("suffix", [".gz", ""])
def test_idx_round_trip(tmp_path, dtype, suffix):
    a = (np.arange(2 * 3 * 5) - 7).reshape(2, 3, 5).astype(dtype) if dtype != np.uint8 \
        else np.arange(30, dtype=np.uint8).reshape(2, 3, 5)
    write_idx(tmp_path / f"a-idx3{suffix}", a)
    back = read_idx(tmp_path / f"a-idx3{suffix}")
    assert back.shape == a.shape and np.array_equal(back, a) and not back.flags.writeable


@pytest.mark.parametrize("raw, why", [
    (bytes([0, 1, 8, 1, 0, 0, 0, 1, 5]), "magic"),    # second byte must be 0
    (bytes([0, 0, 0x42, 1, 0, 0, 0, 1, 5]), "magic"),  # unknown element type
    (bytes([0, 0, 8, 2, 0, 0, 0, 2]), "header"),      # two dimensions announced, one given
    (bytes([0, 0, 8, 1, 0, 0, 0, 3, 5]), "size"),     # three items announced, one present
])
def test_corrupt_idx_is_a_config_error(tmp_path, raw, why):
    (tmp_path / "bad.gz").write_bytes(gzip.compress(raw))
    with pytest.raises(ConfigError, match=f"bad.gz is damaged.*{why}"):
        read_idx(tmp_path / "bad.gz")


def test_a_file_that_is_not_gzip_is_a_config_error(tmp_path):
    (tmp_path / "t10k-labels-idx1-ubyte.gz").write_text("<html>captive portal</html>")
    with pytest.raises(ConfigError, match="damaged.*gzip"):
        read_idx(tmp_path / "t10k-labels-idx1-ubyte.gz")


def test_cached_files_load_without_the_network(tmp_path):
    written = _write_mnist(tmp_path)
    # the only mirror is closed, so any attempt to download would raise
    got = mnist.load_mnist_arrays("mnist", base_urls=[CLOSED], folder=tmp_path)
    for key, array in zip(mnist.FILES, got):
        assert np.array_equal(array, written[key])


def test_load_dataset_mnist_from_the_cache_folder(tmp_path, monkeypatch):
    _write_mnist(tmp_path / "fashion-mnist", n_train=40, n_test=12)
    monkeypatch.setenv("TP_DATA_DIR", str(tmp_path))
    monkeypatch.setitem(mnist.MIRRORS, "fashion-mnist", (CLOSED,))
    b = load_dataset("fashion-mnist", seed=0, val_fraction=0.25)
    # same rule as split_sizes: the test file is the test split, val comes from the train file
    assert (len(b.train), len(b.val), len(b.test)) == counts(40, 12, 0.25) == (30, 10, 12)
    assert b.input_shape == (1, 6, 6) and b.n_classes == 10 and b.class_names[0] == "T-shirt/top"
    assert b.train.tensors[0].dtype == torch.float32 and b.test.tensors[1].dtype == torch.int64
    assert torch.equal(b.test.tensors[1], torch.arange(12) % 10)  # the official test order is kept


def test_offline_is_a_clear_config_error(tmp_path):
    with pytest.raises(ConfigError, match="MNIST could not be downloaded.*'digits'"):
        mnist.load_mnist_arrays("mnist", base_urls=[CLOSED, CLOSED], folder=tmp_path / "m", timeout=2)
    assert list((tmp_path / "m").iterdir()) == []  # nothing half-written is left to look cached


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def local_mirror(tmp_path):
    """A web server on 127.0.0.1 serving tmp_path/'mirror' (loopback only, never the internet)."""
    root = tmp_path / "mirror"
    root.mkdir()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_download_falls_back_to_the_next_mirror_then_uses_the_cache(tmp_path, local_mirror):
    root, url = local_mirror
    written = _write_mnist(root)
    got = mnist.load_mnist_arrays("mnist", base_urls=[CLOSED, url], folder=tmp_path / "cache")
    assert np.array_equal(got[0], written["train_images"])
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == sorted(mnist.FILES.values())
    for f in root.iterdir():
        f.unlink()  # the mirror is now empty: a second load must come from the cache alone
    again = mnist.load_mnist_arrays("mnist", base_urls=[CLOSED], folder=tmp_path / "cache")
    assert np.array_equal(again[3], written["test_labels"])


def test_a_mirror_serving_non_gzip_is_skipped(tmp_path, local_mirror):
    root, url = local_mirror
    for filename in mnist.FILES.values():
        (root / filename).write_text("<html>not the file</html>")
    with pytest.raises(ConfigError, match="could not be downloaded"):
        mnist.load_mnist_arrays("fashion-mnist", base_urls=[url], folder=tmp_path / "cache")
    assert not (tmp_path / "cache" / mnist.FILES["train_images"]).exists()


def test_files_that_do_not_fit_together_are_refused(tmp_path):
    _write_mnist(tmp_path)
    write_idx(tmp_path / mnist.FILES["train_labels"], np.zeros(7, dtype=np.uint8))  # 7 labels, 40 images
    with pytest.raises(ConfigError, match="do not fit together"):
        mnist.load_mnist_arrays("mnist", base_urls=[CLOSED], folder=tmp_path)


def test_default_cache_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("TP_DATA_DIR", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert mnist.cache_dir("mnist") == tmp_path / ".cache" / "training-playground" / "mnist"
    monkeypatch.setenv("TP_DATA_DIR", str(tmp_path / "data"))
    assert mnist.cache_dir("fashion-mnist") == tmp_path / "data" / "fashion-mnist"
