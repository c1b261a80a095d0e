import json
import math
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

import core.engine.run
from core import Run, RunConfig, compare, fingerprint, train
from core.engine.stats import HIST_BINS

ROOT = Path(__file__).resolve().parents[1]

FAST = RunConfig(epochs=1, hidden=(16,), stats_every=5)


def test_default_config_learns_digits_above_85_percent_in_3_epochs():
    h = train(RunConfig())
    assert h.config == RunConfig() and h.diverged_at is None and not h.stopped
    assert len(h.val_acc) == 3 and h.val_acc[-1] > 0.85
    assert h.steps == 3 * h.steps_per_epoch


def test_same_seed_is_bitwise_identical_and_other_seed_differs():
    a, b, c = train(FAST), train(FAST), train(FAST.replace(seed=1))
    assert a.train_loss == b.train_loss and a.layer_stats == b.layer_stats
    assert a.fingerprint == b.fingerprint == fingerprint(b)
    assert compare(a, b).identical and compare(a, b).first_diff_step is None
    result = compare(a, c)
    assert not result.identical and result.first_diff_step == 0 and result.max_abs_diff > 0


def test_unseeded_runs_differ():
    a, b = train(FAST.replace(seed=None)), train(FAST.replace(seed=None))
    assert a.fingerprint != b.fingerprint and a.seed_used != b.seed_used


def test_two_threads_at_once_match_each_run_alone():
    cfgs = [FAST, FAST.replace(seed=5, optimizer="adam", lr=0.01)]
    alone = [train(c).fingerprint for c in cfgs]
    results = [None, None]

    def work(i):
        results[i] = train(cfgs[i]).fingerprint

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == alone


def test_fresh_processes_give_the_same_fingerprint():
    code = ("from core import RunConfig, train; "
            "print(train(RunConfig(epochs=1, hidden=(16,), stats_every=5)).fingerprint)")
    prints = {subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.strip() for _ in range(2)}
    assert prints == {train(FAST).fingerprint}


def test_train_leaves_global_rng_state_untouched():
    before = torch.get_rng_state()
    train(FAST.replace(init="kaiming_normal"))
    assert torch.equal(torch.get_rng_state(), before)


def test_huge_rate_diverges_as_a_result_not_an_exception():
    h = train(FAST.replace(lr=1e5, hidden=(64,)))
    assert h.diverged_at is not None and h.diverged_at == h.steps - 1
    assert not math.isfinite(h.train_loss[-1])
    assert all(math.isfinite(x) for x in h.train_loss[:-1])
    json.dumps(h.to_dict(), allow_nan=False)


def test_stop_event_ends_the_run_after_the_current_step():
    stop = threading.Event()

    def on_step(record):
        if record["step"] == 3:
            stop.set()

    h = train(RunConfig(epochs=5), callbacks=[on_step], stop=stop)
    assert h.stopped and h.steps == 4 and h.diverged_at is None


def test_callbacks_get_named_events_and_stats_when_sampled():
    class Recorder:
        def __init__(self):
            self.steps, self.epochs, self.ended = [], [], None

        def on_step(self, r):
            self.steps.append(r)

        def on_epoch(self, r):
            self.epochs.append(r)

        def on_end(self, h):
            self.ended = h

    rec = Recorder()
    h = train(FAST, callbacks=[rec])
    assert [r["step"] for r in rec.steps] == list(range(h.steps))
    assert [r["loss"] for r in rec.steps] == h.train_loss
    assert [r["stats"] is not None for r in rec.steps] == [s % 5 == 0 for s in range(h.steps)]
    assert [r["val_acc"] for r in rec.epochs] == h.val_acc and rec.ended is h


def test_layer_stats_are_sampled_every_k_steps_with_full_histograms():
    h = train(FAST)
    assert list(h.layer_stats) == ["layer1", "out"]
    sampled = list(range(0, h.steps, 5))
    batch = FAST.batch_size
    for name, width in (("layer1", 16), ("out", 10)):
        s = h.layer_stats[name]
        assert s["step"] == sampled
        assert len(s["act_mean"]) == len(s["act_std"]) == len(s["grad_std"]) == len(sampled)
        assert all(len(row) == HIST_BINS and sum(row) == batch * width for row in s["hist"][:-1])
    assert min(h.layer_stats["layer1"]["act_mean"]) >= 0  # after ReLU


def test_hooks_are_removed_even_when_a_callback_fails(monkeypatch):
    made = []

    class Spy(core.engine.run.LayerStats):
        def __init__(self, layers):
            super().__init__(layers)
            made.append(self)

    monkeypatch.setattr(core.engine.run, "LayerStats", Spy)

    def boom(record):
        raise RuntimeError("callback failed")

    with pytest.raises(RuntimeError):
        train(FAST, callbacks=[boom])
    blocks = [block for block, _ in made[0].layers.values()]
    assert blocks and all(not block._forward_hooks for block in blocks)


def test_empty_validation_split_and_json_safety():
    h = train(FAST.replace(val_fraction=0.0))
    assert h.val_loss == [None] and h.val_acc == [None]
    json.dumps(h.to_dict(), allow_nan=False)


@pytest.mark.parametrize("cfg", [
    RunConfig(model="cnn", hidden=(8, 16), epochs=1),
    RunConfig(dataset="moons", hidden=(16, 16), epochs=2, optimizer="momentum"),
    RunConfig(init="lsuv", activation="tanh", epochs=1, optimizer="adam", lr=1e-3),
    RunConfig(deterministic=True, epochs=1),
])
def test_other_models_datasets_and_modes_run_reproducibly(cfg):
    a, b = train(cfg), train(cfg)
    assert a.fingerprint == b.fingerprint and a.diverged_at is None
    assert a.val_loss[-1] < a.train_loss[0]


@pytest.mark.parametrize("part, differs_at_step_0", [("init", True), ("order", True), ("split", True)])
def test_unseeded_part_makes_runs_differ(part, differs_at_step_0):
    cfg = FAST.replace(unseeded=(part,))
    a, b = train(cfg), train(cfg)
    result = compare(a, b)
    assert not result.identical and (result.first_diff_step == 0) == differs_at_step_0
    assert a.seed_used == b.seed_used == FAST.seed


def test_evaluation_in_chunks_matches_one_pass_over_a_large_split():
    """Evaluation runs 1,024 rows at a time (a CNN on MNIST's test set would otherwise hold every
    activation at once); the loss and accuracy are those of one pass through F.cross_entropy."""
    from core.plain import EVAL_ROWS
    run = Run(RunConfig(dataset="digits", hidden=(32,), epochs=1, seed=3))
    g = torch.Generator().manual_seed(0)
    x = torch.randn(2 * EVAL_ROWS + 77, 64, generator=g)  # three chunks, the last one short
    y = torch.randint(0, 10, (len(x),), generator=g)
    loss, acc = run.evaluate(x, y)
    with torch.no_grad():
        run.model.eval()
        logits = run.model(x)
    assert math.isclose(loss, F.cross_entropy(logits, y).item(), rel_tol=1e-6)
    assert acc == (logits.argmax(1) == y).sum().item() / len(y)
    run.close()


def test_a_run_driven_in_pieces_ends_as_train_does_and_stays_open_between_them():
    pause = threading.Event()
    run = Run(FAST)
    assert run.drive(limit=7).steps == 7 and not run.done
    pause.set()
    assert run.drive(pause=pause).steps == 7  # a set pause takes no step
    history = run.drive()
    assert run.done and history.steps == run.total_steps
    assert history.fingerprint == train(FAST).fingerprint


def test_drive_turns_deterministic_mode_on_only_while_it_steps():
    before = torch.are_deterministic_algorithms_enabled()
    seen = []
    with Run(FAST.replace(deterministic=True), [lambda r: seen.append(torch.are_deterministic_algorithms_enabled())]) as run:
        run.drive(limit=3)
        between = torch.are_deterministic_algorithms_enabled()
    assert seen == [True] * 3 and between == before


def test_leaving_a_with_block_closes_an_unfinished_run_and_its_hooks(monkeypatch):
    made = []

    class Spy(core.engine.run.LayerStats):
        def __init__(self, layers):
            super().__init__(layers)
            made.append(self)

        def __exit__(self, *exc):
            made.append("closed")
            return super().__exit__(*exc)

    monkeypatch.setattr(core.engine.run, "LayerStats", Spy)
    with pytest.raises(KeyboardInterrupt):
        with Run(FAST) as run:
            run.drive(limit=2)
            raise KeyboardInterrupt
    assert run.done and made[-1] == "closed"


def test_a_step_count_replaces_epochs_and_a_schedule_sets_each_steps_rate():
    lrs = []

    def rate_used(record):
        lrs.append(run.optimizer.param_groups[0]["lr"])

    with Run(FAST) as one_epoch:
        steps = one_epoch.total_steps + 5
    with Run(FAST, [rate_used], lr_at=lambda step: 0.1 / (step + 1), steps=steps) as run:
        history = run.drive()
    assert history.steps == steps and run.epochs == 2 and len(history.val_loss) == 1
    assert lrs == [0.1 / (step + 1) for step in range(steps)]


def test_a_schedule_changes_the_rate_as_set_lr_between_drives_does():
    switch = 5
    scheduled = Run(FAST, lr_at=lambda step: 0.1 if step < switch else 0.02).drive()
    by_hand = Run(FAST)
    by_hand.drive(limit=switch)
    by_hand.set_lr(0.02)
    assert by_hand.drive().fingerprint == scheduled.fingerprint != train(FAST).fingerprint
