"""The loop lab's closed forms and health gauges: softmax-then-CE floor, sum reduction's step, accumulated
gradients, update ratios, ln C at step 0, dead units, dropout and batch norm in a reproducible run."""
import math

import pytest
import torch
import torch.nn.functional as F

from core import Run, RunConfig, expected_initial_loss, saved_for_backward, softmax_ce_floor, train

BASE = RunConfig(hidden=(16,), epochs=1, batch_size=32, lr=0.05, seed=7, stats_every=1)


def weights(model):
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def first_batch(cfg, n):
    return torch.randperm(n, generator=torch.Generator().manual_seed(cfg.seed))[:cfg.batch_size]


def test_softmax_then_cross_entropy_has_the_floor_ln_e_plus_c_minus_1_minus_1():
    assert round(softmax_ce_floor(10), 4) == 1.4612
    for c in (2, 10, 100):  # the best case: probability 1 on the true class, 0 elsewhere
        best = F.cross_entropy(F.softmax(torch.tensor([[1e4] + [0.0] * (c - 1)]), dim=1), torch.tensor([0]))
        assert best.item() == pytest.approx(softmax_ce_floor(c), rel=1e-6)
    h = train(BASE.replace(epochs=3, lr=0.5, mistakes=("softmax_then_ce",)))
    assert min(h.train_loss) > softmax_ce_floor(10) and min(h.val_loss) > softmax_ce_floor(10)


def test_sum_reduction_takes_batch_size_times_the_mean_step_at_step_0():
    steps = {}
    for mistakes in ((), ("sum_reduction",)):
        with Run(BASE.replace(mistakes=mistakes), steps=1) as run:
            before = weights(run.model)
            run.drive()
            steps[mistakes] = {k: v - before[k] for k, v in weights(run.model).items()}
    eps = torch.finfo(torch.float32).eps
    for name, mean_step in steps[()].items():
        size = before[name].abs().max().item()  # rounding of w - lr*g is at most an ulp of w, times the batch
        torch.testing.assert_close(steps[("sum_reduction",)][name], BASE.batch_size * mean_step, rtol=1e-4,
                                   atol=4 * BASE.batch_size * eps * size)


def test_without_zero_grad_the_step_k_gradient_is_the_sum_of_the_fresh_gradients():
    cfg = BASE.replace(mistakes=("no_zero_grad",), lr=0.01)
    n_train = None
    fresh_sum = None
    with Run(cfg) as run:
        n_train = len(run.y_train)
        perm = torch.randperm(n_train, generator=torch.Generator().manual_seed(cfg.seed))
        for k, idx in enumerate(perm.split(cfg.batch_size)[:4]):
            # the fresh gradient of step k: this batch's loss at the weights before step k, from zero
            probe = {name: p.detach().clone().requires_grad_() for name, p in run.model.named_parameters()}
            logits = torch.func.functional_call(run.model, probe, (run.x_train[idx],))
            grads = torch.autograd.grad(F.cross_entropy(logits, run.y_train[idx]), list(probe.values()))
            fresh = dict(zip(probe, grads))
            fresh_sum = fresh if fresh_sum is None else {n: fresh_sum[n] + g for n, g in fresh.items()}
            run.step()
            for name, p in run.model.named_parameters():
                torch.testing.assert_close(p.grad, fresh_sum[name], rtol=1e-5, atol=1e-7)
        assert k == 3


def test_update_ratio_at_step_0_is_exactly_proportional_to_the_rate_for_plain_sgd():
    ratios = {}
    for lr in (0.01, 0.04):
        with Run(BASE.replace(lr=lr), steps=1) as run:
            ratios[lr] = {name: s["ratio"][0] for name, s in run.drive().health["update_ratio"].items()}
    assert set(ratios[0.01]) == {"layer1", "out"}
    for name, small in ratios[0.01].items():
        assert ratios[0.04][name] == pytest.approx(4 * small, rel=1e-5)


def test_update_ratio_is_nan_not_an_error_where_the_weights_start_at_zero():
    h = Run(BASE.replace(init="zeros"), steps=1).drive()
    assert all(math.isnan(s["ratio"][0]) for s in h.health["update_ratio"].values())


def test_step_0_loss_against_ln_c_and_grad_norm_per_step():
    for dataset, classes in (("digits", 10), ("moons", 2)):
        h = train(BASE.replace(dataset=dataset, epochs=1, stats_every=5))
        assert h.health["expected_initial_loss"] == math.log(classes) == expected_initial_loss(classes)
        assert h.health["initial_loss"] == h.train_loss[0]
        assert len(h.health["grad_norm"]) == h.steps
        assert h.health["update_ratio"]["layer1"]["step"] == list(range(0, h.steps, 5))
    with Run(BASE, steps=1) as run:
        run.drive()
        total = torch.linalg.vector_norm(torch.cat([p.grad.flatten() for p in run.model.parameters()]))
        assert run.history.health["grad_norm"] == [pytest.approx(total.item(), rel=1e-6)]


def test_dead_fraction_counts_units_silent_for_the_whole_batch():
    with Run(BASE, steps=1) as run:
        idx = first_batch(BASE, len(run.y_train))
        with torch.no_grad():
            act = torch.relu(run.model.layer1[0](run.x_train[idx].flatten(1)))
        expected = (act == 0).all(dim=0).float().mean().item()
        health = run.drive().health
    assert health["dead_fraction"]["layer1"] == {"step": [0], "fraction": [expected]}
    assert "out" not in health["dead_fraction"]


def test_dropout_run_is_reproducible_leaves_the_global_rng_and_its_stats_see_the_activation_before_dropout():
    state = torch.get_rng_state()
    plain_run, dropped = train(BASE), train(BASE.replace(dropout=0.5))
    assert torch.equal(state, torch.get_rng_state())
    assert dropped.fingerprint == train(BASE.replace(dropout=0.5)).fingerprint != plain_run.fingerprint
    assert dropped.fingerprint != train(BASE.replace(dropout=0.5, seed=8)).fingerprint
    # same weights and batch at step 0, dropout after the activation: the activation's stats agree
    assert dropped.layer_stats["layer1"]["act_mean"][0] == plain_run.layer_stats["layer1"]["act_mean"][0]


@pytest.mark.parametrize("model", ["mlp", "cnn"])
def test_batch_norm_layers_start_as_torch_resets_them(model):
    cfg = BASE.replace(model=model, hidden=(8, 8), norm="batch", dropout=0.1, init="kaiming_normal")
    with Run(cfg, steps=1) as run:
        norms = [m for m in run.model.modules() if isinstance(m, (torch.nn.BatchNorm1d, torch.nn.BatchNorm2d))]
        assert len(norms) == 2
        for norm in norms:
            assert torch.equal(norm.weight, torch.ones_like(norm.weight)) and not norm.bias.any()
            assert not norm.running_mean.any() and torch.equal(norm.running_var, torch.ones_like(norm.running_var))
        assert run.drive().diverged_at is None


@pytest.mark.parametrize("bad", [{"dropout": 1.0}, {"dropout": -0.1}, {"norm": "layer"}])
def test_bad_norm_or_dropout_is_a_config_error(bad):
    from core import ConfigError

    with pytest.raises(ConfigError):
        BASE.replace(**bad).validate()


def test_validation_with_grad_gives_the_same_numbers_and_keeps_tensors_for_backward():
    with Run(BASE, steps=1) as run:
        x, y = run.val
        with_grad = saved_for_backward(run.model, x, y, with_grad=True)
        without = saved_for_backward(run.model, x, y, with_grad=False)
    assert (with_grad["loss"], with_grad["accuracy"]) == (without["loss"], without["accuracy"])
    assert without["bytes"] == 0 and with_grad["bytes"] >= x.numel() * 4  # at least the input to the first layer


def test_each_mistakes_effect_is_measured_against_the_correct_run():
    from core import mistake_effects

    cfg = BASE.replace(epochs=1, stats_every=5)
    correct = train(cfg)
    assert correct.health["eval_saved_bytes"] == [0]  # validation under no_grad keeps nothing
    buggy = train(cfg.replace(mistakes=("eval_with_grad", "sum_reduction", "softmax_then_ce")))
    rows = {row["mistake"]: row for row in mistake_effects(correct, buggy)}
    assert [row["code"] for row in rows.values()] == ["loop.effect.eval_with_grad", "loop.effect.sum_reduction",
                                                     "loop.effect.softmax_then_ce"]
    assert rows["eval_with_grad"]["params"]["mb"] > 0 == rows["eval_with_grad"]["params"]["ok_mb"]
    assert rows["softmax_then_ce"]["params"]["floor"] == softmax_ce_floor(10) < rows["softmax_then_ce"]["params"]["low"]
    assert rows["eval_with_grad"]["params"]["acc"] == buggy.val_acc[-1]
