import numpy as np
import pytest
import torch

from core import SURFACE_PRESETS, ConfigError, descend, linear_data, surface


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


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_the_path_is_torch_optims_path_on_the_same_two_parameters(optimizer):
    x, y = linear_data(seed=1)
    lr, steps, start = 0.2, 25, (-1.5, 4.0)
    path = descend(x, y, lr, steps=steps, start=start, optimizer=optimizer)
    params = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    make = {"sgd": lambda: torch.optim.SGD([params], lr=lr, foreach=False),
            "momentum": lambda: torch.optim.SGD([params], lr=lr, momentum=0.9, foreach=False),
            "adam": lambda: torch.optim.Adam([params], lr=lr, foreach=False)}
    opt = make[optimizer]()
    ws, bs, grads = [start[0]], [start[1]], []
    for _ in range(steps):
        opt.zero_grad()
        loss = ((params[0] * x + params[1] - y) ** 2).mean()
        loss.backward()
        grads.append(params.grad.tolist())
        opt.step()
        ws.append(params[0].item())
        bs.append(params[1].item())
        state = opt.state[params]
        if optimizer == "momentum":
            assert path.velocity[len(grads) - 1] == state["momentum_buffer"].tolist()
        if optimizer == "adam":
            t = float(state["step"])
            m_hat = (state["exp_avg"] / (1 - 0.9 ** t)).tolist()
            v_hat_sqrt = (state["exp_avg_sq"] / (1 - 0.999 ** t)).sqrt().tolist()
            assert path.m_hat[len(grads) - 1] == pytest.approx(m_hat, rel=1e-14)
            assert path.v_hat_sqrt[len(grads) - 1] == pytest.approx(v_hat_sqrt, rel=1e-14)
    assert path.w == ws and path.b == bs and path.grads == grads
    assert np.array_equal(path.updates, np.diff(np.array([ws, bs]).T, axis=0))  # the step taken, new − old


def test_each_update_is_the_optimizers_rule_applied_to_its_own_numbers():
    x, y = linear_data(seed=2)
    lr = 0.1
    momentum = descend(x, y, lr, steps=10, optimizer="momentum")
    assert np.allclose(momentum.updates, -lr * np.array(momentum.velocity), rtol=1e-12, atol=1e-15)
    adam = descend(x, y, lr, steps=10, optimizer="adam")
    expected = -lr * np.array(adam.m_hat) / (np.array(adam.v_hat_sqrt) + 1e-8)
    assert np.allclose(adam.updates, expected, rtol=1e-12, atol=1e-15)
    sgd = descend(x, y, lr, steps=10)
    assert np.allclose(sgd.updates, -lr * np.array(sgd.grads), rtol=1e-12, atol=1e-15)
    assert sgd.velocity == sgd.m_hat == []


def test_an_unknown_optimizer_is_a_config_error():
    with pytest.raises(ConfigError):
        descend(*linear_data(), lr=0.1, optimizer="rmsprop")
