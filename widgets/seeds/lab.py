"""Seeds panel, lab section: the knob matrix, seed-noise bands, and the global-RNG interference demo."""
from __future__ import annotations

import html

import ipywidgets as W
import plotly.graph_objects as go

from core import interference_demo, knob_matrix, seed_ensemble

from ..shell.figures import figure, widget_of
from ..shell.i18n import CATALOGUE, register
from ..shell.page_a11y import mark
from ..shell.parse import parse_float, parse_int

KNOB_REPEATS = 3  # enough to see each row's noise, few enough for a class machine

register({
    "lab.knobs.button": ("Run the knob matrix", "运行开关矩阵"),
    "lab.knobs.help": ("Each setting trains the same small run three times, the settings taking turns: are the "
                       "runs bitwise identical, and what does the setting cost? A time is the median of the three, "
                       "with the fastest–slowest beside it; a slowdown whose range overlaps plain 'seeded' is "
                       "noise, not a cost. Loader rows fingerprint the batches a DataLoader with two worker "
                       "processes serves (with random augmentation drawn in the workers).",
                       "每种设置把同一个小训练跑三次，各设置轮流进行：几次是否逐位相同？这个设置要付出多少时间？"
                       "时间取三次的中位数，旁边是最快–最慢；如果减速的范围与“设定种子”重叠，那只是噪声，不是代价。"
                       "加载器那几行比较的是带两个工作进程的 DataLoader 送出的批次（增强噪声在工作进程里抽取）。"),
    "lab.knobs.setting": ("setting", "设置"),
    "lab.knobs.seeded": ("seed fixed", "固定种子"),
    "lab.knobs.identical": ("identical", "完全相同"),
    "lab.knobs.seconds": ("s per run (fastest–slowest)", "每次秒数（最快–最慢）"),
    "lab.knobs.noise": ("same within noise", "在噪声范围内相同"),
    "lab.knobs.slowdown": ("slowdown", "减速倍数"),
    "lab.knobs.fingerprints": ("fingerprints", "指纹"),
    "lab.knob.nothing seeded": ("nothing seeded", "不设种子"),
    "lab.knob.seeded": ("seeded", "设定种子"),
    "lab.knob.seeded + cudnn.benchmark": ("seeded + cudnn.benchmark", "设定种子 + cudnn.benchmark"),
    "lab.knob.seeded + cudnn.deterministic": ("seeded + cudnn.deterministic", "设定种子 + cudnn.deterministic"),
    "lab.knob.seeded + deterministic algorithms": ("seeded + deterministic algorithms", "设定种子 + 确定性算法"),
    "lab.knob.loader workers, no generator": ("loader workers, no generator", "加载器工作进程，无生成器"),
    "lab.knob.loader workers, seeded generator": ("loader workers, seeded generator", "加载器工作进程，设定种子的生成器"),
    "lab.yes": ("yes", "是"),
    "lab.no": ("no", "否"),
    "lab.knobs.done": ("Knob matrix done.", "开关矩阵完成。"),
    "lab.band.button": ("Show seed noise", "显示种子噪声"),
    "lab.band.help": ("Train each rate under several seeds. The shaded band is what luck alone spans: if two "
                      "bands overlap, the difference between the rates may be noise.",
                      "对每个学习率用多个种子训练。阴影带是单凭运气能覆盖的范围：如果两条带重叠，两个学习率之间的差异可能只是噪声。"),
    "lab.band.seeds": ("seeds", "种子数"),
    "lab.band.lr_a": ("rate A", "学习率 A"),
    "lab.band.lr_b": ("rate B", "学习率 B"),
    "lab.band.minmax": ("min–max", "最小–最大"),
    "lab.band.mean": ("mean", "均值"),
    "lab.band.step": ("step", "步"),
    "lab.band.loss": ("training loss", "训练损失"),
    "lab.band.title": ("Training loss: mean and min–max band over seeds", "训练损失：多个种子的均值与最小–最大带"),
    "lab.band.done": ("Seed noise drawn.", "种子噪声已画出。"),
    "lab.inter.button": ("Share a generator?", "共用一个生成器？"),
    "lab.inter.help": ("Run A alone, then A beside run B. Classic style — <code>torch.manual_seed(s)</code> and "
                       "everything drawing from the global generator — B's draws shift A's. With a private "
                       "<code>torch.Generator</code> per run, A stays A.",
                       "先单独运行 A，再让 A 与 B 交替运行。经典写法——<code>torch.manual_seed(s)</code> 之后一切都从全局生成器取数——"
                       "B 的抽取会改变 A。每次运行使用私有的 <code>torch.Generator</code>，A 就始终是 A。"),
    "lab.inter.shared": ("global generator (torch.manual_seed)", "全局生成器（torch.manual_seed）"),
    "lab.inter.private": ("private torch.Generator per run", "每次运行私有的 torch.Generator"),
    "lab.inter.alone": ("A alone", "A 单独运行"),
    "lab.inter.beside": ("A beside B", "A 与 B 交替"),
    "lab.inter.same": ("reproducible", "可复现"),
    "lab.inter.changed": ("NOT reproducible", "不可复现"),
})


def _yes(panel, flag):
    return mark("yes" if flag else "no") + panel.t("lab.yes" if flag else "lab.no")


def _slowdown(t, row):
    if row.what != "run":
        return "—"
    return f"×{row.slowdown:.2f}" + (f" <i>({t('lab.knobs.noise')})</i>" if row.same_within_noise else "")


def knob_name(t, name):
    """A knob row's name in the current language (a row core adds later shows core's English name)."""
    return t(f"lab.knob.{name}") if f"lab.knob.{name}" in CATALOGUE else name


class ReproLab:
    """Knob matrix, seed-noise bands and the interference demo, driven by the Seeds panel's config."""

    def __init__(self, panel):
        self.panel = panel
        self.knobs_button = panel.button("lab.knobs.button", "tp-lab-knobs")
        self.knobs_table = W.HTML()
        self.knobs_table.add_class("tp-lab-knobs-table")
        self.band_button = panel.button("lab.band.button", "tp-lab-band")
        self.n_seeds = panel.label(W.IntSlider(value=5, min=2, max=12, continuous_update=False), "lab.band.seeds")
        self.lr_a = panel.label(W.Text(value="0.1", layout=W.Layout(width="14em")), "lab.band.lr_a")
        self.lr_b = panel.label(W.Text(value="0.05", layout=W.Layout(width="14em")), "lab.band.lr_b")
        colours = ("31,119,180", "255,127,14")
        traces = []
        for c in colours:
            traces += [go.Scatter(x=[], y=[], mode="lines", line=dict(width=0), showlegend=False, hoverinfo="skip"),
                       go.Scatter(x=[], y=[], mode="lines", line=dict(width=0), fill="tonexty",
                                  fillcolor=f"rgba({c},0.25)"),
                       go.Scatter(x=[], y=[], mode="lines", line=dict(color=f"rgb({c})"))]
        self.band_fig = figure(traces)
        self.inter_button = panel.button("lab.inter.button", "tp-lab-interference")
        self.inter_table = W.HTML()
        self.inter_table.add_class("tp-lab-interference-table")
        self.rows = self.ensembles = self.interference = None
        panel.on_click(self.knobs_button, self.run_knobs)
        panel.on_click(self.band_button, self.run_band)
        panel.on_click(self.inter_button, self.run_interference)
        panel.i18n.call(lambda _: self.render())
        self.buttons = [self.knobs_button, self.band_button, self.inter_button]
        self.widget = W.VBox([
            panel.label(W.HTML(), "lab.knobs.help", "value"), self.knobs_button, self.knobs_table,
            panel.label(W.HTML(), "lab.band.help", "value"), W.HBox([self.n_seeds, self.lr_a, self.lr_b]),
            self.band_button, widget_of(self.band_fig),
            panel.label(W.HTML(), "lab.inter.help", "value"), self.inter_button, self.inter_table,
        ])

    def _background(self, work, done):
        p = self.panel
        p.start(lambda emit, stop: work(), lambda records: None, done, [p.run, *self.buttons], p.stop_button)

    def run_knobs(self):
        """Every knob row, KNOB_REPEATS times each, in the background; then the table."""
        cfg = self.panel.config().replace(epochs=1, unseeded=())
        self._background(lambda: knob_matrix(cfg, repeats=KNOB_REPEATS), self._knobs_done)

    def _knobs_done(self, rows):
        self.rows = rows
        self.render()
        self.panel.status.show("lab.knobs.done", "ok")

    def run_band(self):
        """Seed ensembles for rates A and B, drawn as mean lines inside min–max bands."""
        lrs = [parse_float(box.value, "learning rate") for box in (self.lr_a, self.lr_b)]
        n = parse_int(self.n_seeds.value, "seeds")
        cfgs = [self.panel.config().replace(lr=lr, unseeded=()).validate() for lr in lrs]
        self._background(lambda: [seed_ensemble(c, range(n)) for c in cfgs], self._band_done)

    def _band_done(self, ensembles):
        self.ensembles = ensembles
        self.render()
        self.panel.status.show("lab.band.done", "ok")

    def run_interference(self):
        """A alone vs beside B, sharing the global generator and with private ones."""
        cfg = self.panel.config().replace(epochs=1, unseeded=())
        self._background(lambda: interference_demo(cfg), self._inter_done)

    def _inter_done(self, demo):
        self.interference = demo
        self.render()
        self.panel.status.show("status.ready", "ok")

    def render(self):
        t = self.panel.t
        if self.rows:
            head = "".join(f"<th>{t(k)}</th>" for k in ("lab.knobs.setting", "lab.knobs.seeded", "lab.knobs.identical",
                                                         "lab.knobs.seconds", "lab.knobs.slowdown",
                                                         "lab.knobs.fingerprints"))
            body = "".join(
                f"<tr><td>{html.escape(knob_name(t, r.name))}</td><td>{_yes(self.panel, r.seeded)}</td>"
                f"<td>{_yes(self.panel, r.identical)}</td><td>{r.seconds:.3f} ({r.low:.3f}–{r.high:.3f})</td>"
                f"<td>{_slowdown(t, r)}</td>"
                f"<td><code>{' '.join(fp[:8] for fp in r.fingerprints)}</code></td></tr>" for r in self.rows)
            self.knobs_table.value = f"<table class='tp-table'><tr>{head}</tr>{body}</table>"
        with self.band_fig.batch_update():
            self.band_fig.layout.title = t("lab.band.title")
            self.band_fig.layout.xaxis.title, self.band_fig.layout.yaxis.title = t("lab.band.step"), t("lab.band.loss")
            for k in range(2):
                self.band_fig.data[3 * k + 1].name = t("lab.band.minmax")
                self.band_fig.data[3 * k + 2].name = t("lab.band.mean")
            for k, ens in enumerate(self.ensembles or []):
                low, high, mean = self.band_fig.data[3 * k:3 * k + 3]
                steps = list(range(len(ens.mean)))
                low.x, low.y, high.x, high.y = steps, ens.low, steps, ens.high
                mean.x, mean.y = steps, ens.mean
                mean.name = f"{t('rate.name', lr=ens.runs[0].config.lr)} (n={len(ens.runs)})"
                high.name = f"{t('rate.name', lr=ens.runs[0].config.lr)} {t('lab.band.minmax')}"
        if self.interference is not None:
            d = self.interference
            rows = [("lab.inter.shared", d.shared_alone, d.shared_beside, d.shared_reproducible),
                    ("lab.inter.private", d.private_alone, d.private_beside, d.private_reproducible)]
            body = "".join(
                f"<tr><td>{t(name)}</td><td><code>{a[:12]}</code></td><td><code>{b[:12]}</code></td>"
                f"<td><b style='color:{'#1b5e20' if same else '#b00020'}'>"
                f"{t('lab.inter.same' if same else 'lab.inter.changed')}</b></td></tr>" for name, a, b, same in rows)
            self.inter_table.value = (f"<table class='tp-table'><tr><th></th><th>{t('lab.inter.alone')}</th>"
                                      f"<th>{t('lab.inter.beside')}</th><th></th></tr>{body}</table>")
