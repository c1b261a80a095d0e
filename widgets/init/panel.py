"""Panel 2 — initialisation: per-layer scale at init, during training, deep matmul, gains, zero-init symmetry."""
from __future__ import annotations

import ipywidgets as W

from core import ACTIVATIONS, ConfigError, init_report, INIT_SCHEMES, RunConfig, train

from .bars import BarsSection
from .gains import gain_table
from .matmul import SCALE_LABELS, MatmulSection, check_layers, check_relu
from .symmetry import SymmetrySection
from .watch import WatchSection
from ..shell.options import option_pairs, relabel
from ..shell.panel import Panel
from ..shell.parse import check_choice, is_whole_in, parse_seed
from ..shell.runner import Events
from ..shell.settings import control, run_check, run_field
from ..shell.status import StatusLine

MAX_DEPTH = 12
WIDTHS = (16, 32, 64, 128, 256)
TRAIN_DEFAULTS = RunConfig(epochs=2, stats_every=2)  # short run, statistics every other step


class InitPanel(Panel):
    """Init panel; controls scheme, activation, depth, width, seed, log; buttons run, train_button, stop_button;
    sections bars, watch, matmul, symmetry; `report`/`history` after runs."""

    name = "init"
    schema = (control("init", "scheme", run_check("init")),
              control("activation", "activation", run_check("activation")),
              control("depth", "depth", lambda p, v: check_depth(v)),
              control("width", "width", lambda p, v: check_choice(v, WIDTHS, "width")),
              control("seed", "seed", lambda p, v: p.check_seed_text("" if v is None else str(v))),
              run_field("lr"), run_field("epochs"),
              control("matmul_depth", "matmul.depth", lambda p, v: check_layers(v)),
              control("matmul_scale", "matmul.scale", lambda p, v: check_choice(v, SCALE_LABELS, "scale")),
              control("matmul_relu", "matmul.relu", lambda p, v: check_relu(v)))

    def __init__(self, ctx):
        super().__init__(ctx)
        self.base, self.report, self.history = TRAIN_DEFAULTS, None, None
        self.scheme = self.label(W.Dropdown(options=list(INIT_SCHEMES), value="pytorch_default"), "init.scheme")
        self.activation = self.label(W.Dropdown(options=list(ACTIVATIONS), value="relu"), "init.activation")
        self.depth = self.label(W.IntSlider(value=8, min=1, max=MAX_DEPTH, continuous_update=False), "init.depth")
        self.width = self.label(W.Dropdown(options=list(WIDTHS), value=64, layout=W.Layout(width="12em")), "init.width")
        self.seed = self.label(W.Text(value="0", layout=W.Layout(width="12em")), "init.seed")
        self.seed.add_class("tp-seed")
        self.log = self.label(W.Checkbox(value=True, indent=False), "init.log")
        self.run = self.button("init.look", "tp-run", "primary", "search")
        self.train_button = self.button("init.train", "tp-init-train", "primary", "play")
        self.stop_button = self.button("panel.stop", "tp-stop", "warning", "stop")
        self.stop_button.disabled = True
        self.result = StatusLine(self.i18n, "tp-result", echo=self.status)  # Train-and-watch's outcome, beside it
        self.on_click(self.run, self.look)
        self.on_click(self.train_button, self.train_run)
        self.on_click(self.stop_button, self.stop)
        self.bars, self.watch = BarsSection(self), WatchSection(self)
        self.matmul, self.symmetry = MatmulSection(self), SymmetrySection(self)
        refresh = self.guard(lambda _: None if self.applying or self.report is None or self.busy else self.look())
        for widget in (self.scheme, self.activation, self.depth, self.width):
            widget.observe(refresh, "value")
        self.log.observe(self.guard(lambda _: self._set_scales()), "value")
        self.i18n.call(lambda i18n: (relabel(self.scheme, option_pairs(i18n.t, "init", INIT_SCHEMES), self),
                                     relabel(self.activation, option_pairs(i18n.t, "act", ACTIVATIONS), self)))
        self._set_scales()
        self.sections(
            ("probe", [self.label(W.HTML(), "init.help", "value"),
                       W.HBox([self.scheme, self.activation, self.width]), W.HBox([self.depth, self.seed, self.log]),
                       W.HBox([self.run, self.train_button, self.stop_button, self.bars.earlier.clear_button,
                               self.result.widget]), self.bars.widget]),
            ("watch", [self.watch.widget]), ("matmul", [self.matmul.widget]), ("gains", [gain_table(self)]),
            ("symmetry", [self.symmetry.widget, self.share_box()]),
        )

    # -- reading controls ---------------------------------------------------------------
    def read_seed(self):
        """The seed box as a checked int, or None when empty (a fresh seed each time)."""
        seed = parse_seed(self.seed.value)
        self.base.replace(seed=seed).validate()
        return seed

    def check_seed_text(self, text: str) -> str:
        """Seed text for the box, checked as read_seed checks the box."""
        self.base.replace(seed=parse_seed(text)).validate()
        return text

    def config(self) -> RunConfig:
        """The training run the controls describe."""
        return self.base.replace(hidden=(self.width.value,) * self.depth.value, activation=self.activation.value,
                                 init=self.scheme.value, seed=self.read_seed()).validate()

    # -- at init -------------------------------------------------------------------------
    def look(self):
        """One forward+backward pass of the fresh network; draw per-layer bars and the table."""
        r = init_report(self.scheme.value, self.activation.value, self.depth.value, self.width.value, self.read_seed())
        self.report = r
        self.bars.show(r)
        self.status.show("init.looked", "ok", n=len(r.names), seed=r.seed)

    # -- train and watch -----------------------------------------------------------------
    def train_run(self, threaded=None):
        """Train the configured network in the background; the over-time figures fill live."""
        if self.busy:  # before reset: a refused click must not wipe the running run's figures
            self.status.show("panel.busy", "error")
            return None
        cfg = self.config()
        self.watch.reset()

        def work(emit, stop):
            return train(cfg, [Events(emit)], stop)

        def done(history):
            self.history = history
            self.watch.show_history(history)
            if history.diverged_at is not None:
                self.result.show("init.diverged", "info", step=history.diverged_at)
            elif history.stopped:
                self.result.show("panel.stopped", "ok")
            else:
                self.result.show("init.trained", "ok", steps=history.steps, loss=history.final_loss,
                                 acc=history.test_acc)

        self.result.show("panel.running")
        return self.start(work, self.watch.add, done, [self.run, self.train_button, self.symmetry.run],
                          self.stop_button, threaded=threaded)

    def settings_applied(self):
        if self.report is not None:  # the bars show the network that was looked at: look at the new one
            self.look()

    # -- figures -------------------------------------------------------------------------
    def _set_scales(self):
        self.bars.set_log(self.log.value)
        self.watch.draw()


def check_depth(depth) -> int:
    """A shared depth: a whole number from 1 to MAX_DEPTH."""
    if not is_whole_in(depth, 1, MAX_DEPTH):
        raise ConfigError("depth_range", limit=MAX_DEPTH)
    return depth
