"""Seeds panel, resume without drift: tick what a checkpoint keeps, resume, and compare with the straight run."""
from __future__ import annotations

import ipywidgets as W
import plotly.graph_objects as go

from core import STATE_PARTS, ConfigError, resume_check

from ..shell.figures import figure, hint_until_drawn, widget_of
from ..shell.parse import parse_int
from ..shell.runner import Events
from ..shell.settings import Setting, control
from ..shell import palette


def check_keep(panel, keep) -> list:
    """Shared checkpoint parts: a list naming only STATE_PARTS."""
    if not isinstance(keep, list) or any(part not in STATE_PARTS for part in keep):
        raise ConfigError("checkpoint_parts", parts=", ".join(STATE_PARTS))
    return keep


def _put_keep(panel, keep):
    for part, box in panel.resume.keep.items():
        box.value = part in keep


SETTINGS = (control("resume_at", "resume.at", lambda p, v: str(parse_int(v, "step"))),
            Setting("resume_keep", lambda p: [part for part, box in p.resume.keep.items() if box.value], _put_keep,
                    check_keep))


class ResumeCheck:
    """The resume section: a box per checkpoint part, the save step, a button, overlaid curves and a verdict."""

    def __init__(self, panel):
        self.panel = panel
        self.keep = {}
        for part in STATE_PARTS:
            box = panel.label(W.Checkbox(value=True, indent=False), f"resume.part.{part}")
            box.add_class(f"tp-resume-{part}")
            self.keep[part] = box
        self.at = panel.label(W.Text(value="40", layout=W.Layout(width="12em")), "resume.at")
        self.button = panel.button("resume.button", "tp-seeds-resume")
        self.fig = figure([go.Scatter(x=[], y=[], mode="lines", line=dict(color=palette.BLUE, width=3)),
                           go.Scatter(x=[], y=[], mode="lines", line=dict(color=palette.ORANGE, dash="dash"))])
        self.verdict = W.HTML()
        self.verdict.add_class("tp-seeds-resume-verdict")
        self.result = None
        panel.on_click(self.button, self.run)
        panel.i18n.call(lambda _: self.render())
        self.widget = W.VBox([panel.label(W.HTML(), "resume.help", "value"), W.HBox(list(self.keep.values())),
                              W.HBox([self.at, self.button]), widget_of(self.fig), self.verdict])

    def run(self):
        """resume_check with the panel's config (every part seeded), the ticked parts and the save step."""
        p = self.panel
        cfg = p.config().replace(unseeded=())
        at = parse_int(self.at.value, "step")
        keep = tuple(part for part, box in self.keep.items() if box.value)
        self.result = None
        with self.fig.batch_update():
            for trace in self.fig.data:
                trace.x, trace.y = [], []
        self.render()

        def done(result):
            self.result = result
            self.render()
            self.panel.status.show("panel.stopped" if result.stopped else "resume.done", "ok")

        def flush(records):
            fresh = {"straight": ([], []), "resumed": ([], [])}  # "before" (up to the save) is the straight run again
            for kind, record in records:
                if kind == "step" and record["run"] in fresh:
                    fresh[record["run"]][0].append(record["step"])
                    fresh[record["run"]][1].append(record["loss"])
            with self.fig.batch_update():
                for index, (xs, ys) in enumerate(fresh.values()):
                    self.fig.extend(index, xs, ys)
            self._hint()

        p.start(lambda emit, stop: resume_check(cfg, at, keep, callbacks=[Events(emit)], stop=stop), flush, done,
                [p.run, self.button], p.stop_button)

    def _hint(self):
        t = self.panel.t
        hint_until_drawn(self.fig, t("chart.hint", button=t("resume.button")))

    def render(self):
        t, r = self.panel.t, self.result
        with self.fig.batch_update():
            self.fig.layout.title = t("resume.title")
            self.fig.layout.xaxis.title, self.fig.layout.yaxis.title = t("resume.step"), t("resume.loss")
            self.fig.data[0].name, self.fig.data[1].name = t("resume.straight"), t("resume.resumed")
            if r is not None:
                straight, resumed = r.straight.train_loss, r.resumed.train_loss
                self.fig.data[0].x, self.fig.data[0].y = list(range(len(straight))), straight
                self.fig.data[1].x = list(range(r.at_step, r.at_step + len(resumed)))
                self.fig.data[1].y = resumed
        self._hint()
        if r is None:
            self.verdict.value = ""
            return
        if r.stopped:
            self.verdict.value = f"<p>{t('panel.stopped')}</p>"
            return
        missing = ", ".join(t(f"resume.part.{part}") for part in r.missing)
        if r.identical:
            text = t("resume.identical", size=r.checkpoint_bytes)
            extra = t("resume.harmless", parts=missing) if r.missing else ""
            colour = palette.OK
        else:
            text = t("resume.differs", step=r.first_diff_step, size=r.checkpoint_bytes)
            extra = t("resume.missing", parts=missing) if r.missing else ""
            colour = palette.ERROR
        self.verdict.value = f"<p><b style='color:{colour}'>{text}</b></p><p>{extra}</p>"
