"""Reader (and a small writer, for tests) of the IDX format that MNIST files use."""
import functools
import gzip
import os
import struct
import zlib

import numpy as np

from .plain import IDX_DTYPES, ConfigError, damaged_file, parse_idx

IDX_CODES = {np.dtype(v).str: k for k, v in IDX_DTYPES.items()}


@functools.lru_cache(maxsize=16)
def _read_cached(path, mtime_ns, size):
    """Gunzip and parse once per file version; mtime and size in the key spot a replaced file."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
        if path.endswith(".gz"):
            raw = gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as e:
        raise damaged_file(path, "not a readable gzip file") from e
    return parse_idx(raw, path)


def read_idx(path):
    """Read an IDX file (gzip'd if its name ends in .gz) into a read-only numpy array, cached."""
    path = os.fspath(path)
    st = os.stat(path)
    return _read_cached(path, st.st_mtime_ns, st.st_size)


def write_idx(path, array):
    """Write a numpy array as an IDX file (gzip'd if the name ends in .gz); used to build test files."""
    array = np.asarray(array)
    big = array.astype(array.dtype.newbyteorder(">"))
    code = IDX_CODES.get(big.dtype.str)
    if code is None:
        raise ConfigError(f"IDX files cannot hold {array.dtype} values.")
    raw = bytes([0, 0, code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape) + big.tobytes()
    path = os.fspath(path)
    # mtime=0 keeps the gzip bytes the same on every run
    data = gzip.compress(raw, mtime=0) if path.endswith(".gz") else raw
    with open(path, "wb") as f:
        f.write(data)
