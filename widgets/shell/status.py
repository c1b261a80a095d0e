"""The one error surface: every callback's failure becomes a short message, never a traceback."""
from __future__ import annotations

import functools
import html
import logging
import os
import sys
import tempfile

import ipywidgets as W

from core import ConfigError, is_out_of_memory

from .i18n import CATALOGUE, register

log = logging.getLogger("training_playground")


def log_file() -> str:
    """Where this kernel's log goes: $TP_LOG_DIR (or the temporary folder)/training-playground-logs."""
    folder = os.environ.get("TP_LOG_DIR") or os.path.join(tempfile.gettempdir(), "training-playground-logs")
    return os.path.join(folder, f"kernel-{os.getpid()}.log")


def _log_to_a_file():
    # Never to the kernel's stderr: ipykernel forwards stderr to the page as it is, tracebacks and server
    # paths included, whatever Voila's show_tracebacks says.
    if log.handlers:
        return
    path = log_file()
    os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
    handler = logging.FileHandler(path, delay=True, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    log.addHandler(handler)
    log.propagate = False
    if os.environ.get("TP_STDERR") == "log":
        # The class server asks for this: warnings and anything else Python writes to stderr go to the
        # log file too, not over the learner's websocket (its kernels also keep C-level output off it).
        sys.stderr = open(path, "a", buffering=1, encoding="utf-8")  # noqa: SIM115 (lives with the kernel)


_log_to_a_file()

register({
    "status.ready": ("Ready.", "就绪。"),
    "status.bad_setting": ("Setting not usable: {message}", "设置无法使用：{message}"),
    "status.out_of_memory": ("Not enough memory for this run: try a smaller model, batch size or data set.",
                             "内存不足，无法完成这次运行：请换用更小的模型、批大小或数据集。"),
    "status.unexpected": ("Something went wrong ({error}); the app still works — try other settings.",
                          "出了点问题（{error}）；应用仍可使用——请换个设置再试。"),
    "rate.name": ("lr={lr:g}", "学习率={lr:g}"),  # a curve's or a row's name: the learning rate it ran with
    "err.unknown_settings": ("Unknown setting(s): {names}.", "未知的设置：{names}。"),
    "err.lr_range": ("The learning rate must be a positive number up to {limit:g}.",
                     "学习率必须是不超过 {limit:g} 的正数。"),
    "err.seed_range": ("The seed must be a whole number from 0 to {limit}, or empty.",
                       "随机种子必须是 0 到 {limit} 之间的整数，或留空。"),
    "err.epochs_range": ("Epochs must be a whole number from 1 to 1000.", "训练轮数必须是 1 到 1000 之间的整数。"),
    "err.hidden_list": ("Hidden sizes must be a list of layer widths, e.g. 64, 64.",
                        "隐藏层大小必须是一串层宽度，例如 64, 64。"),
    "err.width_range": ("Each layer width must be a whole number from 1 to {limit}.",
                        "每层宽度必须是 1 到 {limit} 之间的整数。"),
    "err.val_range": ("The validation fraction must be between 0 and 0.9.", "验证集比例必须在 0 到 0.9 之间。"),
    "err.stats_range": ("Statistics must be sampled every 1 to 100000 steps.", "统计采样间隔必须是 1 到 100000 步。"),
    "err.batch_range": ("The batch size must be a whole number from 1 to {limit} (the training-set size).",
                        "批大小必须是 1 到 {limit}（训练集大小）之间的整数。"),
    "err.cnn_images": ("The CNN needs images: choose digits, mnist or fashion-mnist.",
                       "CNN 需要图像数据：请选择 digits、mnist 或 fashion-mnist。"),
    "err.no_gpu": ("No GPU is available here: choose 'cpu' or 'auto'.", "这里没有可用的 GPU：请选择 'cpu' 或 'auto'。"),
    "err.unknown_choice": ("Unknown {what} {value!r}: choose one of {options}.",
                           "未知的{what} {value!r}：请从 {options} 中选择。"),
    "err.not_number": ("The {what} must be a number, not {value!r}.", "{what}必须是数字，而不是 {value!r}。"),
    "err.export_unseeded": ("Only a fully seeded run can be reproduced: set a seed and seed every part.",
                            "只有完全设定种子的运行才能复现：请填写种子，并勾选所有部分。"),
    "err.ensemble_size": ("A seed ensemble needs at least two seeds.", "种子集合至少需要两个种子。"),
    "err.unseeded_parts": ("'unseeded' may only list init, order, split.", "'unseeded' 只能包含 init、order、split。"),
    "err.deterministic_bool": ("'deterministic' must be on or off.", "'deterministic' 只能是开或关。"),
    "what.learning rate": ("learning rate", "学习率"),
    "what.seed": ("seed", "随机种子"),
    "what.batch size": ("batch size", "批大小"),
    "what.epochs": ("epochs", "训练轮数"),
    "what.layer width": ("layer width", "层宽度"),
    "what.validation fraction": ("validation fraction", "验证集比例"),
    "what.stats interval": ("stats interval", "统计间隔"),
    "what.step size": ("step size", "步长"),
    "what.dataset": ("dataset", "数据集"),
    "what.model": ("model", "模型"),
    "what.activation": ("activation", "激活函数"),
    "what.init": ("init", "初始化方案"),
    "what.optimizer": ("optimizer", "优化器"),
    "what.device": ("device", "设备"),
    "err.too_many_layers": ("At most {limit} hidden layers, please.", "隐藏层最多 {limit} 层。"),
    "err.too_many_parameters": ("This model has {count:,} parameters; at most {limit:,}: use fewer or narrower layers.",
                                "这个模型有 {count:,} 个参数，上限是 {limit:,}：请减少层数或层宽。"),
    "err.too_many_steps": ("This run would take {steps:,} steps; at most {limit:,}: use fewer epochs or a larger batch size.",
                           "这次运行需要 {steps:,} 步，上限是 {limit:,}：请减少训练轮数或增大批大小。"),
    "err.dataset_by_name": ("Choose a data set by name ({options}) or upload a CSV in the Training panel.",
                            "请按名称选择数据集（{options}），或在“训练”面板上传 CSV。"),
    "err.upload_missing": ("No such CSV was uploaded in this session: upload it in the Training panel first.",
                           "本次会话没有上传过这个 CSV：请先在“训练”面板上传。"),
    "err.upload_not_file": ("That upload is not a file.", "上传的内容不是文件。"),
    "err.upload_too_big": ("That file is {size:.1f} MB; uploads may be at most {limit} MB.",
                           "该文件大小为 {size:.1f} MB；上传文件最大 {limit} MB。"),
    "err.not_integer": ("The {what} must be a whole number, not {value!r}.", "{what}必须是整数，而不是 {value!r}。"),
})


class StatusLine:
    """A single line at the foot of the page; `guard` wraps every callback that can fail.

    With `echo` (the page's line) it is a panel's own line (its messages, or the result of one of its
    buttons, placed beside that button); it starts blank, and everything it shows `echo` shows too."""

    def __init__(self, i18n, css: str = "tp-status", echo: StatusLine | None = None):
        self.i18n, self.echo = i18n, echo
        self.widget = W.HTML()
        self.widget.add_class(css)
        self.kind = "info"
        self._key, self._params, self._raw = ("status.ready" if echo is None else ""), {}, None  # "": blank
        i18n.observe(lambda _: self._render(), "lang")
        self._render()

    @property
    def text(self) -> str:
        """The message as a learner reads it (no markup)."""
        # A ConfigError is translated at render time, so a language switch re-translates it.
        params = {k: self._translate(v) if isinstance(v, ConfigError) else v for k, v in self._params.items()}
        return self._raw if self._raw is not None else self.i18n.t(self._key, **params)

    def show(self, key: str, kind: str = "info", **params):
        """Show a catalogue text (re-translated when the language switches)."""
        self._key, self._params, self._raw, self.kind = key, params, None, kind
        self._render()
        if self.echo is not None:
            self.echo.show(key, kind, **params)

    def error(self, exc: BaseException):
        """Turn any exception into one short sentence in the chosen language."""
        if isinstance(exc, ConfigError):
            self.show("status.bad_setting", "error", message=exc)
        elif is_out_of_memory(exc):
            log.warning("a run ran out of memory: %s", str(exc)[:200])
            self.show("status.out_of_memory", "error")
        else:
            log.exception("unexpected error in a callback", exc_info=exc)
            self.show("status.unexpected", "error", error=type(exc).__name__)

    def _translate(self, exc: ConfigError) -> str:
        key = f"err.{exc.code}" if exc.code else None
        if key in CATALOGUE and self.i18n.lang == "zh":
            # the name of the box ("learning rate") is translated too when the catalogue knows it
            params = {k: self.i18n.t(f"what.{v}") if k == "what" and f"what.{v}" in CATALOGUE else v
                      for k, v in exc.params.items()}
            try:
                return self.i18n.t(key, **params)
            except (KeyError, ValueError, IndexError):
                pass
        return str(exc)

    def _render(self):
        colour = {"error": "#b00020", "ok": "#1b5e20"}.get(self.kind, "#333")
        text = self.text
        self.widget.value = f'<span style="color:{colour}">{html.escape(text)}</span>' if text else ""

    def guard(self, fn):
        """Decorator for widget callbacks: exceptions go to the status line, not to the page."""

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except Exception as exc:  # the one place that catches everything: learners never see tracebacks
                self.error(exc)
                return None

        return wrapper
