"""Learning-rate schedules: History.lr, step by step, equals torch.optim.lr_scheduler's rates (computed here)."""
import copy
import math
import warnings

import pytest
import torch
import torch.nn.functional as F
from torch.optim import lr_scheduler as L

from core import SCHEDULES, ConfigError, RunConfig, planned_rates, schedule_lr, train

CFG = RunConfig(hidden=(16,), epochs=2, batch_size=64, lr=0.3)  # 1,222 training rows: 20 steps an epoch
WARMUP = 5


def torch_rates(schedule, peak, total):
    """The rate torch's scheduler sets before each of `total` steps."""
    param = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([param], lr=peak)
    make = {
        "constant": lambda: L.ConstantLR(opt, factor=1.0, total_iters=0),
        "step": lambda: L.StepLR(opt, step_size=math.ceil(total / 3), gamma=0.1),
        "cosine": lambda: L.CosineAnnealingLR(opt, T_max=total),
        "one_cycle": lambda: L.OneCycleLR(opt, max_lr=peak, total_steps=total, cycle_momentum=False),
        "warmup_cosine": lambda: L.SequentialLR(opt, [L.LinearLR(opt, start_factor=0.01, total_iters=WARMUP),
                                                      L.CosineAnnealingLR(opt, T_max=total - WARMUP)],
                                                milestones=[WARMUP]),
    }
    rates = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch warns about the order of step() calls it cannot see here
        scheduler = make[schedule]()
        for _ in range(total):
            rates.append(opt.param_groups[0]["lr"])
            opt.step()
            scheduler.step()
    return rates


@pytest.mark.parametrize("schedule", SCHEDULES)
def test_history_lr_is_the_rate_torch_schedulers_give_at_every_step(schedule):
    cfg = CFG.replace(schedule=schedule, warmup_steps=WARMUP if schedule == "warmup_cosine" else 0)
    history = train(cfg)
    assert len(history.lr) == len(history.train_loss) == 2 * history.steps_per_epoch
    expected = torch_rates(schedule, cfg.lr, history.steps)
    assert max(abs(a - b) for a, b in zip(history.lr, expected)) <= 1e-12
    assert max(history.lr) == pytest.approx(cfg.lr, rel=1e-12)  # lr is the peak
    assert planned_rates(cfg) == history.lr  # known before the run, as the chart draws it


def test_a_constant_schedule_trains_exactly_as_before_and_the_schedule_changes_the_run():
    plain = train(CFG)
    assert plain.lr == [CFG.lr] * plain.steps
    cosine = train(CFG.replace(schedule="cosine"))
    assert cosine.train_loss[0] == plain.train_loss[0] and cosine.fingerprint != plain.fingerprint
    assert train(CFG.replace(schedule="cosine")).fingerprint == cosine.fingerprint


def test_one_cycle_closed_form_at_its_corners():
    rate = schedule_lr("one_cycle", 1.0, 100)
    assert rate(0) == pytest.approx(1 / 25, rel=1e-15)
    assert rate(29) == pytest.approx(1.0, rel=1e-15)  # peak at 30 % of the steps (torch's phase end, step 29)
    assert rate(99) == pytest.approx(1 / 25 / 1e4, rel=1e-12)


@pytest.mark.parametrize("changes, code", [
    ({"schedule": "exponential"}, "unknown_choice"),
    ({"schedule": "warmup_cosine", "warmup_steps": 0}, "warmup_range"),
    ({"schedule": "warmup_cosine", "warmup_steps": 40}, "warmup_too_long"),
    ({"warmup_steps": -1}, "warmup_range"),
])
def test_bad_schedules_are_config_errors(changes, code):
    with pytest.raises(ConfigError) as err:
        CFG.replace(**changes).validate()
    assert err.value.code == code


def test_schedule_round_trips_through_settings():
    cfg = CFG.replace(schedule="warmup_cosine", warmup_steps=WARMUP)
    assert RunConfig.from_json(cfg.to_json()) == cfg


def test_the_exported_script_refuses_a_schedule_it_would_not_reproduce():
    from core import export_script

    with pytest.raises(ConfigError) as err:
        export_script(CFG.replace(schedule="cosine"))
    assert err.value.code == "export_schedule"
    assert "LR = 0.3" in export_script(CFG)  # a constant rate still exports


@pytest.mark.parametrize("name", ["momentum", "adam"])
def test_one_cycle_cycles_momentum_as_torchs_one_cycle_lr_does_and_steps_bitwise_like_it(name):
    from core.engine.optimizers import OPTIMIZERS
    from core.engine.schedules import schedule_momentum
    from core.engine.seeding import seeded

    total, peak = 30, 0.05
    with seeded(0):  # the layers' default init draws from the global RNG, put back after
        ours_model = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.Tanh(), torch.nn.Linear(16, 3))
    theirs_model = copy.deepcopy(ours_model)
    ours = OPTIMIZERS[name](ours_model.parameters(), peak)
    theirs = (torch.optim.SGD(theirs_model.parameters(), lr=peak, momentum=0.9, foreach=False) if name == "momentum"
              else torch.optim.Adam(theirs_model.parameters(), lr=peak, foreach=False))
    scheduler = L.OneCycleLR(theirs, max_lr=peak, total_steps=total)  # torch's default: cycle_momentum=True
    rate, momentum = schedule_lr("one_cycle", peak, total), schedule_momentum("one_cycle", total)
    gen = torch.Generator().manual_seed(1)
    for step in range(total):
        group = theirs.param_groups[0]
        assert abs(momentum(step) - (group["momentum"] if name == "momentum" else group["betas"][0])) <= 1e-12
        ours.param_groups[0]["lr"] = rate(step)
        ours.set_momentum(momentum(step))
        x, y = torch.randn(32, 8, generator=gen), torch.randint(0, 3, (32,), generator=gen)
        for model, opt in ((ours_model, ours), (theirs_model, theirs)):
            opt.zero_grad(set_to_none=True)
            F.cross_entropy(model(x), y).backward()
            opt.step()
        scheduler.step()
    for a, b in zip(ours_model.parameters(), theirs_model.parameters()):
        assert torch.equal(a, b)


def test_a_one_cycle_run_sets_the_cycled_momentum_before_each_step_and_plain_sgd_gets_none():
    from core import Run
    from core.engine.schedules import schedule_momentum

    seen = []
    cfg = CFG.replace(schedule="one_cycle", optimizer="adam")
    with Run(cfg) as run:
        run.callbacks = (lambda record: seen.append(run.optimizer.betas[0]),)
        history = run.drive()
    expected = schedule_momentum("one_cycle", history.steps)
    assert seen == [expected(step) for step in range(history.steps)]
    with Run(CFG.replace(schedule="one_cycle")) as run:
        assert run.momentum_at is None and run.optimizer.momentum == 0
