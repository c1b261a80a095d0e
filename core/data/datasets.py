"""load_dataset: every data set the app offers, split train/val/test and standardised, from one seed."""
import dataclasses
import functools
import pathlib
from typing import Optional, Tuple

import numpy as np
import torch
from torch.utils.data import TensorDataset

from . import mnist
from .csv_table import read_csv
from ..engine.errors import ConfigError
from .folds import kfold_indices
from .loaders import make_loader, seed_worker
from ..plain_loop import standardise_all_rows
from ..plain import as_tensors, counts, pool_counts, split_files, split_pool, standardise
from ..engine.seeding import resolve_seed
from .toy import TOY_SETS, TOY_SIZE, make_toy

# folds and loaders live in their own files; re-exported so the data layer is one import
__all__ = ["DATASETS", "DataBundle", "load_dataset", "split_sizes", "kfold_indices", "make_loader",
           "seed_worker"]

DIGITS_FILE = pathlib.Path(__file__).resolve().parent / "assets" / "digits.npz"

# the valid built-in names; a dropdown shows each as the catalogues' "train.ds.<name>" text
DATASETS = ("digits", "moons", "circles", "spiral", "xor", "gaussian", "mnist", "fashion-mnist")
POOL_SIZES = {"digits": 1797, **{t: TOY_SIZE for t in TOY_SETS}}  # rows before splitting
DIGIT_NAMES = tuple(str(d) for d in range(10))


@dataclasses.dataclass(frozen=True, eq=False)  # eq=False: tensors have no single truth value
class DataBundle:
    """One data set ready to train on: three splits plus what a panel needs to draw it."""
    name: str
    train: TensorDataset  # float32 inputs, int64 labels
    val: TensorDataset
    test: TensorDataset
    n_classes: int
    input_shape: Tuple[int, ...]  # one example, e.g. (1, 8, 8) or (2,)
    feature_mean: torch.Tensor  # shaped input_shape; inputs = (raw - feature_mean) / feature_std
    feature_std: torch.Tensor
    seed: int  # the seed actually used (drawn from the OS when None was asked for)
    class_names: Optional[Tuple[str, ...]] = None


def _is_csv(name):
    return isinstance(name, (str, pathlib.PurePath)) and str(name).lower().endswith(".csv")


def _unknown(name):
    return ConfigError("unknown_dataset", value=name, options=", ".join(DATASETS))


def split_sizes(name, val_fraction=0.2):
    """(n_train, n_val, n_test) for a built-in data set without loading it; None for a CSV file."""
    if _is_csv(name):
        return None
    if not isinstance(name, str):
        raise _unknown(name)
    if name in mnist.SIZES:
        return counts(*mnist.SIZES[name], val_fraction)
    if name not in POOL_SIZES:
        raise _unknown(name)
    return pool_counts(POOL_SIZES[name], val_fraction)


def input_shape_of(name):
    """(input shape, number of classes) of a built-in data set without loading it; None for a CSV file."""
    if _is_csv(name):
        return None
    if name == "digits":
        return (1, 8, 8), 10
    if name in mnist.SIZES:
        return (1, 28, 28), 10
    if name in TOY_SETS:
        return (2,), 2
    raise _unknown(name)


@functools.lru_cache(maxsize=1)
def _digits_raw():
    """Read the shipped npz once; the arrays are read-only so no run can change the cache."""
    with np.load(DIGITS_FILE) as f:
        images, labels = f["images"], f["labels"]
    images.flags.writeable = False
    labels.flags.writeable = False
    return images, labels


def pool_arrays(name):
    """The unsplit rows of digits or a CSV file as numpy (inputs, labels, class names); images get a
    channel axis, (N, 1, H, W). An exported script embeds these arrays."""
    if name == "digits":
        images, labels = _digits_raw()
        return images[:, None], labels, DIGIT_NAMES
    return read_csv(name)


def load_dataset(name, seed, val_fraction=0.2, leaky=False):
    """Load a data set by name (or a .csv path), split it with `seed` and standardise it -> DataBundle.

    leaky=True is the loop lab's mistake: standardised with the statistics of every row, val and test too."""
    if not isinstance(name, (str, pathlib.PurePath)):
        raise _unknown(name)
    seed = resolve_seed(seed)
    g = torch.Generator().manual_seed(seed)  # private: the global RNGs are never touched
    n_classes, class_names = 10, DIGIT_NAMES
    if name == "digits" or _is_csv(name):
        x, y, class_names = pool_arrays(name)
        splits = split_pool(*as_tensors(x, y), g, val_fraction)  # as_tensors copies: the cache stays untouched
        n_classes = len(class_names)
    elif name in TOY_SETS:
        pool_counts(TOY_SIZE, val_fraction)  # refuse a bad fraction before drawing any numbers
        splits = split_pool(*make_toy(name, g), g, val_fraction)
        n_classes, class_names = 2, ("0", "1")
    elif name in mnist.SIZES:
        tr_x, tr_y, te_x, te_y = mnist.load_mnist_arrays(name)
        splits = split_files(*as_tensors(tr_x[:, None], tr_y), *as_tensors(te_x[:, None], te_y), g, val_fraction)
        class_names = mnist.CLASS_NAMES[name]
    else:
        raise _unknown(name)
    (x_tr, y_tr), (x_va, y_va), (x_te, y_te) = splits
    (x_tr, x_va, x_te), mean, std = (standardise_all_rows if leaky else standardise)(x_tr, x_va, x_te)
    return DataBundle(name=str(name), train=TensorDataset(x_tr, y_tr), val=TensorDataset(x_va, y_va),
                      test=TensorDataset(x_te, y_te), n_classes=n_classes,
                      input_shape=tuple(x_tr.shape[1:]), feature_mean=mean, feature_std=std,
                      seed=seed, class_names=class_names)
