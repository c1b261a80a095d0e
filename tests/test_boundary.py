"""decision_grid: the class-1 probability over a grid in input units, checked against a closed form."""
import numpy as np
import pytest
import torch
from torch import nn

from core.lessons.train.boundary import decision_grid, grid_axes, input_points
from core.data.datasets import load_dataset
from core.plain import pool_counts
from core.engine.seeding import seeded
from core.data.toy import make_toy


def test_input_points_undo_the_standardisation():
    bundle = load_dataset("moons", 0)
    g = torch.Generator().manual_seed(0)  # replay load_dataset's draws: the toy set, then the split
    x, y = make_toy("moons", g)
    _, n_val, n_test = pool_counts(len(x), 0.2)
    train = torch.randperm(len(x), generator=g)[n_test + n_val:]
    points, labels = input_points(bundle)
    assert np.allclose(points, x[train].numpy(), atol=1e-5) and np.array_equal(labels, y[train].numpy())


def test_grid_spans_the_points_with_a_margin():
    points = np.array([[0.0, -1.0], [2.0, 3.0]])
    xs, ys = grid_axes(points, n=5, margin=0.5)
    assert np.allclose(xs, np.linspace(-1, 3, 5)) and np.allclose(ys, np.linspace(-3, 5, 5))


@pytest.mark.parametrize("training", [True, False])
def test_linear_model_matches_the_logistic_closed_form(training):
    bundle = load_dataset("gaussian", 3)
    with seeded(0):  # nn.Linear draws its default init from the global RNG
        model = nn.Sequential(nn.Linear(2, 2))
    with torch.no_grad():
        model[0].weight.copy_(torch.tensor([[0.5, -1.0], [2.0, 0.25]]))
        model[0].bias.copy_(torch.tensor([0.1, -0.3]))
    model.train(training)
    xs, ys, probs = decision_grid(model, bundle, n=7)
    assert probs.shape == (7, 7) and model.training is training
    mean, std = bundle.feature_mean.double().numpy(), bundle.feature_std.double().numpy()
    w = np.array([2.0 - 0.5, 0.25 + 1.0])  # softmax over two classes = sigmoid of the logit difference
    for i, yv in enumerate(ys):
        for j, xv in enumerate(xs):
            z = (np.array([xv, yv]) - mean) / std
            expected = 1 / (1 + np.exp(-(z @ w + (-0.3 - 0.1))))
            assert probs[i, j] == pytest.approx(expected, abs=1e-5)


def test_image_data_has_no_decision_grid():
    bundle = load_dataset("digits", 0)
    with seeded(0), pytest.raises(ValueError, match="2-D"):
        decision_grid(nn.Sequential(nn.Flatten(), nn.Linear(64, 10)), bundle)
