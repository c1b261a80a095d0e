"""The DataLoader lab (batch indices per epoch, shuffle on/off, seeded sampler), the worker-augmentation
measurement, and the deep-matmul sandbox naming the layer its chart shows."""
import math

import pytest
import torch

from core import ConfigError, batch_indices, deep_matmul, scale_verdict, worker_augmentations


def flat(epoch):
    return [i for batch in epoch for i in batch]


def test_a_seeded_shuffling_loader_serves_the_permutations_of_its_generator_epoch_after_epoch():
    epochs = batch_indices(20, 6, epochs=3, shuffle=True, seed=5)
    g = torch.Generator().manual_seed(5)
    for epoch in epochs:
        # each epoch's iterator draws its workers' base seed from the loader's generator; its RandomSampler
        # then draws the epoch's randperm, and a second one for the (here empty) partial tail it slices off
        torch.empty((), dtype=torch.int64).random_(generator=g)
        assert flat(epoch) == torch.randperm(20, generator=g).tolist()
        torch.randperm(20, generator=g)
        assert [len(b) for b in epoch] == [6, 6, 6, 2]
    assert epochs[0] != epochs[1]
    assert batch_indices(20, 6, epochs=3, shuffle=True, seed=5) == epochs


def test_without_shuffle_every_epoch_is_file_order():
    assert batch_indices(10, 4, epochs=2, shuffle=False) == [[[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]] * 2


def test_an_unseeded_sampler_still_permutes_and_leaves_the_global_rng_alone():
    state = torch.get_rng_state()
    a, b = batch_indices(40, 8, seed=None), batch_indices(40, 8, seed=None)
    assert torch.equal(state, torch.get_rng_state())
    assert sorted(flat(a[0])) == list(range(40)) and a != b  # 40! orders: equal by chance ~1e-48


@pytest.mark.parametrize("args", [(0, 4), (300, 4), (10, 11), (10, 0)])
def test_bad_lab_sizes_are_config_errors(args):
    with pytest.raises(ConfigError):
        batch_indices(*args)


def test_worker_augmentations_are_measured_and_seed_worker_gives_each_worker_its_own_stream():
    plain_run = worker_augmentations(seed_workers=False)
    seeded = worker_augmentations(seed_workers=True)
    for report in (plain_run, seeded):
        draws = report["draws"]
        assert len(draws) == 2 and all(len(epoch) == 2 and len(epoch[0]) == 4 for epoch in draws)
        assert report["same_across_workers"] == all(epoch[0] == epoch[1] for epoch in draws)
        assert report["same_across_epochs"] == (draws[0] == draws[1])
        assert report["torch"] == torch.__version__
    # seed_worker seeds NumPy from torch's per-worker seed (base seed + worker id): distinct and reproducible
    assert not seeded["same_across_workers"] and not seeded["same_across_epochs"]
    assert worker_augmentations(seed_workers=True)["draws"] == seeded["draws"]


def test_the_deep_matmul_verdict_names_the_first_layer_its_chart_cannot_draw():
    run = deep_matmul(scale=1.0)
    first_gap = next(k for k, s in enumerate(run.stds, 1) if not math.isfinite(s))
    assert run.first_nonfinite == first_gap
    assert scale_verdict(run.stds, run.means, run.first_nonfinite).layer == first_gap
    # the float32 sum inside std overflows before the vector itself holds inf
    assert run.vector_nonfinite is not None and run.vector_nonfinite >= run.first_nonfinite
