"""Panel 7 — the training loop: switch a classic mistake on beside its line, run it beside the correct loop, read
what it did in numbers, with the health gauges of both runs and the script that reproduces the broken run."""
from __future__ import annotations

import math

import ipywidgets as W
import plotly.graph_objects as go

from core import (NORMS, UPDATE_RATIO_RULE, RunConfig, export_script, mistake_effects, run_with_mistakes)

from ..shell.figures import figure, show_hint, widget_of
from ..shell.i18n import register
from ..shell.panel import Panel, config_from, shareable
from ..shell.runner import Events
from .code import LoopCode
from .init_table import InitTable
from .loaders import LoaderLab

register({
    "loop.help": ("Tick a mistake beside its line and press Run: the correct loop and the broken one train side "
                  "by side on the same data, from the same weights.",
                  "在代码行旁勾选一个错误，然后按“运行”：正确的循环和出错的循环在相同数据、相同初始权重上并排训练。"),
    "loop.run": ("Run both loops", "运行两个循环"),
    "loop.dropout": ("Dropout", "Dropout"),
    "loop.norm": ("Batch norm", "批归一化"),
    "loop.correct": ("correct loop", "正确的循环"),
    "loop.broken": ("with the mistakes", "带错误的循环"),
    "loop.loss_title": ("Training loss per step (log scale)", "每步训练损失（对数坐标）"),
    "loop.acc_title": ("Validation accuracy per epoch", "每轮验证准确率"),
    "loop.ratio_title": ("Update / weight ratio of layer 1 (log10); the line is the 10⁻³ rule of thumb",
                         "第 1 层的更新量 / 权重比（log10）；横线是 10⁻³ 经验值"),
    "loop.step": ("step", "步"),
    "loop.epoch": ("epoch", "轮"),
    "loop.hint": ("Press “{button}” to train both loops.", "按“{button}”训练两个循环。"),
    "loop.no_mistake": ("Tick at least one mistake first.", "请先至少勾选一个错误。"),
    "loop.health": ("<b>Health</b> — step-0 loss {ok0:.3f} and {bad0:.3f} against ln C = {lnc:.3f}; "
                    "dead units in layer 1 at the end: {okdead:.0%} and {baddead:.0%} (correct, broken).",
                    "<b>健康指标</b>：第 0 步损失 {ok0:.3f} 与 {bad0:.3f}，对比 ln C = {lnc:.3f}；"
                    "结束时第 1 层死亡单元：{okdead:.0%} 与 {baddead:.0%}（正确、出错）。"),
    "loop.export": ("Export the broken run as a script", "把出错的运行导出为脚本"),
    "effect.no_zero_grad": ("No zero_grad: the last gradient norm was {grad:.3g} (correct loop {ok_grad:.3g}): each "
                            "step adds to the old gradients; validation accuracy {acc:.2f} vs {ok_acc:.2f}.",
                            "没有 zero_grad：最后一步梯度范数 {grad:.3g}（正确循环 {ok_grad:.3g}）：每一步都叠加旧梯度；"
                            "验证准确率 {acc:.2f} 对比 {ok_acc:.2f}。"),
    "effect.no_eval_mode": ("Validation accuracy in train mode {acc:.2f} vs {ok_acc:.2f} in eval mode.",
                            "训练模式下的验证准确率 {acc:.2f}，评估模式下 {ok_acc:.2f}。"),
    "effect.no_shuffle": ("Batches sorted by class: validation accuracy {acc:.2f} vs {ok_acc:.2f} with shuffling.",
                          "按类别排序的批次：验证准确率 {acc:.2f}，打乱时为 {ok_acc:.2f}。"),
    "effect.softmax_then_ce": ("Softmax before the loss: the lowest training loss was {low:.4f}, never below the floor "
                               "ln(e + C − 1) − 1 = {floor:.4f} (correct loop {ok_low:.4f}); accuracy {acc:.2f} vs "
                               "{ok_acc:.2f}.",
                               "在损失前做 softmax：最低训练损失 {low:.4f}，永远不低于下限 ln(e + C − 1) − 1 = {floor:.4f}"
                               "（正确循环 {ok_low:.4f}）；准确率 {acc:.2f} 对比 {ok_acc:.2f}。"),
    "effect.leaky_normalisation": ("Statistics of every row: validation accuracy {acc:.2f} vs {ok_acc:.2f}; the "
                                   "validation rows shaped the inputs, so this number is no longer an honest estimate.",
                                   "使用全部数据的统计量：验证准确率 {acc:.2f} 对比 {ok_acc:.2f}；验证数据影响了输入的缩放，"
                                   "这个数字不再是诚实的估计。"),
    "effect.eval_with_grad": ("No no_grad: the same validation loss ({loss:.4f} = {ok_loss:.4f}), but autograd kept "
                              "{mb:.2f} MB for a backward that never comes ({ok_mb:.2f} MB under no_grad).",
                              "没有 no_grad：验证损失相同（{loss:.4f} = {ok_loss:.4f}），但 autograd 为永远不会发生的反向传播"
                              "保存了 {mb:.2f} MB（no_grad 下 {ok_mb:.2f} MB）。"),
    "effect.sum_reduction": ('reduction="sum": step 0 moved layer 1 {times:.1f}× as far as the mean loss did (batch '
                             "size {batch}); validation accuracy {acc:.2f} vs {ok_acc:.2f}.",
                             'reduction="sum"：第 0 步第 1 层的移动量是平均损失时的 {times:.1f} 倍（批大小 {batch}）；'
                             "验证准确率 {acc:.2f} 对比 {ok_acc:.2f}。"),
})

COLOURS = ("#2ca02c", "#d62728")
DROPOUTS = (0.0, 0.3, 0.5)


class LoopPanel(Panel):
    """Loop panel; attributes code (switches), dropout, norm, run, stop_button, loss_fig, acc_fig, ratio_fig,
    effects (sentences), health, export, script, histories."""

    name = "loop"

    def __init__(self, ctx):
        super().__init__(ctx)
        self.base = RunConfig(hidden=(64,), epochs=3, dropout=0.3, norm="batch", stats_every=5)
        self.code = LoopCode(self)
        self.dropout = self.label(W.Dropdown(options=DROPOUTS, value=0.3, layout=W.Layout(width="14em")),
                                  "loop.dropout")
        self.norm = self.label(W.Dropdown(options=tuple(NORMS), value="batch", layout=W.Layout(width="14em")),
                               "loop.norm")
        self.run = self.button("loop.run", "tp-run", "primary", "play")
        self.stop_button = self.button("panel.stop", "tp-stop", "warning", "stop")
        self.stop_button.disabled = True
        self.on_click(self.run, self.run_pair)
        self.on_click(self.stop_button, self.stop)
        self.loss_fig = self._figure("lines", yaxis=dict(type="log", exponentformat="power"))
        self.acc_fig = self._figure("lines+markers", yaxis=dict(range=[0, 1]))
        self.ratio_fig = self._figure("lines")
        self.effects, self.health = W.HTML(), W.HTML()
        self.effects.add_class("tp-loop-effects")
        self.export = self.button("loop.export", "tp-export")
        self.export.disabled = True
        self.script = W.Textarea(layout=W.Layout(width="100%", height="200px", display="none"))
        self.script.add_class("tp-export-text")
        self.on_click(self.export, self.export_broken)
        self.histories = None
        self.init_table, self.loaders = InitTable(self), LoaderLab(self)
        self.i18n.call(lambda _: self._retitle())
        self.root.children = [
            self.label(W.HTML(), "loop.help", "value"), self.code.widget,
            W.HBox([self.dropout, self.norm, self.run, self.stop_button]),
            W.HBox([widget_of(self.loss_fig), widget_of(self.acc_fig)], layout=W.Layout(flex_flow="row wrap")),
            self.effects, self.health, widget_of(self.ratio_fig), self.export, self.script,
            self.init_table.widget, self.loaders.widget, self.share_box(),
        ]

    def _figure(self, mode, **layout):
        return figure([go.Scatter(x=[], y=[], mode=mode, line=dict(color=c)) for c in COLOURS], height=300, **layout)

    def config(self) -> RunConfig:
        """The panel's run: base settings with the chosen dropout, norm and mistakes."""
        return self.base.replace(dropout=float(self.dropout.value), norm=self.norm.value,
                                 mistakes=self.code.mistakes).validate()

    def run_pair(self):
        """Train the correct and the broken loop side by side; curves grow live."""
        if self.refuse_if_busy():
            return
        cfg = self.config()
        if not cfg.mistakes:
            self.status.show("loop.no_mistake", "error")
            return
        self.histories = None
        self.script.layout.display = "none"
        with self.loss_fig.batch_update(), self.acc_fig.batch_update(), self.ratio_fig.batch_update():
            for fig in (self.loss_fig, self.acc_fig, self.ratio_fig):
                for trace in fig.data:
                    trace.x, trace.y = [], []
        self._retitle()

        def work(emit, stop):
            return run_with_mistakes(cfg.replace(mistakes=()), cfg.mistakes, callbacks=[Events(emit)], stop=stop)

        def flush(records):
            fresh = {(fig, i): ([], []) for fig in ("loss", "acc") for i in (0, 1)}
            for kind, r in records:
                if kind == "step":
                    xs, ys = fresh[("loss", r["run"])]
                    xs.append(r["step"])
                    ys.append(r["loss"] if math.isfinite(r["loss"]) and r["loss"] > 0 else None)
                elif r["val_acc"] is not None:
                    xs, ys = fresh[("acc", r["run"])]
                    xs.append(r["epoch"])
                    ys.append(r["val_acc"])
            for (name, i), (xs, ys) in fresh.items():
                if xs:
                    getattr(self, f"{name}_fig").extend(i, xs, ys)

        def done(histories):
            self.histories = histories
            self.export.disabled = False
            self._retitle()
            self.status.show("panel.stopped" if any(h.stopped for h in histories) else "status.ready", "ok")

        self.start(work, flush, done, [self.run, self.export], self.stop_button)

    def _retitle(self):
        t = self.t
        for fig, title, axis in ((self.loss_fig, "loop.loss_title", "loop.step"),
                                 (self.acc_fig, "loop.acc_title", "loop.epoch"),
                                 (self.ratio_fig, "loop.ratio_title", "loop.step")):
            with fig.batch_update():
                fig.layout.title, fig.layout.xaxis.title = t(title), t(axis)
                fig.data[0].name, fig.data[1].name = t("loop.correct"), t("loop.broken")
            show_hint(fig, None if self.histories or self.busy else t("loop.hint", button=t("loop.run")))
        if not self.histories:
            self.effects.value = self.health.value = ""
            return
        correct, broken = self.histories
        self.effects.value = "<ul>" + "".join(f"<li>{t(row['code'], **row['params'])}</li>"
                                              for row in mistake_effects(correct, broken)) + "</ul>"
        self._draw_health(correct, broken)

    def _draw_health(self, correct, broken):
        def dead(h):
            series = h.health["dead_fraction"].get("layer1")
            return series["fraction"][-1] if series and series["fraction"] else math.nan

        def initial(h):
            value = h.health["initial_loss"]
            return math.nan if value is None else value

        self.health.value = self.t("loop.health", ok0=initial(correct), bad0=initial(broken),
                                   lnc=correct.health["expected_initial_loss"], okdead=dead(correct),
                                   baddead=dead(broken))
        with self.ratio_fig.batch_update():
            for i, h in enumerate((correct, broken)):
                series = h.health["update_ratio"].get("layer1", {"step": [], "ratio": []})
                self.ratio_fig.data[i].x = series["step"]
                self.ratio_fig.data[i].y = [math.log10(r) if r > 0 and math.isfinite(r) else None
                                            for r in series["ratio"]]
            rule = math.log10(UPDATE_RATIO_RULE)
            self.ratio_fig.layout.shapes = [dict(type="line", xref="paper", x0=0, x1=1, y0=rule, y1=rule,
                                                 line=dict(dash="dot", color="#555"))]

    def export_broken(self):
        """The plain-PyTorch script of the broken run, its mistakes on marked lines, with its fingerprint."""
        broken = self.histories[1]
        self.script.value = export_script(broken.config, broken.fingerprint)
        self.script.layout.display = None

    # -- sharing -------------------------------------------------------------------------
    def settings(self) -> dict:
        return shareable(self.config())

    def apply_settings(self, data: dict) -> None:
        cfg = config_from(data, self.config()).validate()
        if float(cfg.dropout) not in DROPOUTS:
            self.dropout.options = tuple(sorted({*DROPOUTS, float(cfg.dropout)}))
        self.base = cfg.replace(mistakes=())
        self.dropout.value, self.norm.value = float(cfg.dropout), cfg.norm
        self.code.mistakes = cfg.mistakes
