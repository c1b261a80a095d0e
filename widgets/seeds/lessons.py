"""Seeds panel, lower half: the random-sequence demo, the seed audit and the PYTHONHASHSEED lesson."""
from __future__ import annotations

import html
import os

import ipywidgets as W

from core import audit_under, GENERATORS, random_sequences, seed_report

from ..shell.i18n import CATALOGUE, register
from ..shell.page_a11y import mark

register({
    "seeds.seq.button": ("Draw random numbers", "抽取随机数"),
    "seeds.seq.help": ("Seeding a generator fixes the numbers it will give: the same seed twice gives the same "
                       "numbers, the next seed gives others. The course's check: <code>random.seed(1024)</code> "
                       "starts 0.7970515714521261, 0.4834988702079559. An empty seed box draws with seed 1024.",
                       "给随机数生成器设定种子，就固定了它将产生的数：同一个种子用两次得到相同的数，换成下一个种子就得到别的数。"
                       "课程里的验证：<code>random.seed(1024)</code> 之后依次得到 0.7970515714521261、0.4834988702079559。"
                       "种子框为空时使用种子 1024。"),
    "seeds.seq.first": ("seed {seed}", "种子 {seed}"),
    "seeds.seq.again": ("seed {seed} again", "再用种子 {seed}"),
    "seeds.seq.same": ("same as the first draw", "与第一次相同"),
    "seeds.seq.differs": ("differs", "不同"),
    "seeds.seq.generator": ("generator", "生成器"),
    "seeds.seq.draw": ("draw", "抽取"),
    "seeds.seq.numbers": ("first {n} numbers", "前 {n} 个数"),
    "seeds.audit.title": ("<b>Seed audit</b> — what could still make two runs with the same seed differ, "
                          "with the switches above:",
                          "<b>种子检查</b>——在上面的开关设置下，还有哪些因素可能让相同种子的两次运行不同："),
    "seeds.audit.refresh": ("Refresh audit", "重新检查"),
    "seeds.audit.item": ("{icon} <code>{name}</code>: {message} — fix: {fix}",
                         "{icon} <code>{name}</code>：{message}——解决办法：{fix}"),
    "seeds.audit.none": ("Nothing left to fix here.", "这里没有需要修复的问题。"),
    "seeds.audit.cudnn.benchmark": ("cuDNN benchmark mode autotunes and may pick different algorithms per run.",
                                    "cuDNN 基准模式会自动调优，每次运行可能选中不同的算法。"),
    "seeds.audit.cudnn.deterministic": ("cuDNN may use nondeterministic convolution algorithms.",
                                        "cuDNN 可能使用非确定性的卷积算法。"),
    "seeds.audit.deterministic_algorithms": ("Some GPU ops (index_add_, scatter_add_, atomics) can sum in varying "
                                             "order.", "某些 GPU 运算（index_add_、scatter_add_、原子操作）的求和顺序可能每次不同。"),
    "seeds.audit.PYTHONHASHSEED": ("Set order and hash() of strings change between interpreter starts.",
                                   "每次启动解释器，集合的顺序和字符串的 hash() 都会变化。"),
    "seeds.audit.CUBLAS_WORKSPACE_CONFIG": ("cuBLAS needs a fixed workspace for deterministic matrix products.",
                                            "cuBLAS 需要固定大小的工作区，矩阵乘法才是确定性的。"),
    "seeds.audit.threads": ("{message}", "另一台机器或不同的 CPU 线程数可能带来不同的舍入误差。"),
    "seeds.fix.PYTHONHASHSEED": ("start Python with PYTHONHASHSEED=0 (setting it later has no effect)",
                                 "启动 Python 时就设置 PYTHONHASHSEED=0（之后再设置没有效果）"),
    "seeds.fix.threads": ("compare runs on the same machine", "在同一台机器上比较两次运行"),
    "seeds.hashseed": ("{note}", "PYTHONHASHSEED 只在解释器启动时生效；现在再设置它不会改变任何东西（当前值：{value}）。"),
    "seeds.unset": ("unset", "未设置"),
    "seeds.everything": ("<code>seed_everything(seed)</code> seeds: {names}.",
                         "<code>seed_everything(seed)</code> 会设置：{names}。"),
})

CALLS = {"python": "random.random()", "numpy": "np.random.rand()", "torch": "torch.rand()"}  # what each row draws
DEMO_SEED = 1024  # the course's example seed, used when the seed box is empty
N_DRAWS = 5


class SeedLessons:
    """Builds the demo table, the audit list and the hash-seed line; `panel` gives the seed and the switches."""

    def __init__(self, panel):
        self.panel, self.t = panel, panel.t
        self.draw = panel.button("seeds.seq.button", "tp-seeds-draw", icon="random")
        self.table = W.HTML()
        self.table.add_class("tp-seeds-table")
        self.refresh = panel.button("seeds.audit.refresh", "tp-seeds-refresh", icon="refresh")
        self.audit_list = W.HTML()
        self.audit_list.add_class("tp-seeds-audit")
        self.hashseed = W.HTML()
        self.hashseed.add_class("tp-seeds-hashseed")
        self.sequences = None  # (seed, first, again, next) after a draw
        self.findings = []
        panel.on_click(self.draw, self.draw_sequences)
        panel.on_click(self.refresh, self.run_audit)
        self.report = seed_report(DEMO_SEED)
        self.run_audit()
        panel.i18n.call(lambda _: self.render())
        self.audit_title = panel.label(W.HTML(), "seeds.audit.title", "value")
        self.widget = W.VBox([
            panel.label(W.HTML(), "seeds.seq.help", "value"), self.draw, self.table,
            self.audit_title, self.audit_list, self.refresh, self.hashseed,
        ])

    def draw_sequences(self):
        """Draw with the box's seed twice, then with seed + 1."""
        seed = self.panel.seed_value()
        seed = DEMO_SEED if seed is None else seed
        self.sequences = (seed, random_sequences(seed, N_DRAWS), random_sequences(seed, N_DRAWS),
                          random_sequences(seed + 1, N_DRAWS))
        self.render()
        self.panel.status.show("status.ready", "ok")

    def run_audit(self):
        """Audit what remains nondeterministic under the panel's deterministic / benchmark switches."""
        self.findings = audit_under(self.panel.deterministic.value, self.panel.benchmark.value)
        self.render()

    def render(self):
        """Redraw the table, the audit list and the lesson line in the current language."""
        self.table.value = self._table_html()
        self.audit_list.value = self._audit_html()
        env = os.environ.get("PYTHONHASHSEED") or self.t("seeds.unset")
        notes = "<br>".join(html.escape(self.t("seeds.hashseed", note=note, value=env)) for note in self.report.notes)
        names = ", ".join(f"<code>{html.escape(name)}</code>" for name in self.report.seeded)
        self.hashseed.value = f"<p>{mark('info')}{notes}<br>{self.t('seeds.everything', names=names)}</p>"

    def _table_html(self) -> str:
        if self.sequences is None:
            return ""
        seed, first, again, other = self.sequences
        draws = ((self.t("seeds.seq.first", seed=seed), first), (self.t("seeds.seq.again", seed=seed), again),
                 (self.t("seeds.seq.first", seed=seed + 1), other))
        head = (f"<tr><th>{self.t('seeds.seq.generator')}</th><th>{self.t('seeds.seq.draw')}</th>"
                f"<th>{self.t('seeds.seq.numbers', n=N_DRAWS)}</th><th></th></tr>")
        rows = []
        for gen in GENERATORS:
            for label, values in draws:
                if values is first:
                    verdict = ""
                elif values[gen] == first[gen]:
                    verdict = mark("yes") + self.t("seeds.seq.same")
                else:
                    verdict = mark("no") + self.t("seeds.seq.differs")
                numbers = " ".join(f"{v:.6f}" for v in values[gen])
                rows.append(f"<tr class='tp-seeds-row' data-gen='{gen}'><td><code>{CALLS[gen]}</code></td>"
                            f"<td>{html.escape(label)}</td><td style='font-family:monospace'>{numbers}</td>"
                            f"<td>{verdict}</td></tr>")
        return f"<table>{head}{''.join(rows)}</table>"

    def _audit_html(self) -> str:
        if not self.findings:
            return f"<p>{mark('yes')}{self.t('seeds.audit.none')}</p>"
        items = []
        for f in self.findings:
            # Findings core adds later fall back to core's English until they are translated here.
            message = self._text(f"seeds.audit.{f.name}", f.message)
            fix_key = f"seeds.fix.{f.name}"
            fix = html.escape(self.t(fix_key)) if fix_key in CATALOGUE else f"<code>{html.escape(f.fix)}</code>"
            item = self.t("seeds.audit.item", icon=mark(f.severity), name=html.escape(f.name),
                          message=html.escape(message), fix=fix)
            items.append(f"<li class='tp-seeds-finding' data-severity='{f.severity}'>{item}</li>")
        return f"<ul style='list-style:none;padding-left:0'>{''.join(items)}</ul>"

    def _text(self, key, fallback):
        return self.t(key, message=fallback) if key in CATALOGUE else fallback
