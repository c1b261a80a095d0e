"""Issue 4's reproducibility lab on the CPU: knob matrix, seed ensembles, global-RNG interference."""
import random
import statistics

import numpy as np
import pytest
import torch

from core import RunConfig, train
from core.lessons.seeds.ensemble import seed_ensemble
from core.lessons.seeds.interference import interference_demo
from core.lessons.seeds.knobs import KNOBS, knob_matrix

SMALL = RunConfig(epochs=1, hidden=(16,), stats_every=50)


def _global_state():
    return (torch.get_rng_state(), random.getstate(), np.random.get_state()[1].copy(),
            torch.backends.cudnn.benchmark, torch.backends.cudnn.deterministic,
            torch.are_deterministic_algorithms_enabled())


def test_knob_matrix_on_cpu_seeded_rows_identical_unseeded_not_and_flags_restored():
    before = _global_state()
    rows = knob_matrix(SMALL, repeats=3)
    after = _global_state()
    assert torch.equal(before[0], after[0]) and before[1] == after[1] and np.array_equal(before[2], after[2])
    assert before[3:] == after[3:]
    assert [r.name for r in rows] == list(KNOBS)
    for row in rows:
        assert row.identical == row.seeded, row
        assert len(row.fingerprints) == len(row.times) == 3
        assert row.low <= row.seconds <= row.high and row.seconds == statistics.median(row.times)
    reference = next(r for r in rows if r.name == "seeded")
    assert reference.slowdown == 1.0 and reference.same_within_noise
    for row in rows:
        if row.what == "run":  # against the reference row's median; "same" exactly when the two spreads overlap
            assert row.slowdown == row.seconds / reference.seconds
            assert row.same_within_noise == (row.low <= reference.high and reference.low <= row.high)
        else:
            assert row.same_within_noise is None
    seeded_run = next(r for r in rows if r.name == "seeded")
    assert seeded_run.fingerprints[0] == train(SMALL).fingerprint


class _PressedAfter:
    """Stop pressed mid-work, deterministically: reads as set from its `looks`-th look on (a run looks once a step)."""

    def __init__(self, looks):
        self.looks = looks

    def is_set(self):
        self.looks -= 1
        return self.looks < 0


@pytest.mark.parametrize("demo", ["knobs", "interference"])
def test_stop_mid_work_gives_no_table_and_leaves_the_global_state(demo):
    """A repeat cut short has another fingerprint: a table from it would call a reproducible setting "not identical"."""
    before = _global_state()
    stop = _PressedAfter(30)  # inside the first runs: SMALL's epoch is longer than 30 steps
    result = knob_matrix(SMALL, repeats=2, stop=stop) if demo == "knobs" else interference_demo(SMALL, stop)
    after = _global_state()
    assert result is None and stop.looks < 0
    assert torch.equal(before[0], after[0]) and before[1] == after[1] and before[3:] == after[3:]


def test_knob_matrix_refuses_too_few_repeats_to_see_noise():
    from core import ConfigError

    with pytest.raises(ConfigError):
        knob_matrix(SMALL, repeats=1)


def test_seed_ensemble_band_brackets_its_mean():
    ens = seed_ensemble(SMALL, seeds=[0, 1, 2, 3])
    assert len(ens.runs) == 4 and len({h.fingerprint for h in ens.runs}) == 4
    assert len(ens.mean) == len(ens.low) == len(ens.high) == ens.runs[0].steps
    assert all(lo <= m <= hi for lo, m, hi in zip(ens.low, ens.mean, ens.high))
    assert any(hi > lo for lo, hi in zip(ens.low, ens.high))
    assert ens.runs[2].fingerprint == train(SMALL.replace(seed=2)).fingerprint
    expected = np.mean([h.train_loss[5] for h in ens.runs])
    assert ens.mean[5] == pytest.approx(expected, rel=1e-12)


def test_seed_ensemble_needs_two_seeds():
    from core import ConfigError

    with pytest.raises(ConfigError):
        seed_ensemble(SMALL, seeds=[1])


def test_sharing_the_global_generator_breaks_reproducibility_private_generators_do_not():
    before = torch.get_rng_state()
    demo = interference_demo(SMALL)
    assert not demo.shared_reproducible
    assert demo.private_reproducible and demo.private_alone == train(SMALL).fingerprint
    assert torch.equal(torch.get_rng_state(), before)
