"""Each loop mistake against a hand-written plain-PyTorch loop with the same bug (same split, init and batch
order; torch.optim.SGD): equal losses, validation and final weights, bit for bit."""
import contextlib

import pytest
import torch
import torch.nn.functional as F

from core import LOOP_MISTAKES, ConfigError, RunConfig, plain, train
from core.data.datasets import pool_arrays

BASE = RunConfig(hidden=(16,), epochs=2, batch_size=64, lr=0.1, seed=3)
CASES = {
    "no_zero_grad": BASE.replace(lr=0.01),
    "no_eval_mode": BASE.replace(dropout=0.5, norm="batch"),
    "no_shuffle": BASE,
    "softmax_then_ce": BASE,
    "leaky_normalisation": BASE,
    "eval_with_grad": BASE,
    "sum_reduction": BASE.replace(lr=0.002),
}


def hand_splits(seed, leaky):
    """The digits split as the course would write it; standardised by hand (training rows, or every row)."""
    x, y, _ = pool_arrays("digits")
    (xtr, ytr), (xva, yva), (xte, yte) = plain.split_pool(*plain.as_tensors(x, y),
                                                          torch.Generator().manual_seed(seed), 0.2)
    rows = torch.cat([xtr, xva, xte]) if leaky else xtr
    mean = rows.mean(dim=(0, 2, 3), keepdim=True)
    std = rows.std(dim=(0, 2, 3), keepdim=True, unbiased=False)
    return (xtr - mean) / std, ytr, (xva - mean) / std, yva, (xte - mean) / std, yte


def hand_validate(model, x, y, m):
    """Mean loss and accuracy of a split, with the validation mistakes in m."""
    if "no_eval_mode" not in m:
        model.eval()
    with contextlib.nullcontext() if "eval_with_grad" in m else torch.no_grad():
        out = model(x)
        scores = out.softmax(dim=1) if "softmax_then_ce" in m else out
        return F.cross_entropy(scores, y, reduction="sum").item() / len(y), (out.argmax(1) == y).sum().item() / len(y)


def hand_loop(cfg):
    """The course's loop, written out, with cfg's mistakes; returns (losses, val losses, val accs, model)."""
    m = set(cfg.mistakes)
    xtr, ytr, xva, yva, xte, yte = hand_splits(cfg.seed, "leaky_normalisation" in m)
    if "no_shuffle" in m:
        order = torch.argsort(ytr, stable=True)
        xtr, ytr = xtr[order], ytr[order]
    with torch.random.fork_rng(devices=[]):  # nn.Linear's own default init draws from the global RNG
        model = plain.build_model("mlp", cfg.hidden, "relu", (1, 8, 8), 10, cfg.norm, cfg.dropout)
    plain.init_model(model, cfg.init, "relu", generator=torch.Generator().manual_seed(cfg.seed))
    opt = torch.optim.SGD(model.parameters(), lr=cfg.lr, foreach=False)
    order_gen = torch.Generator().manual_seed(cfg.seed)
    losses, val_losses, val_accs = [], [], []
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(cfg.seed + 1)  # dropout draws from the global RNG: the run's dropout stream
        for _ in range(cfg.epochs):
            perm = torch.arange(len(ytr)) if "no_shuffle" in m else torch.randperm(len(ytr), generator=order_gen)
            for idx in perm.split(cfg.batch_size):
                model.train()
                out = model(xtr[idx])
                if "softmax_then_ce" in m:
                    out = out.softmax(dim=1)
                loss = F.cross_entropy(out, ytr[idx], reduction="sum" if "sum_reduction" in m else "mean")
                losses.append(loss.item())
                if "no_zero_grad" not in m:
                    opt.zero_grad()
                loss.backward()
                opt.step()
            val_loss, val_acc = hand_validate(model, xva, yva, m)
            val_losses.append(val_loss)
            val_accs.append(val_acc)
        hand_validate(model, xte, yte, m)  # the test split last (in train mode it moves batch norm's statistics)
    return losses, val_losses, val_accs, model


@pytest.mark.parametrize("key", list(CASES))
def test_each_mistake_matches_a_hand_written_loop_with_the_same_bug(key):
    cfg = CASES[key].replace(mistakes=(key,))
    h = train(cfg)
    losses, val_losses, val_accs, model = hand_loop(cfg)
    assert h.train_loss == losses and h.diverged_at is None
    assert h.val_loss == val_losses and h.val_acc == val_accs
    assert h.weights_digest == plain.module_digest(model)
    correct = train(CASES[key])
    if key == "eval_with_grad":  # the same numbers: only memory differs (see test_loop_health)
        assert h.fingerprint == correct.fingerprint
    else:
        assert h.fingerprint != correct.fingerprint


def test_the_correct_loop_with_batch_norm_and_dropout_matches_the_hand_written_one():
    cfg = BASE.replace(dropout=0.3, norm="batch")
    h = train(cfg)
    losses, val_losses, val_accs, model = hand_loop(cfg)
    assert (h.train_loss, h.val_loss, h.val_acc) == (losses, val_losses, val_accs)
    assert h.weights_digest == plain.module_digest(model)


def test_the_registry_holds_the_seven_mistakes_and_unknown_keys_list_the_valid_ones():
    assert set(LOOP_MISTAKES) == set(CASES)
    with pytest.raises(ConfigError) as err:
        BASE.replace(mistakes=("no_zero_grad", "forgot_backward")).validate()
    assert err.value.code == "unknown_mistake" and all(key in str(err.value) for key in LOOP_MISTAKES)
    for bad in ("no_zero_grad", ("no_shuffle", "no_shuffle")):
        with pytest.raises(ConfigError):
            BASE.replace(mistakes=bad).validate()


def test_a_run_with_mistakes_round_trips_through_json_and_is_bitwise_reproducible():
    cfg = BASE.replace(mistakes=("no_eval_mode", "no_zero_grad"), dropout=0.2, norm="batch", lr=0.01)
    assert RunConfig.from_json(cfg.to_json()) == cfg
    assert train(cfg).fingerprint == train(RunConfig.from_json(cfg.to_json())).fingerprint
