"""init_report, hist_image, scale_verdict and the symmetry demo, checked against torch and closed forms."""
import math
import random

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from core.data.datasets import load_dataset
from core.engine.errors import ConfigError
from core.lessons.init.experiments import deep_matmul
from core.lessons.init.probe import MAX_PROBE_DEPTH, hist_image, init_report, scale_verdict
from core.plain import init_model
from core.engine.models import build_model
from core.lessons.init.symmetry import distinct_units, symmetry_demo


@pytest.mark.parametrize("scheme", ["pytorch_default", "kaiming_normal", "xavier_uniform", "normal_0.01"])
def test_measured_weight_std_matches_the_closed_form(scheme):
    r = init_report(scheme, "tanh", 3, 64, seed=1)
    assert r.names == ["layer1", "layer2", "layer3", "out"]
    assert r.fan_in == [64, 64, 64, 64] and r.fan_out == [64, 64, 64, 10]
    for measured, expected, fi, fo in zip(r.weight_std, r.expected_std, r.fan_in, r.fan_out):
        # the sample std of n draws has relative sd sqrt((kurtosis - 1) / 4n) <= 1/sqrt(2n) for
        # normal and uniform weights; allow 5 sd
        assert abs(measured / expected - 1) < 5 / math.sqrt(2 * fi * fo)


def _manual_forward(scheme, activation, depth, width, seed, batch):
    """The same weights, pushed through F.linear by hand; returns per-layer act std/mean and weight-grad std."""
    data = load_dataset("digits", seed)
    x, y = data.train.tensors[0][:batch], data.train.tensors[1][:batch]
    model = build_model("mlp", (width,) * depth, activation, (1, 8, 8), 10).to_empty(device="cpu")
    init_model(model, scheme, activation, generator=torch.Generator().manual_seed(seed))
    linears = [model[i][0] for i in range(1, depth + 1)] + [model.out]
    act = {"relu": F.relu, "tanh": torch.tanh}[activation]
    ws = [lin.weight.detach().clone().requires_grad_() for lin in linears]
    h, outs = x.flatten(1), []
    for i, (w, lin) in enumerate(zip(ws, linears)):
        h = F.linear(h, w, lin.bias.detach())
        h = act(h) if i < depth else h
        outs.append(h)
    grads = torch.autograd.grad(F.cross_entropy(h, y), ws)
    return ([o.std(unbiased=False).item() for o in outs], [o.mean().item() for o in outs],
            [g.std().item() for g in grads])


@pytest.mark.parametrize("scheme,activation", [("pytorch_default", "relu"), ("xavier_normal", "tanh")])
def test_activation_and_gradient_stats_equal_a_manual_forward(scheme, activation):
    r = init_report(scheme, activation, 4, 32, seed=3, batch=100)
    stds, means, grads = _manual_forward(scheme, activation, 4, 32, 3, 100)
    assert r.act_std == pytest.approx(stds, rel=1e-5)
    assert r.act_mean == pytest.approx(means, rel=1e-5, abs=1e-7)
    assert r.grad_std == pytest.approx(grads, rel=1e-4)


def test_the_global_random_generators_are_untouched():
    torch_state, py_state, np_state = torch.get_rng_state(), random.getstate(), np.random.get_state()[1].copy()
    init_report("kaiming_uniform", "relu", 2, 16, seed=5)
    init_report("lsuv", "relu", 2, 16, seed=5)
    init_report("xavier_normal", "tanh", 2, 16, seed=None)
    assert torch.equal(torch.get_rng_state(), torch_state)
    assert random.getstate() == py_state and (np.random.get_state()[1] == np_state).all()


def test_same_seed_same_report_and_none_draws_a_seed():
    assert init_report("orthogonal", "tanh", 2, 16, seed=9) == init_report("orthogonal", "tanh", 2, 16, seed=9)
    assert 0 <= init_report("orthogonal", "tanh", 2, 16, seed=None).seed < 2**32


def test_zero_init_gives_zero_activations_and_zero_gradients_with_relu():
    r = init_report("zeros", "relu", 3, 16, seed=0)
    assert r.act_std[:3] == [0.0, 0.0, 0.0] and r.grad_std == [0.0] * 4
    assert r.weight_std == r.expected_std == [0.0] * 4
    assert r.loss == pytest.approx(math.log(10), rel=1e-6)  # all-zero logits: uniform over 10 digits


def test_pytorch_default_shrinks_relu_activations_that_kaiming_keeps():
    default = init_report("pytorch_default", "relu", 8, 64, seed=0)
    kaiming = init_report("kaiming_normal", "relu", 8, 64, seed=0)
    # E[x^2] is multiplied by 2 * 1/6 ... per layer without the factor 2: (1/sqrt 6)^7 ~ 2e-3 over
    # layers 1->8 (the default bias keeps a floor near 0.04); kaiming's ratio stays O(1)
    assert default.act_std[7] / default.act_std[0] < 0.2
    assert 0.3 < kaiming.act_std[7] / kaiming.act_std[0] < 3
    assert default.grad_std[0] < kaiming.grad_std[0] / 100


def test_lsuv_has_no_closed_form_and_unit_output_std():
    r = init_report("lsuv", "relu", 3, 32, seed=0)
    assert r.expected_std == [None] * 4
    assert r.act_std[-1] == pytest.approx(1.0, abs=0.05)  # LSUV's tolerance, on the calibration batch


@pytest.mark.parametrize("kwargs", [dict(depth=0), dict(depth=MAX_PROBE_DEPTH + 1), dict(depth=2.5),
                                    dict(scheme="nope"), dict(activation="swish"), dict(width=0)])
def test_bad_arguments_are_config_errors(kwargs):
    args = dict(scheme="kaiming_normal", activation="relu", depth=2, width=8) | kwargs
    with pytest.raises(ConfigError):
        init_report(**args)


def test_hist_image_is_log1p_counts_at_bin_centres():
    hists = [[0, 3, 7, 0], [1, 1, 1, 1], [10, 0, 0, 5]]
    centres, z = hist_image(hists, (-4.0, 4.0))
    edges = np.linspace(-4, 4, 5)
    assert centres == pytest.approx((edges[:-1] + edges[1:]) / 2)
    assert np.allclose(z, np.log1p(np.array(hists)).T)
    assert hist_image([], (-4.0, 4.0)) == ([], [])


def test_scale_verdicts_of_the_course_experiments():
    big = deep_matmul(depth=35, scale=1.0)
    assert scale_verdict(big.stds, big.means, big.first_nonfinite)[:2] == ("nonfinite", big.first_nonfinite)
    small = deep_matmul(scale=0.01)
    verdict = scale_verdict(small.stds, small.means, small.first_nonfinite)
    assert verdict.kind == "vanished" and small.stds[verdict.layer - 1] == 0 < small.stds[verdict.layer - 2]
    good = deep_matmul(depth=30, scale=1 / math.sqrt(512))
    assert scale_verdict(good.stds, good.means, None).kind == "stable"
    relu = deep_matmul(depth=30, scale=1 / math.sqrt(512), relu=True)  # sqrt(1/2)^30 ~ 3e-5
    assert scale_verdict(relu.stds, relu.means, None).kind == "shrinks"
    assert scale_verdict([2.0, 40.0], [0.0, 1.0]) == ("grows", 2, 40.0)
    # zero weights are no underflow: a layer whose weights are all 0 outputs 0 by construction
    assert scale_verdict([0.0, 0.0], [0.0, 0.0], weight_stds=[0.0, 0.0])[:2] == ("zero_weights", 1)
    assert scale_verdict([0.5, 0.0], [0.1, 0.0], weight_stds=[0.3, 0.2])[:2] == ("vanished", 2)
    # without deep_matmul's marker the first non-finite std is the verdict's layer
    assert scale_verdict([1.0, math.inf, math.nan], [0.0, 0.0, 0.0])[:2] == ("nonfinite", 2)


def test_distinct_units_counts_rows_up_to_tolerance():
    w = torch.tensor([[1.0, 2.0], [1.0, 2.0], [1.0, 2.0 + 1e-8], [0.0, 2.0]])
    assert distinct_units(w) == 2
    assert distinct_units(w, torch.tensor([0.0, 1.0, 0.0, 0.0])) == 3
    assert distinct_units(torch.zeros(64, 10)) == 1


def test_zero_init_keeps_every_hidden_unit_identical():
    dead = symmetry_demo("zeros", "relu", steps=20)
    assert dead.distinct == 1 and dead.width == 64 and len(dead.weights) == 64 and len(dead.weights[0]) == 64
    assert all(v == 0.0 for row in dead.weights for v in row)  # relu'(0) = 0: no gradient ever arrives
    # with sigmoid the hidden layer does learn, but every unit gets the same update
    alike = symmetry_demo("zeros", "sigmoid", steps=20)
    assert alike.distinct == 1 and any(v != 0.0 for v in alike.weights[0])
    assert symmetry_demo("kaiming_normal", "relu", steps=20).distinct == 64


def test_symmetry_demo_refuses_a_bad_step_count():
    with pytest.raises(ConfigError):
        symmetry_demo("zeros", steps=0)


def test_the_report_measures_the_network_a_training_run_starts_from():
    from core.engine.config import RunConfig
    from core.engine.run import Run

    r = init_report("xavier_uniform", "tanh", 2, 32, seed=4)
    run = Run(RunConfig(hidden=(32, 32), activation="tanh", init="xavier_uniform", seed=4))
    try:
        weights = [run.model.layer1[0].weight, run.model.layer2[0].weight, run.model.out.weight]
        assert r.weight_std == [w.detach().std(unbiased=False).item() for w in weights]
    finally:
        run.close()
