"""The training panel's one line of results: epoch, step, losses, accuracies, time, fingerprint, divergence."""
from __future__ import annotations

from core import fold_summary

from ..shell.i18n import register

register({
    "train.info.epoch": ("epoch {epoch}/{epochs}", "第 {epoch}/{epochs} 轮"),
    "train.info.step": ("step {step}", "第 {step} 步"),
    "train.info.loss": ("train loss {loss:.4f}", "训练损失 {loss:.4f}"),
    "train.info.val": ("val acc {acc:.3f}", "验证准确率 {acc:.3f}"),
    "train.info.test": ("test acc {acc:.3f}", "测试准确率 {acc:.3f}"),
    "train.info.seconds": ("{seconds:.1f} s", "{seconds:.1f} 秒"),
    "train.info.fingerprint": ("fingerprint {fp}", "指纹 {fp}"),
    "train.info.diverged": ("diverged at step {step}", "在第 {step} 步发散"),
    "train.info.fold": ("fold {fold}/{k}", "第 {fold}/{k} 折"),
    "train.info.kfold": ("{k}-fold: val acc {mean:.3f} ± {std:.3f} over {n} finished folds",
                         "{k} 折：{n} 个完成的折上验证准确率 {mean:.3f} ± {std:.3f}"),
    "train.info.kfold_none": ("{k}-fold: no fold finished", "{k} 折：没有完成的折"),
})


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
        parts.append(t("train.info.fingerprint", fp=h.fingerprint[:12]))
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
