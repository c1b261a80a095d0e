"""Batch size × rate: each cell is the run train() gives for it; NaN exactly where it diverged."""
import math

import pytest

from core import ConfigError, RunConfig, batch_lr_grid, classify_regime, train

CFG = RunConfig(hidden=(32,), epochs=1, batch_size=32, lr=0.1)


def test_cells_are_the_runs_train_gives_and_nan_marks_exactly_the_diverged_ones():
    sizes, lrs = [32, 128], [0.1, 1e5]
    grid = batch_lr_grid(CFG, sizes, lrs)
    assert len(grid.val_loss) == len(grid.regimes) == 2 and all(len(row) == 2 for row in grid.val_loss)
    for i, b in enumerate(sizes):
        for j, lr in enumerate(lrs):
            alone = train(CFG.replace(batch_size=b, lr=lr))
            assert grid.histories[i][j].fingerprint == alone.fingerprint
            regime = classify_regime(alone)
            assert grid.regimes[i][j] == regime
            if regime == "diverged":
                assert math.isnan(grid.val_loss[i][j])
            else:
                assert grid.val_loss[i][j] == alone.val_loss[-1]
    assert [row[1] for row in grid.regimes] == ["diverged", "too_large"]  # 1e5 blows up with small batches only
    assert [math.isnan(v) for row in grid.val_loss for v in row] == [r == "diverged" for row in grid.regimes
                                                                     for r in row]


def test_the_linear_scaling_line_grows_the_rate_with_the_batch():
    grid = batch_lr_grid(CFG.replace(lr=0.05, batch_size=16, epochs=1), [16, 64], [0.05])
    assert grid.scaling == [0.05, 0.2]


@pytest.mark.parametrize("sizes, lrs", [([], [0.1]), ([16], []), ([8] * 7, [0.1] * 6)])
def test_an_empty_or_oversized_grid_is_a_config_error(sizes, lrs):
    with pytest.raises(ConfigError):
        batch_lr_grid(CFG, sizes, lrs)


def test_a_bad_cell_is_refused_before_anything_runs():
    with pytest.raises(ConfigError) as err:
        batch_lr_grid(CFG, [16, 100_000], [0.1])
    assert err.value.code == "batch_range"
