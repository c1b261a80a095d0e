"""The yardstick: a bare PyTorch loop with the same model, data, batches and steps as core.train."""
from __future__ import annotations

import time

import torch
import torch.nn.functional as F

from core import RunConfig
from core.data.datasets import load_dataset
from core.plain import init_model
from core.engine.models import build_model, materialise


def bare_loop(cfg: RunConfig, optimizer=torch.optim.SGD) -> float:
    """Seconds for cfg's run as a plain loop: no hooks, no statistics, no callbacks, no fingerprint.

    `optimizer` is torch.optim.SGD (what a plain loop uses) or core's own SGD (the same arithmetic
    without torch.optim's per-step bookkeeping), to tell the two costs apart."""
    start = time.perf_counter()  # like train(): data, model and init are part of the run
    data = load_dataset(cfg.dataset, cfg.seed, cfg.val_fraction)
    x, y = data.train.tensors
    model = materialise(build_model(cfg.model, cfg.hidden, cfg.activation, data.input_shape, data.n_classes), "cpu")
    init_model(model, cfg.init, cfg.activation, generator=torch.Generator().manual_seed(cfg.seed))
    optimizer = optimizer(model.parameters(), lr=cfg.lr)
    order = torch.Generator().manual_seed(cfg.seed)
    for _ in range(cfg.epochs):
        for idx in torch.randperm(len(y), generator=order).split(cfg.batch_size):
            model.train()
            loss = F.cross_entropy(model(x[idx]), y[idx])
            loss.item()  # a loop that plots its loss reads it every step, as train does
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
        with torch.no_grad():  # validation each epoch, as train does
            model.eval()
            F.cross_entropy(model(data.val.tensors[0]), data.val.tensors[1]).item()
    with torch.no_grad():
        F.cross_entropy(model(data.test.tensors[0]), data.test.tensors[1]).item()
    return time.perf_counter() - start
