"""k-fold cross-validation: folds partition train+val, one Run per fold, same seed same result."""
import math
import statistics
import threading

import numpy as np
import pytest

from core import RunConfig
from core.lessons.train.crossval import cross_validate, fold_bundles, fold_summary
from core.data.datasets import load_dataset
from core.engine.history import History

CFG = RunConfig(dataset="moons", epochs=1, hidden=(8,), batch_size=32)


def _rows(x, y):
    """Rows with their label, sorted, so two splits can be compared as sets."""
    a = np.column_stack([x.reshape(len(x), -1), y]).astype(np.float64)
    return a[np.lexsort(a.T[::-1])]


def test_fold_validation_splits_partition_train_plus_val():
    bundle = load_dataset("moons", 0)
    folds = fold_bundles(bundle, 3, 0)
    unit = lambda b, split: (getattr(b, split).tensors[0] * b.feature_std + b.feature_mean).numpy()
    pool = _rows(np.concatenate([unit(bundle, "train"), unit(bundle, "val")]),
                 np.concatenate([bundle.train.tensors[1], bundle.val.tensors[1]]))
    vals = _rows(np.concatenate([unit(f, "val") for f in folds]), np.concatenate([f.val.tensors[1] for f in folds]))
    assert np.allclose(vals, pool, atol=1e-5)
    for f in folds:
        assert len(f.train) + len(f.val) == len(pool) and abs(len(f.val) - len(pool) / 3) < 1
        assert np.allclose(_rows(unit(f, "test"), f.test.tensors[1]), _rows(unit(bundle, "test"), bundle.test.tensors[1]),
                           atol=1e-5)
        x = f.train.tensors[0]  # each fold is standardised on its own training rows only
        assert np.allclose(x.mean(0), 0, atol=1e-5) and np.allclose(x.std(0, unbiased=False), 1, atol=1e-4)


def test_same_seed_same_result_and_fold_tags():
    events = []

    class Spy:
        def on_step(self, record):
            events.append(("step", record["fold"]))

        def on_end(self, payload):
            events.append(("end", payload["fold"]))

    a = cross_validate(CFG, 3, callbacks=[Spy()])
    b = cross_validate(CFG, 3)
    c = cross_validate(CFG.replace(seed=1), 3)
    assert len(a) == 3 and [h.fingerprint for h in a] == [h.fingerprint for h in b]
    assert [h.fingerprint for h in a] != [h.fingerprint for h in c]
    assert all(len(h.val_acc) == 1 for h in a)
    assert [f for kind, f in events if kind == "end"] == [0, 1, 2]
    assert sorted({f for kind, f in events if kind == "step"}) == [0, 1, 2]


def test_stop_ends_the_current_fold_and_skips_the_rest():
    stop = threading.Event()

    def halt(record):
        if record["step"] == 2:
            stop.set()

    histories = cross_validate(CFG, 4, callbacks=[halt], stop=stop)
    assert len(histories) == 1 and histories[0].stopped and histories[0].steps == 3


def test_summary_is_mean_and_population_std_of_finished_folds():
    def h(accs, **kw):
        return History(config=CFG, val_acc=list(accs), **kw)

    accs, mean, std = fold_summary([h([0.5, 0.8]), h([0.9]), h([0.7], diverged_at=3), h([0.6])])
    assert accs == [0.8, 0.9, None, 0.6]
    assert mean == pytest.approx(statistics.fmean([0.8, 0.9, 0.6]))
    assert std == pytest.approx(statistics.pstdev([0.8, 0.9, 0.6]))
    assert fold_summary([h([], stopped=True)]) == ([None], None, None)
    assert math.isclose(fold_summary([h([0.75])])[2], 0.0)
