"""The loop lab's closed forms and health gauges: softmax-then-CE floor, sum reduction's step, accumulated
gradients, update ratios, ln C at step 0, dead units, dropout and batch norm in a reproducible run."""
import json
import math
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

from core import Run, RunConfig, expected_initial_loss, mistake_effects, saved_for_backward, softmax_ce_floor, train

ROOT = Path(__file__).resolve().parent.parent

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


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_the_rule_of_thumb_gauge_is_karpathys_std_of_lr_grad_over_std_of_w(optimizer):
    cfg = BASE.replace(optimizer=optimizer)
    with Run(cfg, steps=1) as run:
        before = {name: layer.weight.detach().clone() for name, (_, layer) in run.gauges.layers.items()}
        h = run.drive()
        for name, (_, layer) in run.gauges.layers.items():  # makemore part 3: (lr * p.grad).std() / p.data.std()
            expected = ((cfg.lr * layer.weight.grad.double()).std() / before[name].double().std()).item()
            assert h.health["lr_grad_ratio"][name] == {"step": [0], "ratio": [pytest.approx(expected, rel=1e-12)]}
    applied = h.health["update_ratio"]["layer1"]["ratio"][0]
    if optimizer == "adam":  # the applied update is not lr·grad: the two gauges part, and the 1e-3 line is his
        assert applied > 5 * h.health["lr_grad_ratio"]["layer1"]["ratio"][0]


@pytest.mark.parametrize("optimizer, grows", [("sgd", True), ("momentum", True), ("adam", False)])
def test_sum_reduction_grows_the_step_of_sgd_and_momentum_not_adams_as_torch_optim_says(optimizer, grows,
                                                                                       torch_rng_restored):
    cfg = BASE.replace(optimizer=optimizer, batch_size=16)
    ratios = {}
    for reduction in ("mean", "sum"):  # torch.optim itself, one step on one batch
        g = torch.Generator().manual_seed(0)
        layer = torch.nn.Linear(64, 10)
        with torch.no_grad():
            layer.weight.copy_(torch.randn(10, 64, generator=g) / 8)
            layer.bias.zero_()
        x, y = torch.randn(16, 64, generator=g), torch.randint(0, 10, (16,), generator=g)
        opt = {"sgd": lambda p: torch.optim.SGD(p, lr=0.1), "momentum": lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9),
               "adam": lambda p: torch.optim.Adam(p, lr=0.1)}[optimizer](layer.parameters())
        w = layer.weight.detach().clone()
        F.cross_entropy(layer(x), y, reduction=reduction).backward()
        opt.step()
        ratios[reduction] = torch.linalg.vector_norm(layer.weight.detach() - w).item()
    torch_times = ratios["sum"] / ratios["mean"]
    runs = []
    for mistakes in ((), ("sum_reduction",)):
        with Run(cfg.replace(mistakes=mistakes), steps=1) as run:
            runs.append(run.drive())
    row = mistake_effects(*runs)[0]
    app_times = row["params"]["times"]
    assert (torch_times == pytest.approx(16, rel=1e-4)) is grows and (app_times == pytest.approx(16, rel=1e-4)) is grows
    if not grows:
        assert abs(app_times - 1) < 0.1 and abs(torch_times - 1) < 0.1
    why = {lang: json.loads((ROOT / "locales" / f"{lang}.json").read_text())["loop.why.sum_reduction"]
           for lang in ("en", "zh")}
    assert "Adam" in why["en"] and "Adam" in why["zh"]  # the lab's sentence names the optimizer it is not true for


def test_validating_in_train_mode_is_compared_with_the_same_model_in_eval_mode():
    cfg = BASE.replace(dropout=0.5, mistakes=("no_eval_mode",), epochs=1)
    with Run(cfg) as run:
        h = run.drive()
        x, y = run.val
        run.model.eval()  # plain torch: the broken run's own final model, validated the right way
        with torch.no_grad():
            expected = (run.model(x).argmax(1) == y).sum().item() / len(y)
    assert h.health["val_acc_eval_mode"] == [expected]
    with Run(cfg.replace(mistakes=()), steps=1) as correct:
        row = mistake_effects(correct.drive(), h)[0]
    assert row["params"]["eval_acc"] == h.health["val_acc_eval_mode"][-1] and row["params"]["acc"] == h.val_acc[-1]


def test_a_dead_unit_is_zero_on_every_training_row_at_step_0_and_at_the_end():
    cfg = BASE.replace(hidden=(64,), lr=0.5, batch_size=16, stats_every=1000)
    with Run(cfg) as run:
        with torch.no_grad():
            start = torch.relu(run.model.layer1[0](run.x_train.flatten(1)))
        h = run.drive()
        with torch.no_grad():  # plain torch on the whole training split, with the weights the run ended with
            end = torch.relu(run.model.layer1[0](run.x_train.flatten(1)))
    series = h.health["dead_fraction"]["layer1"]
    assert series["step"] == [0, h.steps] and h.health["dead_rows"] == len(end)
    assert series["fraction"] == [(start == 0).all(dim=0).float().mean().item(),
                                  (end == 0).all(dim=0).float().mean().item()]
    one_batch = (end[:16] == 0).all(dim=0).float().mean().item()  # what one sampled batch of 16 would say
    assert one_batch > series["fraction"][-1]  # a batch overstates the dead: the old gauge's error
    assert "out" not in h.health["dead_fraction"]


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
