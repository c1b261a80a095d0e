"""k-fold cross-validation: pool train+val, validate on each fold in turn, one Run per fold."""
from __future__ import annotations

import dataclasses
import math

import torch
from torch.utils.data import TensorDataset

from ...engine.config import RunConfig
from ...data.datasets import load_dataset
from ...data.folds import kfold_indices
from ...engine.interleave import Tagged
from ...plain import standardise
from ...engine.run import Run


def fold_bundles(bundle, k: int, seed) -> list:
    """k DataBundles whose val splits partition train+val; the test split is shared.

    Each fold is standardised again on its own training rows, so its validation rows stay unseen.
    """
    mean, std = bundle.feature_mean, bundle.feature_std
    x = torch.cat([bundle.train.tensors[0], bundle.val.tensors[0]]) * std + mean  # back to input units
    y = torch.cat([bundle.train.tensors[1], bundle.val.tensors[1]])
    x_test, y_test = bundle.test.tensors
    x_test = x_test * std + mean
    folds = []
    for train_idx, val_idx in kfold_indices(len(y), k, seed):
        (x_tr, x_va, x_te), f_mean, f_std = standardise(x[train_idx], x[val_idx], x_test)
        folds.append(dataclasses.replace(
            bundle, train=TensorDataset(x_tr, y[train_idx]), val=TensorDataset(x_va, y[val_idx]),
            test=TensorDataset(x_te, y_test), feature_mean=f_mean, feature_std=f_std))
    return folds


def cross_validate(cfg: RunConfig, k: int, callbacks=(), stop=None) -> list:
    """One History per fold, trained in turn; records carry "fold". A set `stop` ends the current fold and the rest."""
    cfg = cfg.validate()
    split_seed = None if cfg.seed is None or "split" in cfg.unseeded else cfg.seed
    bundle = load_dataset(cfg.dataset, split_seed, float(cfg.val_fraction))
    histories = []
    for i, fold in enumerate(fold_bundles(bundle, k, bundle.seed)):
        if stop is not None and stop.is_set():
            break
        histories.append(Run(cfg, [Tagged(cb, fold=i) for cb in callbacks], stop, data=fold).drive())
    return histories


def fold_accuracy(history):
    """A fold's final validation accuracy, or None when it diverged, was stopped or has no epochs."""
    complete = history.diverged_at is None and not history.stopped and history.val_acc
    return history.val_acc[-1] if complete else None


def fold_summary(histories):
    """(per-fold accuracies, mean, population std) over the folds that finished; mean/std None if none did."""
    accs = [fold_accuracy(h) for h in histories]
    done = [a for a in accs if a is not None]
    if not done:
        return accs, None, None
    mean = sum(done) / len(done)
    return accs, mean, math.sqrt(sum((a - mean) ** 2 for a in done) / len(done))
