"""Reader of the IDX format that MNIST files use."""
import functools
import gzip
import os
import zlib

from ..plain import damaged_file, parse_idx


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

