"""Reader of the IDX format that MNIST files use."""
import functools
import gzip
import os
import zlib

from ..engine.errors import ConfigError
from ..plain import parse_idx


@functools.lru_cache(maxsize=16)
def _read_cached(path, mtime_ns, size):
    """Gunzip and parse once per file version; mtime and size in the key spot a replaced file."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
        if path.endswith(".gz"):
            raw = gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as e:
        raise ConfigError("damaged_gzip", name=os.path.basename(path)) from e
    return parse_idx(raw, path)


def read_idx(path):
    """Read an IDX file (gzip'd if its name ends in .gz) into a read-only numpy array, cached."""
    path = os.fspath(path)
    st = os.stat(path)
    return _read_cached(path, st.st_mtime_ns, st.st_size)

