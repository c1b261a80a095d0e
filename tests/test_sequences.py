import random

import numpy as np
import torch

from core.lessons.seeds.sequences import GENERATORS, random_sequences


def test_course_numbers_for_seed_1024():
    assert random_sequences(1024, 2)["python"] == [0.7970515714521261, 0.4834988702079559]


def test_each_generator_matches_its_own_seeded_draws():
    got = random_sequences(7, 4)
    assert set(got) == set(GENERATORS)
    rng = random.Random(7)
    assert got["python"] == [rng.random() for _ in range(4)]
    assert got["numpy"] == np.random.RandomState(7).rand(4).tolist()
    assert got["torch"] == torch.rand(4, generator=torch.Generator().manual_seed(7)).tolist()


def test_same_seed_same_numbers_next_seed_others():
    assert random_sequences(42) == random_sequences(42)
    a, b = random_sequences(42), random_sequences(43)
    assert all(a[g] != b[g] for g in GENERATORS)


def test_global_state_is_restored():
    before = (random.getstate(), np.random.get_state()[1].copy(), torch.get_rng_state())
    random_sequences(5)
    assert random.getstate() == before[0]
    assert np.array_equal(np.random.get_state()[1], before[1])
    assert torch.equal(torch.get_rng_state(), before[2])
