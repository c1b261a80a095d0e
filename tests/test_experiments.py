"""The course's init experiments reproduce their numbers, with tolerances from the maths."""
import math

import pytest
import torch

from core.engine.errors import ConfigError
from core.lessons.init.experiments import conv_stack_stats, deep_matmul, product_moments

WIDTH, DEPTH = 512, 100


def test_unscaled_matmul_overflows_near_layer_28():
    run = deep_matmul(scale=1.0)
    # the std grows by sqrt(512) per layer, so float32's max 3.4e38 is passed at
    # k = ln(3.4e38) / ln(sqrt(512)) = 28.4; the per-layer noise moves this by << 1 layer
    k_star = math.log(torch.finfo(torch.float32).max) / math.log(math.sqrt(WIDTH))
    assert abs(run.first_nonfinite - k_star) <= 1.5
    assert math.isnan(run.stds[-1])
    # log-std per layer: mean ln sqrt(512), sd 1/sqrt(2*512); over 19 ratios allow 5 sigma
    growth = math.log(run.stds[19] / run.stds[0]) / 19
    assert abs(growth - math.log(math.sqrt(WIDTH))) < 5 / math.sqrt(2 * WIDTH * 19)


def test_the_first_nan_std_comes_from_the_plain_sum_not_from_squares():
    run = deep_matmul(scale=1.0)
    g = torch.Generator().manual_seed(0)  # replay the experiment's draws with torch alone
    x, squares_overflow = torch.randn(WIDTH, generator=g), None
    for layer in range(1, run.first_nonfinite + 1):
        x = torch.randn(WIDTH, WIDTH, generator=g) @ x
        if torch.isinf((x * x).sum()) and math.isfinite(x.std().item()):
            squares_overflow = squares_overflow or layer  # float32 squares overflow here, yet torch's std is still finite
    assert squares_overflow < run.first_nonfinite - 5
    assert bool(torch.isfinite(x).all()) and run.vector_nonfinite == run.first_nonfinite + 1
    assert math.isnan(x.sum().item()) and math.isnan(x.std().item())  # +inf and -inf partial sums: NaN


def test_small_scale_underflows_to_exact_zeros():
    run = deep_matmul(scale=0.01)
    assert run.first_nonfinite is None
    # 0.01 * sqrt(512) = 0.23 per layer reaches float32's smallest subnormal (1.4e-45) near 70
    assert run.stds[-1] == 0.0 and run.means[-1] == 0.0
    assert run.stds[DEPTH // 2] > 0


def test_scale_one_over_sqrt_width_keeps_std_near_one():
    run = deep_matmul(scale=1 / math.sqrt(WIDTH))
    assert run.first_nonfinite is None and len(run.stds) == len(run.means) == DEPTH
    # each layer multiplies the variance by chi2_512 / 512: log-std drifts by -1/(2n) with
    # variance 1/(2n) per layer, n = 512; after 100 layers allow 5 sigma
    drift, sd = -DEPTH / (2 * WIDTH), math.sqrt(DEPTH / (2 * WIDTH))
    assert abs(math.log(run.stds[-1]) - drift) < 5 * sd


def test_relu_needs_the_kaiming_scale():
    kept = deep_matmul(scale=math.sqrt(2 / WIDTH), relu=True)
    shrunk = deep_matmul(scale=1 / math.sqrt(WIDTH), relu=True)
    # the kept second moment is 1, so x = relu(N(0, 2)) entries: std sqrt(1 - 1/pi) ~ 0.83.
    # Per layer the variance is multiplied by (2/n) * sum relu(g)^2, relative variance 5/n
    # (var relu(g)^2 = 1.25), i.e. the log-std has variance and downward drift 5/(4n)
    var_per_layer = 5 / (4 * WIDTH)
    sd = math.sqrt(DEPTH * var_per_layer)
    assert abs(math.log(kept.stds[-1] / math.sqrt(1 - 1 / math.pi))) < 5 * sd + DEPTH * var_per_layer
    # without the factor 2 the std halves in variance each layer: sqrt(0.5) per layer
    decay = (shrunk.stds[-1] / shrunk.stds[0]) ** (1 / (DEPTH - 1))
    tolerance = 5 * math.sqrt(var_per_layer / (DEPTH - 1)) + var_per_layer
    assert abs(math.log(decay / math.sqrt(0.5))) < tolerance


N = 10**6


def test_product_moments_match_the_exact_values():
    mean, mean_sq = product_moments(N)
    # a*x has variance 1 and (a*x)^2 has variance E[a^4]E[x^4] - 1 = 8
    assert abs(mean) < 5 * math.sqrt(1 / N)
    assert abs(mean_sq - 1) < 5 * math.sqrt(8 / N)


def test_product_moments_after_relu_halve():
    mean, mean_sq = product_moments(N, relu=True)
    # relu(y): E = E|y|/2 = 1/pi, E[.^2] = 1/2; variances 1/2 - 1/pi^2 and E[y^4]/2 - 1/4 = 4.25
    assert abs(mean - 1 / math.pi) < 5 * math.sqrt((0.5 - 1 / math.pi**2) / N)
    assert abs(mean_sq - 0.5) < 5 * math.sqrt(4.25 / N)


def test_default_conv_init_shrinks_activations_and_gradients():
    default, kaiming = conv_stack_stats("pytorch_default"), conv_stack_stats("kaiming_uniform")
    # default weights have std 1/sqrt(3 fan_in), kaiming sqrt(2/fan_in): each layer shrinks the
    # signal by 1/sqrt(6) relative to kaiming, (1/6)^2 = 0.028 after four layers
    assert default.out_std < 0.1 < 0.2 < kaiming.out_std
    assert default.out_std / kaiming.out_std < 0.1
    assert all(b < a for a, b in zip(default.layer_stds, default.layer_stds[1:]))
    assert len(default.layer_stds) == 4 and min(kaiming.layer_stds) > 0.5
    assert default.first_grad_std < 0.2 * kaiming.first_grad_std


def test_conv_stack_rejects_unknown_init():
    with pytest.raises(ConfigError):
        conv_stack_stats("magic")


@pytest.mark.parametrize("experiment", [
    lambda seed: deep_matmul(depth=5, width=64, seed=seed),
    lambda seed: product_moments(1000, seed=seed),
    lambda seed: conv_stack_stats("kaiming_normal", seed=seed),
])
def test_experiments_are_seeded_and_leave_global_rng_alone(experiment):
    before = torch.get_rng_state()
    first = experiment(3)
    assert torch.equal(before, torch.get_rng_state())
    assert experiment(3) == first
    assert experiment(4) != first
