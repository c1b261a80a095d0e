import json

import pytest
import torch

from core import ConfigError, RunConfig


def test_defaults_are_valid_and_round_trip_through_json():
    cfg = RunConfig()
    assert cfg.validate() is cfg
    back = RunConfig.from_dict(json.loads(json.dumps(cfg.to_dict())))
    assert back == cfg and isinstance(back.hidden, tuple)
    assert RunConfig.from_json(cfg.to_json()) == cfg


def test_round_trip_keeps_every_changed_field():
    cfg = RunConfig(hidden=(8, 16, 4), activation="tanh", init="xavier_normal", optimizer="adam",
                    lr=3e-4, seed=None, val_fraction=0.0, deterministic=True, stats_every=3)
    assert RunConfig.from_json(cfg.to_json()) == cfg


@pytest.mark.parametrize("lr", [1e4, 1e5, 1e6, 1e-9])
def test_large_and_tiny_rates_are_valid(lr):
    RunConfig(lr=lr).validate()


@pytest.mark.parametrize("changes, words", [
    ({"lr": 0}, "learning rate"),
    ({"lr": -0.1}, "learning rate"),
    ({"lr": float("nan")}, "learning rate"),
    ({"lr": float("inf")}, "learning rate"),
    ({"lr": 2e6}, "learning rate"),
    ({"lr": "0.1"}, "number"),
    ({"seed": -1}, "seed"),
    ({"seed": 2**32}, "seed"),
    ({"seed": 1.5}, "whole number"),
    ({"seed": "42"}, "whole number"),
    ({"batch_size": 0}, "batch size"),
    ({"batch_size": 10**6}, "batch size"),
    ({"epochs": 0}, "Epochs"),
    ({"epochs": 1001}, "Epochs"),
    ({"hidden": (64, 0)}, "width"),
    ({"hidden": (5000,)}, "width"),
    ({"hidden": ()}, "Hidden"),
    ({"val_fraction": 0.95}, "validation fraction"),
    ({"val_fraction": -0.1}, "validation fraction"),
    ({"activation": "swish"}, "relu, leaky_relu"),
    ({"init": "magic"}, "xavier_uniform"),
    ({"optimizer": "rmsprop"}, "sgd, momentum, adam"),
    ({"model": "rnn"}, "mlp, cnn"),
    ({"dataset": "imagenet"}, "digits"),
    ({"device": "tpu"}, "cpu, cuda, auto"),
    ({"model": "cnn", "dataset": "moons"}, "images"),
])
def test_bad_settings_raise_a_short_config_error(changes, words):
    with pytest.raises(ConfigError) as err:
        RunConfig(**changes).validate()
    message = str(err.value)
    assert words in message
    assert "\n" not in message and len(message) < 300
    assert isinstance(err.value, ValueError)


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a GPU, so 'cuda' is valid here")
def test_cuda_without_gpu_is_a_config_error_and_auto_falls_back():
    with pytest.raises(ConfigError, match="GPU"):
        RunConfig(device="cuda").validate()
    RunConfig(device="auto").validate()


def test_from_dict_rejects_unknown_keys_and_non_objects():
    with pytest.raises(ConfigError, match="Unknown setting"):
        RunConfig.from_dict({"lr": 0.1, "learning_rate": 3})
    with pytest.raises(ConfigError):
        RunConfig.from_json("[1, 2]")
    with pytest.raises(ConfigError, match="JSON"):
        RunConfig.from_json("{lr: 0.1")


def test_out_of_memory_is_told_apart_from_other_errors():
    from core import is_out_of_memory
    try:
        torch.empty(2**50, dtype=torch.uint8)  # PyTorch's CPU allocator refuses a petabyte
    except RuntimeError as exc:
        refused = exc
    assert is_out_of_memory(refused) and is_out_of_memory(MemoryError())
    assert not is_out_of_memory(RuntimeError("mat1 and mat2 shapes cannot be multiplied"))
    assert not is_out_of_memory(ValueError("out of memory"))  # only what allocators raise


def _code(call):
    with pytest.raises(ConfigError) as err:
        call()
    return err.value.code


def test_the_seed_range_is_one_range_for_configs_splits_folds_and_loaders():
    from core import kfold_indices, load_dataset, make_loader
    from core.engine.config import MAX_SEED

    RunConfig(seed=MAX_SEED).validate()
    assert load_dataset("xor", MAX_SEED).seed == MAX_SEED
    kfold_indices(10, 2, MAX_SEED)
    make_loader(torch.utils.data.TensorDataset(torch.zeros(4)), 2, seed=MAX_SEED)
    assert _code(lambda: RunConfig(seed=MAX_SEED + 1).validate()) == "seed_range"
    assert _code(lambda: load_dataset("xor", MAX_SEED + 1)) == "seed_range"
    assert _code(lambda: kfold_indices(10, 2, MAX_SEED + 1)) == "seed_range"
    assert _code(lambda: make_loader(torch.utils.data.TensorDataset(torch.zeros(4)), 2, seed=MAX_SEED + 1)) \
        == "seed_range"


def test_fresh_seeds_lie_in_the_same_range():
    from core import load_dataset, train
    from core.engine.config import MAX_SEED

    # a 63-bit draw lands in 0..2**32-1 once in 2**31 tries: ten draws in range mean 32-bit seeds
    assert all(0 <= load_dataset("xor", None).seed <= MAX_SEED for _ in range(10))
    assert 0 <= train(RunConfig(seed=None, epochs=1, hidden=(4,), batch_size=256)).seed_used <= MAX_SEED


def test_the_validation_fraction_limit_is_one_limit_for_configs_and_splits():
    from core import load_dataset, split_sizes
    from core.engine.config import MAX_VAL_FRACTION

    RunConfig(val_fraction=MAX_VAL_FRACTION).validate()
    bundle = load_dataset("moons", 0, MAX_VAL_FRACTION)
    assert split_sizes("moons", MAX_VAL_FRACTION) == tuple(len(split) for split in (bundle.train, bundle.val, bundle.test))
    above = MAX_VAL_FRACTION + 1e-9
    assert _code(lambda: RunConfig(val_fraction=above).validate()) == "val_range"
    assert _code(lambda: load_dataset("moons", 0, above)) == "val_range"
    assert _code(lambda: split_sizes("moons", above)) == "val_range"


def test_the_batch_size_is_checked_against_the_training_rows_in_one_way_wherever_they_are_known():
    import dataclasses

    from core import Run, load_dataset, make_loader, split_sizes

    n_train = split_sizes("moons")[0]
    RunConfig(dataset="moons", batch_size=n_train).validate()
    assert _code(lambda: RunConfig(dataset="moons", batch_size=n_train + 1).validate()) == "batch_range"
    # rows known only once loaded (a CSV, a fold): the Run checks them with the same rule and code
    bundle = load_dataset("moons", 0)
    small = dataclasses.replace(bundle, train=torch.utils.data.TensorDataset(*(t[:5] for t in bundle.train.tensors)))
    with pytest.raises(ConfigError) as err:
        Run(RunConfig(dataset="moons", batch_size=6), data=small)
    assert err.value.code == "batch_range" and err.value.params["limit"] == 5
    with Run(RunConfig(dataset="moons", batch_size=5), data=small) as run:
        assert run.history.steps_per_epoch == 1
    # a loader is not told the training rows: only the lower bound applies, and its sentence says no upper one
    assert _code(lambda: make_loader(bundle.train, 0)) == "batch_min"
