"""Seeds panel, lower half: the random-sequence demo, the seed audit and the PYTHONHASHSEED lesson."""
from __future__ import annotations

import html
import os

import ipywidgets as W

from core import audit_under, GENERATORS, random_sequences, seed_report

from ..shell.page_a11y import mark

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
        notes = html.escape(self.t("seeds.hashseed", value=env))  # the note seed_everything makes, in this language
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
            message = self.t(f"seeds.audit.{f.name}", **f.params)
            fix = f"<code>{html.escape(f.code)}</code>" if f.code else html.escape(self.t(f"seeds.fix.{f.name}"))
            item = self.t("seeds.audit.item", icon=mark(f.severity), name=html.escape(f.name),
                          message=html.escape(message), fix=fix)
            items.append(f"<li class='tp-seeds-finding' data-severity='{f.severity}'>{item}</li>")
        return f"<ul style='list-style:none;padding-left:0'>{''.join(items)}</ul>"
