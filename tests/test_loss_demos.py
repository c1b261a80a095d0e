"""Loss demos against closed forms and torch.nn.functional."""
import math

import pytest
import torch
import torch.nn.functional as F

from core import ConfigError
from core.lessons.losses.demos import BASE_LOGITS, first_scale, loss_curves, loss_gradients, scaled_log_softmax

F32_MAX_LOG = math.log(torch.finfo(torch.float32).max)  # 88.72: exp above this is inf in float32


def test_small_scale_naive_and_stable_agree_with_torch():
    r = scaled_log_softmax(1.0)
    expected = F.log_softmax(torch.tensor(BASE_LOGITS), -1)
    torch.testing.assert_close(torch.tensor(r["stable"]), expected)
    torch.testing.assert_close(torch.tensor(r["naive"]), expected)


def test_large_scale_naive_gives_nan_stable_stays_finite_and_exact():
    r = scaled_log_softmax(1000.0)
    assert math.isnan(r["naive"][0])  # exp(2000) = inf, inf / inf = NaN
    assert all(math.isfinite(v) for v in r["stable"])
    # the top logit dominates completely: log-softmax is z - max
    assert r["stable"] == pytest.approx([0.0, -1000.0, -1900.0, -3000.0])


def test_nan_appears_where_exp_of_the_top_logit_overflows():
    assert scaled_log_softmax(1.0)["nan_at"] == pytest.approx(F32_MAX_LOG / max(BASE_LOGITS), rel=1e-4)


def test_naive_first_breaks_by_underflow_before_it_overflows():
    r = scaled_log_softmax(1.0)
    # exp(z_min) / sum ~ exp(-3 s) rounds to 0 below half the smallest float32 subnormal (2^-150): log 0 = -inf
    spread = max(BASE_LOGITS) - min(BASE_LOGITS)
    assert r["breaks_at"] == pytest.approx(150 * math.log(2) / spread, rel=0.005)
    assert r["breaks_at"] < r["nan_at"]
    just_after = scaled_log_softmax(r["breaks_at"] * 1.001)["naive"]
    assert just_after[-1] == -math.inf and all(math.isfinite(v) for v in just_after[:-1])


def test_first_scale_is_none_when_the_predicate_never_holds():
    assert first_scale(lambda v: torch.isnan(v).any(), base=(0.001, 0.0)) is None


def test_cross_entropy_is_nll_of_log_softmax_for_each_target():
    for target in range(len(BASE_LOGITS)):
        r = scaled_log_softmax(3.0, target)
        assert r["cross_entropy"] == pytest.approx(-r["stable"][target], rel=1e-6)
        assert r["nll"] == pytest.approx(r["cross_entropy"], rel=1e-6)
        assert r["torch_cross_entropy"] == pytest.approx(r["cross_entropy"], rel=1e-5)


@pytest.mark.parametrize("scale", [0.5, 2e4, float("nan"), float("inf"), "10", True])
def test_bad_scale_is_a_config_error(scale):
    with pytest.raises(ConfigError) as err:
        scaled_log_softmax(scale)
    assert err.value.code == "scale_range"


@pytest.mark.parametrize("target", [-1, 4, 1.0])
def test_bad_target_is_a_config_error(target):
    with pytest.raises(ConfigError):
        scaled_log_softmax(10.0, target)


def test_gradients_match_closed_forms():
    ps = [0.01, 0.1, 0.5, 0.9, 0.99]
    r = loss_gradients(ps)
    for p, ce, m, g_ce, g_mse in zip(ps, r["ce"], r["mse"], r["ce_grad"], r["mse_grad"]):
        assert ce == pytest.approx(-math.log(p), rel=1e-5)
        assert m == pytest.approx((1 - p) ** 2, rel=1e-5)  # mean of (p-1)^2 and (1-p)^2
        assert g_ce == pytest.approx(p - 1, abs=1e-6)  # softmax CE: p - 1 for the true logit
        assert g_mse == pytest.approx(-2 * p * (1 - p) ** 2, abs=1e-6)  # chain rule through the sigmoid


def test_mse_gradient_vanishes_when_confidently_wrong_ce_does_not():
    r = loss_gradients([0.01])
    assert abs(r["ce_grad"][0]) > 0.98
    assert abs(r["mse_grad"][0]) < 0.02


def test_curves_span_the_range():
    r = loss_curves(n=5)
    assert r["p"] == pytest.approx([0.01, 0.255, 0.5, 0.745, 0.99])
    assert len(r["ce_grad"]) == len(r["mse_grad"]) == 5


@pytest.mark.parametrize("p", [0.0, 1.0, -0.5, float("nan")])
def test_probability_outside_open_interval_is_a_config_error(p):
    with pytest.raises(ConfigError):
        loss_gradients([p])
