"""load_dataset on the shipped digits and the toy sets: sizes, splits, standardisation, seeds."""
import collections
import hashlib
import random
import re
from pathlib import Path

import numpy as np
import pytest
import torch

from core.data.datasets import DATASETS, DIGITS_FILE, DataBundle, load_dataset, split_sizes
from core.engine.errors import ConfigError
from core.engine.seeding import seeded
from core.data.toy import TOY_SETS, make_toy

LOCAL = [n for n in DATASETS if n not in ("mnist", "fashion-mnist")]


def _raw(split, bundle):
    """Undo the standardisation: inputs in the units of the source data."""
    x, y = split.tensors
    return x * bundle.feature_std + bundle.feature_mean, y


def test_digits_file_matches_recorded_checksums():
    source = (Path(DIGITS_FILE).parent / "SOURCE.md").read_text()
    file_hash, content_hash = re.findall(r"`([0-9a-f]{64})`", source)
    assert hashlib.sha256(Path(DIGITS_FILE).read_bytes()).hexdigest() == file_hash
    with np.load(DIGITS_FILE) as f:
        images, labels = f["images"], f["labels"]
    assert images.dtype == labels.dtype == np.uint8 and images.shape == (1797, 8, 8)
    assert hashlib.sha256(images.tobytes() + labels.tobytes()).hexdigest() == content_hash
    assert images.max() == 16 and sorted(set(labels.tolist())) == list(range(10))


def test_digits_bundle_shapes_and_classes():
    b = load_dataset("digits", seed=0)
    assert isinstance(b, DataBundle) and b.name == "digits" and b.seed == 0
    assert (len(b.train), len(b.val), len(b.test)) == (1222, 305, 270)
    assert b.n_classes == 10 and b.input_shape == (1, 8, 8) and b.class_names == tuple("0123456789")
    x, y = b.train.tensors
    assert x.dtype == torch.float32 and y.dtype == torch.int64 and x.shape == (1222, 1, 8, 8)
    assert b.feature_mean.shape == b.feature_std.shape == (1, 8, 8)
    assert set(y.tolist()) == set(range(10))


@pytest.mark.parametrize("name", LOCAL)
@pytest.mark.parametrize("val_fraction", [0.2, 0.1, 0.35, 0.0])
def test_split_sizes_agree_with_load_dataset(name, val_fraction):
    b = load_dataset(name, seed=3, val_fraction=val_fraction)
    assert split_sizes(name, val_fraction) == (len(b.train), len(b.val), len(b.test))


def test_split_sizes_rule():
    assert split_sizes("digits") == (1222, 305, 270)  # test 270 = round(.15·1797), val 305 = round(.2·1527)
    assert split_sizes("moons") == (408, 102, 90)
    assert split_sizes("mnist") == (48000, 12000, 10000)  # official test file; val from the train file
    assert split_sizes("fashion-mnist", 0.1) == (54000, 6000, 10000)
    assert split_sizes("my_table.CSV") is None
    assert split_sizes("digits", 0) == (1527, 0, 270)  # no validation split: the loop reports None


def test_a_fraction_that_leaves_nothing_to_train_on():
    from core.plain import counts

    assert counts(10, 1, 0.9) == (1, 9, 1)
    with pytest.raises(ConfigError, match="no rows to train on"):
        counts(2, 1, 0.9)  # round(0.9 · 2) = 2 validation rows of 2


@pytest.mark.parametrize("name", ["digits", "moons"])
def test_splits_are_disjoint_and_cover_every_row(name):
    b = load_dataset(name, seed=1)
    rows = collections.Counter()
    for split in (b.train, b.val, b.test):
        x, y = _raw(split, b)
        for xi, yi in zip(x.reshape(len(x), -1).tolist(), y.tolist()):
            rows[(tuple(round(v, 3) for v in xi), yi)] += 1
    if name == "digits":
        with np.load(DIGITS_FILE) as f:
            pool = zip(f["images"].reshape(1797, -1).astype(float).tolist(), f["labels"].tolist())
    else:
        x, y = make_toy(name, torch.Generator().manual_seed(1))
        pool = zip(x.tolist(), y.tolist())
    assert rows == collections.Counter((tuple(round(v, 3) for v in xi), yi) for xi, yi in pool)


@pytest.mark.parametrize("name", ["digits", "spiral"])
def test_train_split_is_standardised_with_its_own_statistics(name):
    b = load_dataset(name, seed=2)
    x = b.train.tensors[0]
    dims = (0, 2, 3) if x.dim() == 4 else (0,)  # images: per channel; tables: per feature
    assert torch.allclose(x.mean(dims), torch.zeros(1), atol=1e-5)
    assert torch.allclose(x.std(dims, unbiased=False), torch.ones(1), atol=1e-5)
    # val and test reuse the training statistics, so they are close to but not exactly standard
    assert not torch.allclose(b.val.tensors[0].mean(dims), torch.zeros(1), atol=1e-5)


def test_same_seed_same_split_bitwise_other_seed_differs():
    a, b, c = load_dataset("digits", 7), load_dataset("digits", 7), load_dataset("digits", 8)
    for s1, s2 in [(a.train, b.train), (a.val, b.val), (a.test, b.test)]:
        assert all(torch.equal(t1, t2) for t1, t2 in zip(s1.tensors, s2.tensors))
    assert not torch.equal(a.test.tensors[1], c.test.tensors[1])


def test_global_rng_state_is_untouched():
    with seeded(5):
        before = (random.getstate(), np.random.get_state()[1].copy(), torch.get_rng_state())
        for name in ("digits", "moons"):
            load_dataset(name, seed=1)
        drawn = load_dataset("xor", seed=None)  # the random seed comes from the OS, not the global RNGs
        after = (random.getstate(), np.random.get_state()[1].copy(), torch.get_rng_state())
    assert isinstance(drawn.seed, int)
    assert after[0] == before[0]
    assert np.array_equal(after[1], before[1])
    assert torch.equal(after[2], before[2])


def test_cached_digits_cannot_be_changed_by_a_run():
    first = load_dataset("digits", seed=0)
    first.train.tensors[0].add_(100.0)  # a learner's run mutating its data in place
    again = load_dataset("digits", seed=0)
    assert again.train.tensors[0].abs().max() < 50


@pytest.mark.parametrize("name", sorted(TOY_SETS))
def test_toy_sets(name):
    b = load_dataset(name, seed=4)
    assert b.input_shape == (2,) and b.n_classes == 2 and b.train.tensors[0].shape == (408, 2)
    assert b.feature_mean.shape == b.feature_std.shape == (2,)
    assert set(b.train.tensors[1].tolist()) == {0, 1} and set(b.test.tensors[1].tolist()) == {0, 1}
    again = load_dataset(name, seed=4)
    assert torch.equal(b.train.tensors[0], again.train.tensors[0])
    assert torch.equal(b.train.tensors[1], again.train.tensors[1])
    assert not torch.equal(b.train.tensors[0], load_dataset(name, seed=5).train.tensors[0])


def test_feature_affine_maps_back_to_the_generated_points():
    b = load_dataset("gaussian", seed=9)
    raw, _ = make_toy("gaussian", torch.Generator().manual_seed(9))
    x, _ = _raw(b.train, b)
    # every un-standardised training point is one of the generated points
    dist = torch.cdist(x, raw, compute_mode="donot_use_mm_for_euclid_dist").min(dim=1).values
    assert dist.max() < 1e-4


@pytest.mark.parametrize("bad", ["cifar", "", 3, None, ["digits"]])
def test_unknown_name_lists_the_choices(bad):
    with pytest.raises(ConfigError, match="digits, moons, circles, spiral, xor, gaussian, mnist, "
                                          "fashion-mnist, or a path to a .csv file"):
        load_dataset(bad, seed=0)


@pytest.mark.parametrize("fraction", [1, -0.1, 1.5, "0.2", True, None])
def test_bad_val_fraction(fraction):
    with pytest.raises(ConfigError, match="validation fraction"):
        load_dataset("moons", seed=0, val_fraction=fraction)
    with pytest.raises(ConfigError, match="validation fraction"):
        split_sizes("digits", fraction)


@pytest.mark.parametrize("seed", [-1, 2**63, 1.5, "1", True])
def test_bad_seed(seed):
    with pytest.raises(ConfigError, match="seed"):
        load_dataset("digits", seed=seed)
