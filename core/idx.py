"""Reader of the IDX format that MNIST files use."""
import functools
import gzip
import os
import struct
import zlib

import numpy as np

from .errors import ConfigError

# third magic byte -> element type; IDX stores every element big-endian
IDX_DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def _damaged(path, why):
    """The error for a file that cannot be an IDX file; deleting it lets a new download fix it."""
    name = os.path.basename(path)
    return ConfigError(f"The data file {name} is damaged ({why}); delete it and load again.")


def parse_idx(raw, path="data"):
    """Parse the bytes of one (already gunzipped) IDX file into a read-only numpy array."""
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in IDX_DTYPES:
        raise _damaged(path, "wrong magic number")
    ndim = raw[3]
    if ndim == 0 or len(raw) < 4 + 4 * ndim:
        raise _damaged(path, "bad header")
    shape = struct.unpack(f">{ndim}I", raw[4:4 + 4 * ndim])
    dtype = np.dtype(IDX_DTYPES[raw[2]])
    body = raw[4 + 4 * ndim:]
    if len(body) != int(np.prod(shape)) * dtype.itemsize:
        raise _damaged(path, "size does not match its header")
    # frombuffer over bytes is already read-only, so the cached copy cannot be mutated
    return np.frombuffer(body, dtype=dtype).reshape(shape)


@functools.lru_cache(maxsize=16)
def _read_cached(path, mtime_ns, size):
    """Gunzip and parse once per file version; mtime and size in the key spot a replaced file."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
        if path.endswith(".gz"):
            raw = gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as e:
        raise _damaged(path, "not a readable gzip file") from e
    return parse_idx(raw, path)


def read_idx(path):
    """Read an IDX file (gzip'd if its name ends in .gz) into a read-only numpy array, cached."""
    path = os.fspath(path)
    st = os.stat(path)
    return _read_cached(path, st.st_mtime_ns, st.st_size)

