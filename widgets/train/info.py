"""The training panel's one line of results: epoch, step, losses, accuracies, time, fingerprint, divergence."""
from __future__ import annotations

import html
import re

from core import fold_summary



def run_line(t, run, seconds: float) -> str:
    """One run's progress and result; `t` is the panel's translator."""
    if run is None:
        return ""
    h = run.history
    parts = [t("train.info.epoch", epoch=min(run.epoch + 1, run.epochs), epochs=run.epochs),
             t("train.info.step", step=h.steps)]
    if h.train_loss:
        parts.append(t("train.info.loss", loss=h.final_loss))
    if h.val_acc and h.val_acc[-1] is not None:
        parts.append(t("train.info.val", acc=h.val_acc[-1]))
    if h.test_acc is not None:
        parts.append(t("train.info.test", acc=h.test_acc))
    parts.append(t("train.info.seconds", seconds=seconds))
    if h.fingerprint:
        meaning = html.escape(re.sub(r"<[^>]+>", "", t("jargon.fingerprint")))  # a page may open on this panel
        parts.append(f"<abbr title=\"{meaning}\">{t('train.info.fingerprint', fp=h.fingerprint[:12])}</abbr>")
    if h.diverged_at is not None:
        parts.append(f"<b>{t('train.info.diverged', step=h.diverged_at)}</b>")
    return " · ".join(parts)


def fold_progress(t, fold: int, k: int, step: int) -> str:
    """Where a k-fold run is (fold counted from 1)."""
    return " · ".join([t("train.info.fold", fold=fold + 1, k=k), t("train.info.step", step=step)])


def folds_line(t, histories, k: int, seconds: float) -> str:
    """A k-fold result: mean ± std of the finished folds' validation accuracy."""
    accs, mean, std = fold_summary(histories)
    n = sum(a is not None for a in accs)
    summary = t("train.info.kfold", k=k, mean=mean, std=std, n=n) if n else t("train.info.kfold_none", k=k)
    return f"{summary} · {t('train.info.seconds', seconds=seconds)}"
