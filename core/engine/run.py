"""A Run (one training run, advanced a step at a time), the one loop that drives runs, and train(cfg)."""
from __future__ import annotations

import math
import time

import torch
import torch.nn.functional as F

from .checks import check_batch_size
from .config import RunConfig
from .limits import MAX_STEPS, SEED_PARTS
from .devices import resolve_device
from .errors import ConfigError
from .fingerprints import fingerprint
from .health import GradNorms, HealthGauges, counting_saved_bytes, new_health
from .history import History
from .models import build_model, materialise, stat_layers
from .optimizers import OPTIMIZERS, WITH_MOMENTUM
from .schedules import schedule_lr, schedule_momentum
from ..data.datasets import input_shape_of, load_dataset
from .init_rules import initialize_weights
from ..plain import evaluate, init_model
from ..plain_loop import DROPOUT_SEED_OFFSET, DropoutStream, sorted_by_class
from .seeding import deterministic_mode, fresh_seed
from .stats import HIST_RANGE, LayerStats
from .work import check_work


def dispatch(callback, event, payload):
    """Call callback.<event>(payload) where it has that method; a plain function receives on_step records."""
    method = getattr(callback, event, None)
    if method is None and event == "on_step" and callable(callback):
        method = callback
    if method is not None:
        method(payload)


class Run:
    """A run in progress, advanced one step at a time, so several can interleave (lr_sweep).

    It owns its statistics hooks (`with Run(cfg) as run:` removes them however the block ends) and its
    deterministic mode (on while it is built and while `drive` steps it). `lr_at(step)`, if given, sets the
    learning rate before each step; `steps`, if given, is the number of steps to train instead of cfg.epochs.
    """

    def __init__(self, cfg: RunConfig, callbacks=(), stop=None, data=None, generator=None, lr_at=None, steps=None):
        self.cfg = cfg.validate()
        if steps is not None and not 1 <= steps <= MAX_STEPS:
            raise ConfigError("too_many_steps", steps=steps, limit=MAX_STEPS)
        # Public on purpose: a paused run (the Training panel's Stop) resumes with new callbacks.
        self.callbacks, self.stop, self.lr_at = tuple(callbacks), stop, lr_at
        seed = cfg.seed if cfg.seed is not None else fresh_seed()
        self.history = History(config=cfg, seed_used=int(seed), hist_range=HIST_RANGE)
        seeds = {part: fresh_seed() if part in cfg.unseeded else int(seed) for part in SEED_PARTS}
        self.device = resolve_device(cfg.device)
        self.history.device = str(self.device)
        # Private generators for every random draw of this run: runs in threads cannot interfere.
        init_gen = torch.Generator().manual_seed(seeds["init"])
        self.order_gen = torch.Generator().manual_seed(seeds["order"])
        if generator is not None:  # one shared generator instead (the global-RNG interference demo)
            init_gen = self.order_gen = generator
        with deterministic_mode(cfg.deterministic):
            # `data` lets a caller supply its own split (k-fold); by default the config's data set is loaded.
            if data is None:
                data = load_dataset(cfg.dataset, seeds["split"], float(cfg.val_fraction),
                                    leaky="leaky_normalisation" in cfg.mistakes)
            self.data = data
            x_train, y_train = data.train.tensors
            if "no_shuffle" in cfg.mistakes:
                x_train, y_train = sorted_by_class(x_train, y_train)
            self.x_train, self.y_train = x_train.to(self.device), y_train.to(self.device)
            self.val, self.test = data.val.tensors, data.test.tensors
            self.batch_size = check_batch_size(cfg.batch_size, len(self.y_train))  # a CSV's size is known only now
            if input_shape_of(cfg.dataset) is None:  # a CSV's width, rows and classes are known only now
                check_work(cfg, data.input_shape, data.n_classes, len(self.y_train))  # (validate() did a built-in's)
            model = build_model(cfg.model, cfg.hidden, cfg.activation, data.input_shape, data.n_classes,
                                cfg.norm, cfg.dropout)
            model = materialise(model, "cpu")
            # Initialise on the CPU generator, then move: the same seed gives the same weights on any device.
            init_model(model, cfg.init, cfg.activation, generator=init_gen, sample=data.train.tensors[0][:256])
            if cfg.init_rules is not None:
                initialize_weights(model, cfg.init_rules, generator=init_gen)
            self.model = model.to(self.device)
        self.optimizer = OPTIMIZERS[cfg.optimizer](self.model.parameters(), float(cfg.lr))
        self.stats = LayerStats(stat_layers(self.model)).__enter__()
        self.mistakes = frozenset(cfg.mistakes)
        self.dropout = DropoutStream(seeds["order"] + DROPOUT_SEED_OFFSET, self.device, enabled=bool(cfg.dropout))
        self.history.health = new_health(data.n_classes)
        self.gauges = HealthGauges(self.model, stat_layers(self.model), self.history.health, self.x_train)
        self.grad_norms = GradNorms(self.model.parameters(), self.history.health,
                                    fresh="no_zero_grad" not in self.mistakes)
        self.history.steps_per_epoch = cfg.batches_per_epoch(len(self.y_train))
        self.total_steps = int(steps) if steps is not None else cfg.total_steps(len(self.y_train))
        if self.lr_at is None and cfg.schedule != "constant":
            self.lr_at = schedule_lr(cfg.schedule, float(cfg.lr), self.total_steps, cfg.warmup_steps)
        # one-cycle also cycles momentum, as torch's OneCycleLR does; plain SGD has none to cycle
        self.momentum_at = (schedule_momentum(cfg.schedule, self.total_steps)
                            if lr_at is None and cfg.optimizer in WITH_MOMENTUM else None)
        self.step_index, self.epoch, self._batches = 0, 0, iter(())
        self.done = False
        self._started = time.perf_counter()

    def __enter__(self) -> "Run":
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def drive(self, limit=None, pause=None) -> History:
        """Step this run (see drive) and return its History, finished or, after `limit` or `pause`, open."""
        drive([self], limit, pause)
        return self.history

    @property
    def epochs(self) -> int:
        """Epochs this run trains (the last one partial when a step count was given)."""
        return -(-self.total_steps // self.history.steps_per_epoch)

    def set_lr(self, lr: float):
        """Use learning rate `lr` from the next step on."""
        for group in self.optimizer.param_groups:
            group["lr"] = lr

    def _next_batch(self):
        for idx in self._batches:
            return idx
        if self.step_index >= self.total_steps:
            return None
        if "no_shuffle" in self.mistakes:  # file order, every epoch the same
            perm = torch.arange(len(self.y_train), device=self.device)
        else:
            perm = torch.randperm(len(self.y_train), generator=self.order_gen).to(self.device)
        self._batches = iter(perm.split(self.batch_size))
        return next(self._batches)

    def step(self) -> bool:
        """Advance one optimisation step; False once the run has ended."""
        if self.done:
            return False
        idx = self._next_batch()
        if idx is None or (self.stop is not None and self.stop.is_set()):
            self.history.stopped = idx is not None
            return self._finish()
        step, sample = self.step_index, self.step_index % int(self.cfg.stats_every) == 0
        if self.lr_at is not None:
            self.set_lr(self.lr_at(step))
        if self.momentum_at is not None:
            self.optimizer.set_momentum(self.momentum_at(step))
        self.history.lr.append(self.optimizer.param_groups[0]["lr"])
        self._train_mode()
        self.stats.armed = sample
        with self.dropout.active():
            loss = self._loss(self.model(self.x_train[idx]), self.y_train[idx])
        value = loss.item()
        self.history.train_loss.append(value)
        if step == 0:
            self.history.health["initial_loss"] = value
        if not math.isfinite(value):
            self.history.diverged_at = step
            self.stats.armed = False
            self._emit("on_step", {"step": step, "epoch": self.epoch, "loss": value, "stats": None})
            return self._finish()
        if "no_zero_grad" not in self.mistakes:
            self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.grad_norms.record()
        stats = self.stats.collect() if sample else None
        if step == 0:  # the starting weights, counted after the step's training forward (probes expect it first)
            self.gauges.count_dead(step)
        if sample:
            self.gauges.before_step(step, self.optimizer.param_groups[0]["lr"])
        self.optimizer.step()
        if sample:
            self.gauges.after_step(step)
        if stats:
            self._record_stats(step, stats)
        self.step_index += 1
        self._emit("on_step", {"step": step, "epoch": self.epoch, "loss": value, "stats": stats})
        if self.step_index % self.history.steps_per_epoch == 0:
            self.epoch += 1
            self._end_epoch()
        if self.step_index >= self.total_steps:
            return self._finish()  # the last step ends the run: its test accuracy is there at once
        return True

    def _flush_gauges(self):
        """The gauges measured in bulk (gradient norms, update ratios) into the History."""
        self.grad_norms.flush()
        self.gauges.flush()

    def _train_mode(self):
        """Train mode for the step. train() walks every module, so only when validation (or a panel's probe, which
        switches the whole model back as it found it) has left eval mode: the same modes, a walk an epoch."""
        if not self.model.training:
            self.model.train()

    def _loss(self, logits, y):
        """The training loss, with the loop lab's mistakes in it where the config asks."""
        if "softmax_then_ce" in self.mistakes:
            logits = F.softmax(logits, dim=1)
        return F.cross_entropy(logits, y, reduction="sum" if "sum_reduction" in self.mistakes else "mean")

    def _record_stats(self, step, stats):
        for name, values in stats.items():
            series = self.history.layer_stats.setdefault(
                name, {"step": [], "act_mean": [], "act_std": [], "grad_std": [], "hist": []})
            series["step"].append(step)
            for key, value in values.items():
                series[key].append(value)

    def _end_epoch(self):
        self._flush_gauges()
        self.gauges.count_dead(self.step_index)
        if "no_eval_mode" in self.mistakes:  # the same model validated the right way first (it changes nothing)
            self.history.health["val_acc_eval_mode"].append(evaluate(self.model, *self.val, self.device)[1])
        with counting_saved_bytes(self.history.health):  # what validation keeps for a backward (the grad mistake)
            loss, acc = self.evaluate(*self.val)
        self.history.val_loss.append(loss)
        self.history.val_acc.append(acc)
        self._emit("on_epoch", {"epoch": self.epoch, "step": self.step_index, "val_loss": loss, "val_acc": acc})

    def evaluate(self, x, y):
        """(mean loss, accuracy) on a split in eval mode; (None, None) for an empty split."""
        with self.dropout.active():  # in train mode (a mistake) dropout draws here too
            return evaluate(self.model, x, y, self.device, train_mode="no_eval_mode" in self.mistakes,
                            with_grad="eval_with_grad" in self.mistakes, softmax="softmax_then_ce" in self.mistakes)

    def _finish(self) -> bool:
        h = self.history
        self._flush_gauges()
        if h.diverged_at is None and not h.stopped:
            h.test_loss, h.test_acc = self.evaluate(*self.test)
        self.gauges.count_dead(self.step_index)  # the weights the run ends with (once, if an epoch just ended)
        self.close()
        h.seconds = time.perf_counter() - self._started
        h.weights_digest = fingerprint(self.model)
        h.fingerprint = fingerprint(h)
        self._emit("on_end", h)
        return False

    def close(self):
        """Remove the statistics hooks (safe to call twice)."""
        self.done = True
        self.stats.__exit__(None, None, None)

    def _emit(self, event, payload):
        for callback in self.callbacks:
            dispatch(callback, event, payload)


def drive(runs, limit=None, pause=None) -> list:
    """The one training loop: step `runs` in turn until each has ended, or `limit` rounds, or `pause` is set.

    Steps run under deterministic mode when any run's config asks for it. A run stopped by `limit` or
    `pause` stays open and can be driven again; an error closes every run (a failed run is over).
    Returns the runs' Histories.
    """
    runs = list(runs)
    active, rounds = list(runs), 0
    with deterministic_mode(any(run.cfg.deterministic for run in runs)):
        try:
            while active and (limit is None or rounds < limit) and not (pause is not None and pause.is_set()):
                active = [run for run in active if run.step()]
                rounds += 1
            for run in active:  # paused or limited: what was measured so far is in the History
                run._flush_gauges()
        except BaseException:
            for run in runs:
                run.close()
            raise
    return [run.history for run in runs]


def train(cfg: RunConfig, callbacks=(), stop=None) -> History:
    """Run cfg to the end (or to divergence, or until `stop` is set) and return its History."""
    return Run(cfg, callbacks, stop).drive()
