"""A learner's own table: read a .csv file of numeric features and a label column."""
import csv
import hashlib
import io
import math
import os
import threading

import numpy as np

from ..engine.errors import ConfigError
from ..engine.limits import MAX_CSV_ROWS

MIN_ROWS = 10  # fewer rows cannot fill a train, a validation and a test split
# The last file read, by the SHA-256 of its bytes -> its parse: an upload, parsed when it arrives, is not
# parsed again by every run (a 5 MB table takes seconds in Python's csv module; hashing it, milliseconds).
_LAST = {}
_LAST_LOCK = threading.Lock()


def _number(text, column, row):
    """Parse one feature cell, naming its place in the file when it is not a finite number."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise ConfigError("csv_not_number", column=column, row=row, value=text)
    return value


def _label_column(header):
    """Index of the column named 'label' (any case), else the last column."""
    names = [h.strip().lower() for h in header]
    return names.index("label") if "label" in names else len(header) - 1


def _class_order(labels):
    """Sorted class values: numerically if every label is an integer, else as text."""
    try:
        return [str(v) for v in sorted({int(v) for v in labels})], int
    except ValueError:
        return sorted(set(labels)), str


def read_csv(path):
    """Return float32 features (n, d), int64 class indices (n,) and the class names of a CSV file."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise ConfigError("csv_missing", name=os.path.basename(path))  # never the path: the server's, not the learner's
    with open(path, "rb") as f:
        data = f.read()
    digest = hashlib.sha256(data).digest()
    with _LAST_LOCK:
        if digest in _LAST:
            return _LAST[digest]
    parsed = _parse(data, os.path.basename(path))
    for array in parsed[:2]:
        array.flags.writeable = False  # shared by every run of this file: none may change it
    with _LAST_LOCK:
        _LAST.clear()
        _LAST[digest] = parsed
    return parsed


def _parse(data: bytes, name: str):
    """read_csv's work on the file's bytes."""
    try:
        # utf-8-sig drops the byte-order mark that spreadsheet programs put first
        reader = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))
        header = next(reader, None)
        rows = []
        for r in reader:
            if any(c.strip() for c in r):
                rows.append((reader.line_num, r))
                if len(rows) > MAX_CSV_ROWS:  # refused while reading: a longer file costs no more memory
                    raise ConfigError("csv_too_many_rows", name=name, limit=MAX_CSV_ROWS)
    except (UnicodeDecodeError, csv.Error) as e:
        raise ConfigError("csv_not_text", name=name, why=str(e)) from e
    if header is None or not any(c.strip() for c in header):
        raise ConfigError("csv_empty", name=name)
    if len(header) < 2:
        raise ConfigError("csv_columns", name=name)
    if not rows:
        raise ConfigError("csv_no_rows", name=name)
    columns = [h.strip() for h in header]
    target = _label_column(columns)
    features, labels = [], []
    for line, row in rows:
        if len(row) != len(columns):
            raise ConfigError("csv_row_length", row=line, count=len(row), columns=len(columns))
        label = row[target].strip()
        if not label:
            raise ConfigError("csv_label_empty", column=columns[target], row=line)
        labels.append(label)
        features.append([_number(c, columns[i], line) for i, c in enumerate(row) if i != target])
    if len(rows) < MIN_ROWS:
        raise ConfigError("csv_few_rows", name=name, count=len(rows), limit=MIN_ROWS)
    class_names, kind = _class_order(labels)
    if len(class_names) < 2:
        raise ConfigError("csv_one_class", name=name, column=columns[target])
    index = {kind(c): i for i, c in enumerate(class_names)}
    y = np.array([index[kind(v)] for v in labels], dtype=np.int64)
    return np.array(features, dtype=np.float32), y, tuple(class_names)
