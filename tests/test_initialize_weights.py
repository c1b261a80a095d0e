"""initialize_weights(model, rules, generator): the same values as calling torch.nn.init with that generator."""
import pytest
import torch
from torch import nn
from torch.nn import init

from core import ConfigError, RunConfig, initialize_weights, plain, train

RULES = {
    "Conv2d": {"weight": ("kaiming_normal", {"nonlinearity": "relu"}), "bias": ("constant", {"val": 0.3})},
    "Linear": {"weight": ("xavier_normal", {}), "bias": ("normal", {"mean": 0.1})},
    "BatchNorm2d": {"weight": ("uniform", {"a": 0.5, "b": 1.5}), "bias": ("zeros", {})},
}


def fresh_cnn():
    with torch.random.fork_rng(devices=[]):  # torch's default layer init draws from the global RNG
        return plain.build_model("cnn", (8, 8), "relu", (1, 8, 8), 10, norm="batch")


def test_rules_give_the_values_torch_nn_init_gives_with_the_same_generator():
    model, oracle = fresh_cnn(), fresh_cnn()
    rows = initialize_weights(model, RULES, generator=torch.Generator().manual_seed(4))
    g = torch.Generator().manual_seed(4)
    with torch.no_grad():
        for module in oracle.modules():  # the course's initialize_weights, by hand
            if isinstance(module, nn.Conv2d):
                init.kaiming_normal_(module.weight, nonlinearity="relu", generator=g)
                init.constant_(module.bias, 0.3)
            elif isinstance(module, nn.Linear):
                init.xavier_normal_(module.weight, generator=g)
                init.normal_(module.bias, mean=0.1, generator=g)
            elif isinstance(module, nn.BatchNorm2d):
                init.uniform_(module.weight, 0.5, 1.5, generator=g)
                init.zeros_(module.bias)
    for (name, a), b in zip(model.state_dict().items(), oracle.state_dict().values()):
        assert torch.equal(a, b), name
    assert [(r["name"], r["type"]) for r in rows] == [
        ("layer1.0", "Conv2d"), ("layer1.1", "BatchNorm2d"), ("layer2.0", "Conv2d"), ("layer2.1", "BatchNorm2d"),
        ("out", "Linear")]
    conv = dict(model.named_modules())["layer1.0"].weight
    assert rows[0]["weight_mean"] == conv.mean().item() and rows[0]["weight_std"] == conv.std().item()
    assert rows[0]["got"] == {"weight": ("kaiming_normal", {"nonlinearity": "relu"}), "bias": ("constant", {"val": 0.3})}


def test_the_courses_normal_with_0_1_sets_the_mean_not_the_std():
    layer = nn.utils.skip_init(nn.Linear, 512, 512)
    row, = initialize_weights(layer, {"Linear": {"weight": ("normal", {"mean": 0.1})}},
                              generator=torch.Generator().manual_seed(0))
    # 262,144 draws of N(0.1, 1): the mean's standard error is 1/512, the std's about 1/724
    assert abs(row["weight_mean"] - 0.1) < 5 / 512 and abs(row["weight_std"] - 1) < 5 / 724


@pytest.mark.parametrize("rules", [
    {"Linear": {"bias": ("xavier_normal", {})}},  # a fan-based scheme needs a matrix
    {"LSTM": {"weight": ("normal", {})}},
    {"Linear": {"weight": ("normal", {"sd": 1})}},
    {"Linear": {"weight": ("normal_", {})}},
    {"Linear": {"grad": ("zeros", {})}},
    {"Linear": {"weight": ("constant", {"val": "big"})}},
])
def test_bad_rules_are_a_config_error_before_any_weight_changes(rules):
    layer = nn.utils.skip_init(nn.Linear, 4, 4)
    with torch.no_grad():
        layer.weight.fill_(0.5)
        layer.bias.fill_(0.5)
    with pytest.raises(ConfigError):
        initialize_weights(layer, {"Linear": {"weight": ("ones", {})}, **rules})
    assert (layer.weight == 0.5).all() and (layer.bias == 0.5).all()
    with pytest.raises(ConfigError):
        RunConfig(init_rules=rules).validate()


def test_a_run_applies_its_rules_after_its_scheme_from_the_same_generator():
    cfg = RunConfig(hidden=(16,), epochs=1, init_rules={"Linear": {"bias": ("constant", {"val": 0.3})}})
    h = train(cfg.replace(epochs=1))
    assert h.fingerprint == train(RunConfig.from_json(cfg.to_json())).fingerprint
    assert h.fingerprint != train(cfg.replace(init_rules=None)).fingerprint
