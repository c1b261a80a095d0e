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
