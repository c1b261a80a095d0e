"""The gauges a run measures in bulk — gradient norms from copied rows, update ratios worked out at a flush from
kept copies, dead units from a forward pass that stops after the last hidden layer — give every number of the
plain way, bit for bit, however often their buffers fill and whatever the model."""
import pytest
import torch

from core import train
from core.engine import health
from test_cheap_gauges import BASE, CONFIGS, comparable, plain_way


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_a_rows_norm_is_the_norm_of_that_tensor_alone(dtype, threads):
    """What the bulk norms rest on: vector_norm(dim=1) of a matrix's rows (a column block of it, too) is
    vector_norm of each row's tensor alone, bit for bit, for shapes of weights, biases and conv kernels."""
    gen = torch.Generator().manual_seed(7)
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        for shape in [(64, 64), (10, 64), (64,), (1,), (3,), (16, 8, 3, 3), (300, 301), (70000,)]:
            for rows in (1, 2, 9):
                scale = 10.0 ** int(torch.randint(-8, 4, (1,), generator=gen))
                tensors = [torch.randn(shape, generator=gen, dtype=dtype) * scale for _ in range(rows)]
                n = tensors[0].numel()
                wide = torch.empty(rows, n + 5, dtype=dtype)
                wide[:, 2:2 + n] = torch.stack([t.reshape(-1) for t in tensors])
                alone = torch.stack([torch.linalg.vector_norm(t) for t in tensors])
                assert torch.equal(torch.linalg.vector_norm(wide[:, 2:2 + n], dim=1), alone)
    finally:
        torch.set_num_threads(before)


@pytest.mark.parametrize("name", ["sgd", "momentum", "adam", "no_eval_mode", "cnn", "diverges"])
def test_buffers_that_fill_often_change_no_number(name, monkeypatch):
    """Gradient rows reduced every 8 steps and update-ratio copies worked out at every sampled step (as a large
    model's would be) against the plain way: one .item() a step, each ratio at its step, dead units by
    model(rows)."""
    with monkeypatch.context() as m:
        m.setattr(health, "GRAD_ROWS_BYTES", 8 * 4 * sum(p.numel() for p in models_parameters(CONFIGS[name])))
        m.setattr(health, "GAUGE_KEEP_BYTES", 1)
        often = train(CONFIGS[name])
    with monkeypatch.context() as m:
        plain_way(m)
        plain = train(CONFIGS[name])
    assert comparable(often) == comparable(plain)


def test_a_model_too_large_for_the_rows_takes_each_steps_norm_at_once(monkeypatch):
    monkeypatch.setattr(health, "GRAD_ROWS_BYTES", 4)  # not one row fits: the per-step path
    cfg = BASE.replace(hidden=(16, 8))
    large = train(cfg)
    with monkeypatch.context() as m:
        plain_way(m)
        plain = train(cfg)
    assert large.health["grad_norm"] == plain.health["grad_norm"]
    assert comparable(large) == comparable(plain)


def test_dead_units_need_no_logits(torch_rng_restored):
    """hidden_blocks stops the forward pass after the last hidden layer, and only for a Sequential model."""
    from core.engine.run import Run

    with Run(BASE.replace(hidden=(16, 8), dropout=0.2)) as run:
        blocks = health.hidden_blocks(run.model, run.gauges.layers)
        assert [name for name, child in run.model.named_children() if any(child is b for b in blocks)] == [
            "flatten", "layer1", "layer2"]
        whole = health.dead_fractions(run.model, run.gauges.layers, run.gauges.rows)
        assert health.dead_fractions(run.model, run.gauges.layers, run.gauges.rows, blocks=blocks) == whole
    assert health.hidden_blocks(torch.nn.Linear(2, 2), {}) is None


def models_parameters(cfg):
    from core.engine.run import Run

    with Run(cfg) as run:
        return list(run.model.parameters())
