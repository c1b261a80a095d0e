"""Issue 16's reproducibility lab in core: resume without drift, the one-bit butterfly, the first layer where
two runs part, and where the spread comes from. Oracles: bitwise identity, IEEE-754 spacing, compare()."""
import math
import statistics
import threading

import numpy as np
import pytest
import torch

from core import (ConfigError, Run, RunConfig, butterfly, compare, fingerprint, first_divergence, float_bits,
                  outside_range_chance, resume_check, split_sizes, train, variance_sources, widest_spread)

SMALL = RunConfig(epochs=2, hidden=(8,), batch_size=128, stats_every=50)  # 10 steps an epoch
AT = 5  # mid-epoch: the epoch's order and the position in it both matter


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_full_resume_is_bitwise_identical_to_the_straight_run(optimizer, tmp_path):
    cfg = SMALL.replace(optimizer=optimizer)
    path = tmp_path / "checkpoint.pt"
    result = resume_check(cfg, AT, path=str(path))
    assert result.identical and result.first_diff_step is None and result.missing == ()
    assert result.straight.fingerprint == train(cfg).fingerprint
    assert result.resumed.train_loss == result.straight.train_loss[AT:]
    assert result.resumed.weights_digest == result.straight.weights_digest
    saved = torch.load(path, weights_only=True)  # plain tensors and dicts: no code runs on the way back
    assert set(saved) == {"model", "optimizer", "generators", "position"} and result.checkpoint_bytes == path.stat().st_size
    assert saved["position"]["step"] == AT and len(saved["position"]["batches"]) == split_sizes("digits", 0.2)[0] - AT * 128


@pytest.mark.parametrize("missing, optimizer, first", [
    ("model", "sgd", AT),  # the weights restart from their initial values
    ("optimizer", "momentum", AT + 1),  # same weights at the save, but the next update loses its velocity
    ("optimizer", "adam", AT + 1),  # Adam's moments and step count restart
    ("generators", "sgd", 10),  # the next epoch's shuffle replays epoch 0's
    ("position", "sgd", AT),  # the rest of the epoch is reshuffled
])
def test_each_left_out_part_breaks_identity_where_it_matters(missing, optimizer, first):
    keep = tuple(p for p in ("model", "optimizer", "generators", "position") if p != missing)
    result = resume_check(SMALL.replace(optimizer=optimizer), AT, keep)
    assert not result.identical and result.missing == (missing,)
    assert result.first_diff_step == first
    assert result.straight.train_loss[:first] == result.straight.train_loss[:AT] + result.resumed.train_loss[:first - AT]


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_resume_with_dropout_keeps_dropouts_stream_under_generators(optimizer, tmp_path):
    cfg = SMALL.replace(optimizer=optimizer, dropout=0.3)
    path = tmp_path / "checkpoint.pt"
    result = resume_check(cfg, AT, path=str(path))
    assert result.identical and result.straight.fingerprint == train(cfg).fingerprint
    assert result.resumed.train_loss == result.straight.train_loss[AT:]
    assert set(torch.load(path, weights_only=True)["generators"]) == {"order", "dropout"}
    without = resume_check(cfg, AT, ("model", "optimizer", "position"))  # dropout's masks restart from the seed
    assert without.first_diff_step == AT


def test_plain_sgd_has_no_optimizer_state_to_lose():
    result = resume_check(SMALL, AT, ("model", "generators", "position"))
    assert result.identical and result.missing == ("optimizer",)


def test_resume_refuses_a_step_outside_the_run_and_unknown_parts():
    with pytest.raises(ConfigError):
        resume_check(SMALL, 20)
    with pytest.raises(ConfigError):
        resume_check(SMALL, AT, ("model", "weights"))


def test_butterfly_starts_one_ulp_apart_on_a_weight_the_output_depends_on():
    result = butterfly(SMALL)
    flip = result.flip
    w, w2 = torch.tensor(flip.before), torch.tensor(flip.after)
    # Flipping the lowest mantissa bit moves to a float32 neighbour: one unit in the last place away.
    assert flip.after in (torch.nextafter(w, torch.tensor(math.inf)).item(), torch.nextafter(w, torch.tensor(-math.inf)).item())
    _, exponent = math.frexp(flip.before)
    ulp = 2.0 ** (exponent - 24)  # float32 has 24 significant bits
    assert result.abs_distance[0] == abs(flip.after - flip.before) == ulp == abs((w2 - w).item())
    assert flip.bits_before[:-1] == flip.bits_after[:-1] and flip.bits_before[-1] != flip.bits_after[-1]
    x = Run(SMALL).x_train.flatten(1)
    assert flip.layer == "layer1" and x[:, 0].unique().numel() == 1  # digits' blank corner pixel is skipped
    assert x[:, flip.index].unique().numel() > 1
    assert len(result.abs_distance) == result.original.steps + 1 == len(result.loss_diff) + 1
    assert result.abs_distance[-1] > result.abs_distance[0]
    assert result.original.fingerprint == train(SMALL).fingerprint != result.twin.fingerprint
    assert butterfly(SMALL).abs_distance == result.abs_distance


def test_butterfly_sign_bit_and_refusals():
    flip = butterfly(SMALL.replace(epochs=1), layer="out", index=3, bit=31).flip
    assert flip.after == -flip.before and flip.layer == "out" and flip.index == 3
    assert float_bits(1.0) == "0 01111111 00000000000000000000000"
    for kwargs in ({"layer": "nope"}, {"index": 10**6}, {"bit": 32}):
        with pytest.raises(ConfigError):
            butterfly(SMALL, **kwargs)
    with pytest.raises(ConfigError):
        butterfly(SMALL.replace(seed=None))


@pytest.mark.parametrize("part, kind, layer", [("init", "weights", "layer1"), ("order", "data", "input"),
                                               ("split", "data", "input")])
def test_first_divergence_of_an_unseeded_part_agrees_with_compare(part, kind, layer):
    other = SMALL.replace(unseeded=(part,))  # drawn fresh: differs from seed 0 but for a 2^-32 chance
    d = first_divergence(SMALL, other)
    assert (d.step, d.kind, d.layer) == (0, kind, layer)
    assert d.loss_step == compare(train(SMALL), train(other)).first_diff_step == 0


def test_first_divergence_goes_below_the_loss_for_a_learning_rate_and_a_flipped_bit():
    other = SMALL.replace(lr=0.1000001)  # step 0 is the same; its update is not
    d = first_divergence(SMALL, other)
    assert (d.step, d.kind, d.layer) == (1, "weights", "layer1") and d.layers == ("layer1", "out")
    assert d.same["weights"] == {"layer1": False, "out": False}
    assert d.loss_step == compare(train(SMALL), train(other)).first_diff_step
    twins = butterfly(SMALL, layer="out", index=3)
    d = first_divergence(SMALL, SMALL, flip=("out", 3, 0))
    assert (d.step, d.kind, d.layer) == (0, "weights", "out")  # layer1 is untouched: forward order names "out"
    assert d.loss_step == compare(twins.original, twins.twin).first_diff_step


def test_first_divergence_of_identical_runs_is_none():
    d = first_divergence(SMALL, SMALL.replace(deterministic=True))  # on a CPU the switch changes no bit
    assert d.step is d.layer is d.kind is d.loss_step is None
    assert compare(train(SMALL), train(SMALL.replace(deterministic=True))).identical


def test_variance_rows_vary_one_part_and_hold_the_others_bitwise():
    seeds = (1, 2, 3)
    rows = {r.source: r for r in variance_sources(SMALL.replace(epochs=1), seeds, ("init", "order", "split"))}
    assert list(rows) == ["init", "order", "split", "all"]
    with Run(SMALL.replace(epochs=1)) as base:
        held = (fingerprint(base.model), fingerprint(base.x_train))
    digests = {r: (row.init_digests, row.data_digests) for r, row in rows.items()}
    assert len(set(digests["init"][0])) == 3 and set(digests["init"][1]) == {held[1]}
    assert set(digests["order"][0]) == {held[0]} and set(digests["order"][1]) == {held[1]}
    assert len(set(rows["order"].order_digests)) == 3 and len(set(rows["init"].order_digests)) == 1
    assert set(digests["split"][0]) == {held[0]} and len(set(digests["split"][1])) == 3
    for s, history in zip(seeds, rows["all"].runs):
        assert history.fingerprint == train(SMALL.replace(epochs=1, seed=s)).fingerprint
    for row in rows.values():
        assert row.final_val_acc == tuple(h.val_acc[-1] for h in row.runs)
        assert row.std == pytest.approx(statistics.stdev(row.final_val_acc), rel=1e-12)
        assert row.range == max(row.final_val_acc) - min(row.final_val_acc)


def test_variance_refusals_and_stop():
    with pytest.raises(ConfigError):
        variance_sources(SMALL, [1])
    with pytest.raises(ConfigError):
        variance_sources(SMALL.replace(seed=None), [1, 2])
    with pytest.raises(ConfigError):
        variance_sources(SMALL, [1, 2], ("weather",))
    if not torch.cuda.is_available():  # the GPU-kernels row needs a GPU; with one it is in the default rows
        with pytest.raises(ConfigError, match="No GPU"):
            variance_sources(SMALL, [1, 2], ("gpu_kernels",))
        assert [r.source for r in variance_sources(SMALL.replace(epochs=1), [1, 2])][-1] == "all"
    stop = threading.Event()
    rows = variance_sources(SMALL, [1, 2], ("init", "order"), callbacks=[lambda r: stop.set()], stop=stop)
    assert len(rows) == 1 and rows[0].stopped and all(h.stopped and h.steps <= 1 for h in rows[0].runs)


def test_records_stream_tagged_for_a_panel():
    seen = []
    butterfly(SMALL.replace(epochs=1), callbacks=[type("R", (), {"on_step": lambda self, r: seen.append(r),
                                                                   "on_distance": lambda self, r: seen.append(r)})()])
    assert {r["run"] for r in seen if "run" in r} == {0, 1}
    distance = [r for r in seen if "abs" in r]
    assert [r["step"] for r in distance] == list(range(1, 11)) and np.isfinite([r["rel"] for r in distance]).all()


def test_butterfly_resume_and_divergence_stop_when_asked():
    stop = threading.Event()

    def stopper(record):
        if record["step"] >= 2:
            stop.set()

    twins = butterfly(SMALL, callbacks=[stopper], stop=stop)
    assert twins.stopped and twins.original.steps <= 4
    stop.clear()
    result = resume_check(SMALL, AT, callbacks=[stopper], stop=stop)
    assert result.stopped and not result.identical and result.straight.steps == 3
    stop.clear()
    d = first_divergence(SMALL, SMALL, callbacks=[stopper], stop=stop)
    assert d.stopped and d.step is None


def test_one_more_seed_lands_outside_the_range_of_n_with_probability_two_over_n_plus_one():
    rng = np.random.default_rng(0)
    trials = 200_000
    for n in (2, 4, 8):
        draws = rng.standard_normal((trials, n + 1))
        outside = (draws[:, n] < draws[:, :n].min(1)) | (draws[:, n] > draws[:, :n].max(1))
        p = outside_range_chance(n)
        assert abs(outside.mean() - p) < 5 * math.sqrt(p * (1 - p) / trials)  # 5 binomial standard errors
    assert outside_range_chance(4) == 0.4


def test_the_widest_spread_is_the_row_with_the_largest_range_that_finished():
    rows = variance_sources(SMALL.replace(epochs=1), [1, 2, 3])
    assert widest_spread(rows).range == max(r.range for r in rows)
    assert widest_spread([]) is None
