import pytest
import torch
from torch import nn

from core.engine.stats import HIST_BINS, HIST_RANGE, LayerStats

# These tests build torch layers, whose default init draws from the global RNG: it is put back after each.
pytestmark = pytest.mark.usefixtures("torch_rng_restored")


def test_layer_stats_match_torch_on_the_same_forward_and_backward():
    gen = torch.Generator().manual_seed(0)
    block = nn.Sequential(nn.Linear(6, 5), nn.Tanh())
    head = nn.Linear(5, 3)
    x = torch.randn(32, 6, generator=gen) * 3
    with LayerStats({"block": (block, block[0]), "head": (head, head)}) as stats:
        stats.armed = True
        assert block._forward_hooks and head._forward_hooks
        act = block(x)
        out = head(act)
        out.pow(2).mean().backward()
        result = stats.collect()
        assert not block._forward_hooks and not head._forward_hooks  # only the sampled step is hooked
        stats.armed = True
    assert not block._forward_hooks and not head._forward_hooks  # leaving the context removes them
    r = result["block"]
    assert abs(r["act_mean"] - act.mean().item()) < 1e-6
    assert abs(r["act_std"] - act.std(unbiased=False).item()) < 1e-6
    assert abs(r["grad_std"] - block[0].weight.grad.std().item()) < 1e-7
    expected = torch.histc(out.detach().clamp(*HIST_RANGE), HIST_BINS, *HIST_RANGE)
    assert result["head"]["hist"] == expected.long().tolist()
    assert sum(result["head"]["hist"]) == out.numel()


def test_unarmed_steps_are_not_hooked_and_record_nothing():
    block = nn.Sequential(nn.Linear(2, 2), nn.ReLU())
    with LayerStats({"b": (block, block[0])}) as stats:
        block(torch.ones(1, 2))
        assert stats._acts == {} and not block._forward_hooks


def test_histogram_matches_histc_on_bin_edges_and_outliers():
    from core.engine.stats import _histogram

    values = torch.cat([torch.linspace(-5, 5, 1001), torch.tensor([float("nan"), float("inf"), -float("inf")])])
    clean = torch.nan_to_num(values, nan=0.0).clamp(*HIST_RANGE)
    expected = torch.histc(clean, HIST_BINS, *HIST_RANGE).long()
    assert torch.equal(_histogram(values), expected)


@pytest.mark.filterwarnings("ignore:std\\(\\)")  # torch's own warning for a 1-element std
def test_cpu_numbers_equal_the_torch_path_used_on_gpus():
    """The CPU computes the statistics in NumPy (cheaper per operation), a GPU in torch; both must agree:
    the same histogram counts exactly, the same moments to float precision, NaN and inf included."""
    import math

    from core.engine.stats import _numpy_stats, _torch_stats

    gen = torch.Generator().manual_seed(1)
    plain = torch.randn(64, 32, generator=gen) * 2 + 0.5
    edges = torch.cat([torch.linspace(-5, 5, 1001), torch.tensor([0.0, 4.0, -4.0])])
    broken = torch.cat([plain.flatten(), torch.tensor([float("nan"), float("inf"), -float("inf")])])
    grad = torch.randn(32, 10, generator=gen)
    for act, g in ((plain, grad), (edges, None), (broken, grad), (torch.ones(1), torch.ones(1))):
        cpu = _numpy_stats(act, g)
        ref = _torch_stats(act, g)
        assert cpu[3] == ref[3].tolist() and sum(cpu[3]) == act.numel()
        for mine, theirs in zip(cpu[:3], ref[:3]):
            theirs = theirs.item()
            assert (math.isnan(mine) and math.isnan(theirs)) or math.isclose(mine, theirs, rel_tol=1e-5, abs_tol=1e-6)
