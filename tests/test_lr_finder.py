"""The LR finder's three rules against their sources, fastai 2.8.12's valley and torch-lr-finder 0.2.2's
steepest slope, both read from the released wheels at test time; the state it restores; the band over seeds."""
import ast
import random

import numpy as np
import pytest
import torch

import references
from core import RULES, ConfigError, Run, RunConfig, fingerprint, lr_find, lr_find_band, seeded
from core.lessons.lr.finder import suggest_all

CFG = RunConfig()  # the app's default model and data
SMALL = RunConfig(hidden=(16,))


@pytest.fixture(scope="module")
def found():
    return lr_find(CFG)


def bias_corrected(raw, beta=0.9):
    """The moving average the finder plots: avg ← β·avg + (1−β)·loss, divided by 1 − β^(t+1)."""
    avg, out = 0.0, []
    for t, loss in enumerate(raw):
        avg = beta * avg + (1 - beta) * loss
        out.append(avg / (1 - beta ** (t + 1)))
    return out


def fastai_valley(lrs, losses, num_it):
    """fastai 2.8.12's own `valley`, read from its wheel, on the slice its `Learner.lr_find` hands it."""
    valley = references.function(references.FASTAI, "valley")
    first, last = fastai_slice(num_it)
    lrs, losses = lrs[first:last], losses[first:last]
    return valley(lrs, losses, num_it)[0]


def fastai_slice(num_it):
    """The bounds of `self.recorder.lrs[...]` in fastai's `Learner.lr_find`, evaluated for this `num_it`."""
    tree = references.node(references.FASTAI, "lr_find")
    cut = next(n.slice for n in ast.walk(tree) if isinstance(n, ast.Subscript)
               and isinstance(n.value, ast.Attribute) and n.value.attr == "lrs")
    return [eval(compile(ast.Expression(bound), "slice", "eval"), {"num_it": num_it}) for bound in (cut.lower, cut.upper)]


def torch_lr_finder_steepest(lrs, losses):
    """torch-lr-finder 0.2.2's steepest rule: `LRFinder.plot`'s default skips and its own argmin line."""
    plot = references.node(references.TORCH_LR_FINDER, "LRFinder", "plot")
    names = [a.arg for a in plot.args.args][-len(plot.args.defaults):]
    skips = {name: ast.literal_eval(value) for name, value in zip(names, plot.args.defaults)}
    rule = next(n.value for n in ast.walk(plot) if isinstance(n, ast.Assign)
                and getattr(n.targets[0], "id", None) == "min_grad_idx")
    lrs, losses = lrs[skips["skip_start"]:-skips["skip_end"]], losses[skips["skip_start"]:-skips["skip_end"]]
    return lrs[eval(compile(ast.Expression(rule), "rule", "eval"), {"np": np, "losses": losses})]


def torch_lr_finder_smoothing(raw, smooth_f=0.05):
    """torch-lr-finder's own smoothing (range_test): started at the first loss, no bias correction."""
    out = [raw[0]]
    for loss in raw[1:]:
        out.append(smooth_f * loss + (1 - smooth_f) * out[-1])
    return out


def test_the_plotted_curve_is_the_bias_corrected_average_of_the_raw_losses(found):
    assert len(found.raw_losses) == len(found.losses) == len(found.lrs) >= 30
    assert found.losses == bias_corrected(found.raw_losses)


def test_every_rule_matches_its_source_on_the_apps_raw_losses(found):
    smoothed = bias_corrected(found.raw_losses)
    assert found.suggestions["steepest"] == torch_lr_finder_steepest(found.lrs, smoothed)
    assert found.suggestions["valley"] == fastai_valley(found.lrs, smoothed, 100)
    assert found.suggestions["min_div_10"] == found.lrs[int(np.argmin(smoothed))] / 10
    assert found.suggestion == found.suggestions["min_div_10"] and found.rule == "min_div_10"


@pytest.mark.parametrize("steps", [30, 50, 80, 200])
def test_valley_is_fastais_at_every_sweep_length(steps):
    # fastai skips num_it // 10 points at the start, not a fixed 10 (at 80 steps, seed 2: 0.0527, not 0.0627)
    for seed in (0, 2):
        result = lr_find(CFG.replace(seed=seed), steps=steps)
        assert result.suggestions["valley"] == fastai_valley(result.lrs, result.losses, steps), (steps, seed)


def test_valley_is_fastais_on_any_curve_ties_and_two_point_valleys_included():
    rng = np.random.default_rng(0)
    lrs = np.geomspace(1e-5, 10, 40).tolist()
    two_point = [5.0] * 4 + [2.0, 1.0, 3.0, 4.0, 6.0, 7.0, 8.0] + [9.0] * 29  # after the skip: a valley of two
    curves = [two_point] + [rng.integers(0, 6, 40).astype(float).tolist() for _ in range(300)]  # many ties
    for losses in curves:
        assert suggest_all(lrs, losses, 1e-5, 40)["valley"] == fastai_valley(lrs, losses, 40), losses
    assert suggest_all(lrs, two_point, 1e-5, 40)["valley"] == lrs[-6]  # fastai's index −1: the last point kept


def test_on_the_default_model_torch_lr_finders_own_pipeline_lands_on_the_apps_steepest_rate(found):
    theirs = torch_lr_finder_steepest(found.lrs, torch_lr_finder_smoothing(found.raw_losses))
    assert theirs == found.suggestions["steepest"]
    assert found.suggestions["steepest"] > 5 * found.suggestions["min_div_10"]  # the rule moves the answer


def test_the_rule_picks_the_suggestion_and_an_unknown_rule_is_a_config_error():
    result = lr_find(SMALL, steps=40, rule="valley")
    assert result.rule == "valley" and result.suggestion == result.suggestions["valley"]
    assert set(result.suggestions) == set(RULES)
    with pytest.raises(ConfigError):
        lr_find(SMALL, steps=40, rule="median")


def test_weights_optimizer_and_global_rng_are_as_before_and_the_digests_say_so():
    with seeded(3):  # a known global state to compare with, restored afterwards
        states = random.getstate(), np.random.get_state()[1].copy(), torch.get_rng_state()
        for optimizer in ("momentum", "adam"):  # optimizers with buffers to restore
            result = lr_find(SMALL.replace(optimizer=optimizer), steps=40)
            check = result.state_check
            assert check["restored"] and check["before"] == check["after"]
            assert set(check["before"]) == {"weights", "optimizer", "rng"}
            with Run(SMALL.replace(optimizer=optimizer, lr=1e-5, epochs=1, stats_every=100_000)) as fresh:
                assert check["after"]["weights"] == fingerprint(fresh.model)  # the model any run starts from
        assert random.getstate() == states[0]
        assert np.array_equal(np.random.get_state()[1], states[1])
        assert torch.equal(torch.get_rng_state(), states[2])


def test_the_band_is_one_finder_per_seed_and_the_same_seeds_give_the_same_band():
    band = lr_find_band(SMALL, [0, 1, 2], steps=40)
    again = lr_find_band(SMALL, [0, 1, 2], steps=40)
    assert (band.low, band.median, band.high, band.suggestions) == (again.low, again.median, again.high,
                                                                     again.suggestions)
    singles = [lr_find(SMALL.replace(seed=seed), steps=40) for seed in (0, 1, 2)]
    assert [r.losses for r in band.runs] == [r.losses for r in singles]
    curves = np.full((3, len(band.lrs)), np.nan)
    for row, result in zip(curves, singles):
        row[:len(result.losses)] = result.losses
    assert band.low == np.nanmin(curves, 0).tolist() and band.high == np.nanmax(curves, 0).tolist()
    assert band.median == np.nanmedian(curves, 0).tolist()
    for rule in RULES:
        values = [r.suggestions[rule] for r in singles]
        assert band.suggestions[rule] == values
        assert band.spread[rule] == max(values) / min(values)
        assert band.suggestion_median[rule] == sorted(values)[1]  # three seeds: the middle one


def test_a_band_needs_seeds():
    with pytest.raises(ConfigError):
        lr_find_band(SMALL, [], steps=40)
