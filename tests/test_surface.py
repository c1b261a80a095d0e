import numpy as np
import pytest

from core import SURFACE_PRESETS, descend, linear_data, surface


def test_surface_is_the_mean_squared_error_at_every_grid_point():
    x, y = linear_data(seed=3)
    ws, bs, losses = surface(x, y, n=7)
    xn, yn = x.numpy(), y.numpy()
    for i, b in enumerate(bs):
        for j, w in enumerate(ws):
            assert losses[i][j] == pytest.approx(np.mean((w * xn + b - yn) ** 2), rel=1e-12)


def test_gradient_step_matches_the_closed_form_gradient():
    x, y = linear_data(seed=0)
    path = descend(x, y, lr=0.1, steps=1, start=(0.0, 0.0))
    xn, yn = x.numpy(), y.numpy()
    grad_w, grad_b = np.mean(-2 * xn * yn), np.mean(-2 * yn)  # at w = b = 0
    assert path.w[1] == pytest.approx(-0.1 * grad_w) and path.b[1] == pytest.approx(-0.1 * grad_b)


def test_preset_rates_crawl_converge_bounce_and_escape():
    x, y = linear_data()
    small, good, large, diverged = (descend(x, y, SURFACE_PRESETS[k], steps=30)
                                    for k in ("too_small", "good", "too_large", "diverged"))
    minimum = min(good.loss)
    assert small.loss[-1] > 5 * minimum  # still far from the bottom
    assert good.loss[-1] < 1.01 * minimum + 1e-9 and all(np.diff(good.loss) <= 1e-12)
    steps_w = np.diff(large.w)
    assert np.all(steps_w[:-1] * steps_w[1:] < 0)  # bounces across the valley each step
    assert large.loss[-1] < large.loss[0] and not large.escaped
    assert diverged.escaped and diverged.loss[-1] > diverged.loss[0]
