"""A learner's own table: read a .csv file of numeric features and a label column."""
import csv
import math
import os

import numpy as np

from ..engine.errors import ConfigError

MIN_ROWS = 10  # fewer rows cannot fill a train, a validation and a test split


def _number(text, column, row):
    """Parse one feature cell, naming its place in the file when it is not a finite number."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise ConfigError(f"In the CSV file, column '{column}' row {row} is not a number: {text!r}.")
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
    name = os.path.basename(path)
    if not os.path.isfile(path):
        raise ConfigError(f"The CSV file {path} does not exist.")
    try:
        # utf-8-sig drops the byte-order mark that spreadsheet programs put first
        with open(path, newline="", encoding="utf-8-sig") as f:
            reader = csv.reader(f)
            header = next(reader, None)
            rows = [(reader.line_num, r) for r in reader if any(c.strip() for c in r)]
    except (UnicodeDecodeError, csv.Error) as e:
        raise ConfigError(f"The CSV file {name} cannot be read as text ({e}).") from e
    if header is None or not any(c.strip() for c in header):
        raise ConfigError(f"The CSV file {name} is empty.")
    if len(header) < 2:
        raise ConfigError(f"The CSV file {name} needs at least one feature column and a label column.")
    if not rows:
        raise ConfigError(f"The CSV file {name} has a header but no rows of data.")
    columns = [h.strip() for h in header]
    target = _label_column(columns)
    features, labels = [], []
    for line, row in rows:
        if len(row) != len(columns):
            raise ConfigError(f"In the CSV file, row {line} has {len(row)} values "
                              f"but the header has {len(columns)} columns.")
        label = row[target].strip()
        if not label:
            raise ConfigError(f"In the CSV file, column '{columns[target]}' row {line} is empty.")
        labels.append(label)
        features.append([_number(c, columns[i], line) for i, c in enumerate(row) if i != target])
    if len(rows) < MIN_ROWS:
        raise ConfigError(f"The CSV file {name} has {len(rows)} rows; it needs at least {MIN_ROWS}.")
    class_names, kind = _class_order(labels)
    if len(class_names) < 2:
        raise ConfigError(f"The CSV file {name} has only one class in column "
                          f"'{columns[target]}'; it needs at least two.")
    index = {kind(c): i for i, c in enumerate(class_names)}
    y = np.array([index[kind(v)] for v in labels], dtype=np.int64)
    return np.array(features, dtype=np.float32), y, tuple(class_names)
