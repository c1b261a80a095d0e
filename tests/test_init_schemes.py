"""Init schemes against torch.nn.init and the closed-form std of each scheme."""
import math

import pytest
import torch
from torch import nn

from core.engine.errors import ConfigError
from core.lessons.init.gains import expected_std, kaiming_uniform_scratch
from core.plain import ACTIVATIONS, INIT_SCHEMES, LEAKY_SLOPE, SPARSITY, calculate_gain, fans, init_model

# These tests build torch layers, whose default init draws from the global RNG: it is put back after each.
pytestmark = pytest.mark.usefixtures("torch_rng_restored")

TORCH_NAMES = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
               "conv_transpose3d", "sigmoid", "tanh", "relu", "leaky_relu", "selu"]
# Tall and wide matrices, and convs whose (out, in*k) view is tall and wide: the orthogonal and
# sparse formulas take different branches on each.
LAYERS = {
    "linear_400_300": lambda: nn.Linear(400, 300),
    "linear_100_300": lambda: nn.Linear(100, 300),
    "conv_32_64_3": lambda: nn.Conv2d(32, 64, 3),
    "conv_8_256_3": lambda: nn.Conv2d(8, 256, 3),
}
# The largest kurtosis among the schemes is sparse's: half zeros gives 3 / 0.5 = 6.
KURTOSIS_MAX = 6.0


def gen(seed=0):
    return torch.Generator().manual_seed(seed)


@pytest.mark.parametrize("name", TORCH_NAMES)
def test_gain_equals_torch(name):
    assert calculate_gain(name) == nn.init.calculate_gain(name)


@pytest.mark.parametrize("slope", [None, 0, 0.01, 0.2, 1, 3, math.sqrt(5)])
def test_leaky_gain_equals_torch_for_any_slope(slope):
    assert calculate_gain("leaky_relu", slope) == nn.init.calculate_gain("leaky_relu", slope)


def test_gain_rejects_what_torch_rejects():
    for bad in (True, "0.2"):
        with pytest.raises(ValueError):
            nn.init.calculate_gain("leaky_relu", bad)
        with pytest.raises(ConfigError):
            calculate_gain("leaky_relu", bad)
    with pytest.raises(ConfigError, match="relu"):
        calculate_gain("swish")


def test_every_activation_has_a_gain_and_a_module():
    assert calculate_gain("gelu") == calculate_gain("relu") == math.sqrt(2)
    assert calculate_gain("linear") == calculate_gain("identity") == 1
    for name, factory in ACTIVATIONS.items():
        assert calculate_gain(name) > 0
        assert isinstance(factory(), nn.Module) and factory() is not factory()
    assert ACTIVATIONS["leaky_relu"]().negative_slope == LEAKY_SLOPE
    assert isinstance(ACTIVATIONS["linear"](), nn.Identity)


@pytest.mark.parametrize("shape", [(300, 400), (64, 32, 3, 3), (16, 4, 5)])
def test_fans_equal_torch(shape):
    assert fans(torch.empty(shape)) == nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))


@pytest.mark.parametrize("activation", ["tanh", "gelu", "leaky_relu"])
@pytest.mark.parametrize("layer_name", LAYERS)
@pytest.mark.parametrize("scheme", [s for s in INIT_SCHEMES if s != "lsuv"])
def test_weight_std_matches_closed_form(scheme, layer_name, activation):
    layer = init_model(LAYERS[layer_name](), scheme, activation, generator=gen())
    w = layer.weight.detach()
    fan_in, fan_out = fans(w)
    want = expected_std(scheme, fan_in, fan_out, activation, receptive_field=w[0][0].numel())
    got = w.std(unbiased=False).item()
    if want == 0:
        assert torch.all(w == w.flatten()[0])  # std computed in float32 of 0.1s is not exactly 0
    else:
        # relative error of a std estimate from n draws is sqrt((kurtosis - 1) / 4n); allow 5 sigma
        assert abs(got / want - 1) < 5 * math.sqrt((KURTOSIS_MAX - 1) / (4 * w.numel()))
    if scheme == "pytorch_default":
        assert layer.bias.abs().max() <= 1 / math.sqrt(fan_in)
        assert layer.bias.abs().max() > 0
    else:
        assert torch.count_nonzero(layer.bias) == 0


def test_lsuv_has_no_closed_form_and_unknown_scheme_is_refused():
    assert expected_std("lsuv", 400, 300, "relu") is None
    with pytest.raises(ConfigError):
        expected_std("magic", 400, 300, "relu")
    with pytest.raises(ConfigError, match="kaiming_normal.*orthogonal"):
        init_model(nn.Linear(3, 4), "magic", "relu", generator=gen())
    with pytest.raises(ConfigError):
        init_model(nn.Linear(3, 4), "kaiming_normal", "swish", generator=gen())


def test_sparse_zeroes_a_fixed_count_in_every_column():
    w = init_model(nn.Linear(400, 300), "sparse", "relu", generator=gen()).weight
    assert (w == 0).sum(dim=0).tolist() == [math.ceil(SPARSITY * 300)] * 400


def test_identity_schemes_are_identity_maps():
    x = torch.randn(5, 16, 10, generator=gen(1))
    for scheme in ("eye", "dirac"):
        lin = init_model(nn.Linear(16, 16), scheme, "relu", generator=gen())
        conv = init_model(nn.Conv1d(16, 16, 3, padding=1), scheme, "relu", generator=gen())
        assert torch.equal(lin(x.transpose(1, 2)), x.transpose(1, 2))
        assert torch.equal(conv(x), x)


NETS = [lambda: nn.Sequential(nn.Linear(20, 30), nn.ReLU(), nn.Linear(30, 10)),
        lambda: nn.Sequential(nn.Conv2d(3, 8, 5), nn.ReLU(), nn.Conv1d(4, 6, 3))]


@pytest.mark.parametrize("make_net", NETS)
def test_pytorch_default_replicates_torch_bitwise(make_net):
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(123)
        reference = make_net()  # built by PyTorch's own reset_parameters
    ours = init_model(make_net(), "pytorch_default", "relu", generator=gen(123))
    for p, q in zip(reference.parameters(), ours.parameters()):
        assert torch.equal(p, q)


@pytest.mark.parametrize("seeded", [True, False])
@pytest.mark.parametrize("scheme", list(INIT_SCHEMES))
def test_init_model_leaves_global_rng_alone(scheme, seeded):
    model = nn.Sequential(nn.Conv1d(2, 20, 3), nn.Flatten(), nn.Linear(20 * 6, 12))
    sample = torch.randn(32, 2, 8, generator=gen(9))
    before = torch.get_rng_state()
    init_model(model, scheme, "tanh", generator=gen(4) if seeded else None, sample=sample)
    assert torch.equal(before, torch.get_rng_state())


@pytest.mark.parametrize("scheme", ["pytorch_default", "kaiming_normal", "orthogonal", "sparse",
                                    "trunc_normal", "xavier_uniform", "lsuv"])
def test_same_seed_same_weights_other_seed_other_weights(scheme):
    sample = torch.randn(64, 20, generator=gen(9))

    def weights(seed):
        net = nn.Sequential(nn.Linear(20, 30), nn.Tanh(), nn.Linear(30, 10))
        return init_model(net, scheme, "tanh", generator=gen(seed), sample=sample)[2].weight

    assert torch.equal(weights(1), weights(1))
    assert not torch.equal(weights(1), weights(2))


@pytest.mark.parametrize("scheme", ["zeros", "constant", "ones"])
def test_constant_inits_keep_hidden_units_identical_through_training(scheme):
    net = init_model(nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 3)), scheme, "tanh")
    opt = torch.optim.SGD(net.parameters(), lr=0.5)
    x, y = torch.randn(16, 4, generator=gen(2)), torch.randint(0, 3, (16,), generator=gen(3))
    for _ in range(5):
        opt.zero_grad()
        nn.functional.cross_entropy(net(x), y).backward()
        opt.step()
    w1 = net[0].weight
    # every hidden unit receives the same gradient, so symmetry is never broken
    torch.testing.assert_close(w1, w1[:1].expand_as(w1), rtol=0, atol=1e-6)


@pytest.mark.parametrize("shape", [(300, 400), (64, 32, 3, 3)])
@pytest.mark.parametrize("a,nonlinearity", [(0, "leaky_relu"), (math.sqrt(5), "leaky_relu"),
                                            (0, "relu"), (0, "tanh")])
def test_kaiming_uniform_scratch_is_bitwise_torch(shape, a, nonlinearity):
    ours = kaiming_uniform_scratch(shape, a, nonlinearity, generator=gen(7))
    theirs = nn.init.kaiming_uniform_(torch.empty(shape), a=a, nonlinearity=nonlinearity,
                                      generator=gen(7))
    assert torch.equal(ours, theirs)


def lsuv_net():
    return nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Dropout(0.5), nn.Linear(64, 64),
                         nn.ReLU(), nn.Linear(64, 10))


def test_lsuv_gives_unit_output_std_per_layer_and_removes_hooks():
    sample = torch.randn(256, 20, generator=gen(5)) * 3 + 1
    net = init_model(lsuv_net().train(), "lsuv", "relu", generator=gen(), sample=sample)
    assert net.training and net[2].training  # modes restored after the eval-mode calibration
    assert all(not m._forward_hooks for m in net.modules())
    net.eval()
    x, stds = sample, []
    with torch.no_grad():
        for m in net:
            x = m(x)
            if isinstance(m, nn.Linear):
                stds.append(x.std().item())
    assert len(stds) == 3 and all(abs(s - 1) < 0.05 for s in stds)


def test_lsuv_needs_a_sample_and_cleans_up_on_error():
    with pytest.raises(ConfigError, match="LSUV needs a batch"):
        init_model(lsuv_net(), "lsuv", "relu", generator=gen())
    net = lsuv_net().train()
    with pytest.raises(RuntimeError):
        init_model(net, "lsuv", "relu", generator=gen(), sample=torch.randn(4, 7))
    assert all(not m._forward_hooks for m in net.modules()) and net.training
