"""What each mistake did in this run, as (message code, numbers) for one sentence per mistake."""
from __future__ import annotations

import math

from .closed_forms import softmax_ce_floor


def _last(values):
    return next((v for v in reversed(values) if v is not None), math.nan)


def _step0_ratio(h, layer="layer1"):
    series = h.health.get("update_ratio", {}).get(layer) or next(iter(h.health.get("update_ratio", {}).values()), None)
    return series["ratio"][0] if series and series["step"] and series["step"][0] == 0 else math.nan


def mistake_effects(correct, buggy) -> list:
    """One row per mistake of `buggy` (a History), compared with `correct` (the same config without mistakes):
    {"mistake", "code", "params"}; the UI words the code in the learner's language."""
    acc, ok_acc = _last(buggy.val_acc), _last(correct.val_acc)
    rows = []
    for key in buggy.config.mistakes:
        params = {"acc": acc, "ok_acc": ok_acc}
        if key == "no_eval_mode":  # one model, validated both ways: not the correct loop's different model
            params.update(eval_acc=_last(buggy.health.get("val_acc_eval_mode", [])))
        elif key == "no_zero_grad":
            params.update(grad=_last(buggy.health["grad_norm"]), ok_grad=_last(correct.health["grad_norm"]))
        elif key == "softmax_then_ce":
            n_classes = round(math.exp(buggy.health["expected_initial_loss"]))
            params.update(low=min(buggy.train_loss, default=math.nan), floor=softmax_ce_floor(n_classes),
                          ok_low=min(correct.train_loss, default=math.nan))
        elif key == "eval_with_grad":
            params.update(loss=_last(buggy.val_loss), ok_loss=_last(correct.val_loss),
                          mb=max(buggy.health["eval_saved_bytes"], default=0) / 2**20,
                          ok_mb=max(correct.health["eval_saved_bytes"], default=0) / 2**20)
        elif key == "sum_reduction":
            ratio, ok_ratio = _step0_ratio(buggy), _step0_ratio(correct)
            params.update(times=ratio / ok_ratio if ok_ratio else math.nan, batch=buggy.config.batch_size)
        rows.append({"mistake": key, "code": f"loop.effect.{key}", "params": params})
    return rows
