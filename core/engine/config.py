"""RunConfig: everything one training run depends on, as plain data."""
from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass, fields

from .checks import check_batch_size, check_seed, choice as _choice, integer as _integer, number as _number
from .errors import ConfigError, refuse_unknown
from .init_rules import check_init_rules
from .limits import (DEVICES, MAX_EPOCHS, MAX_LAYERS, MAX_LR, MAX_PARAMETERS, MAX_SEED, MAX_STATS_EVERY,  # noqa: F401
                     MAX_STEPS, MAX_WIDTH, MODELS, SEED_PARTS)  # (re-exported: the config's own limits)
from .mistakes import check_mistakes
from .optimizers import OPTIMIZERS as OPTIMIZER_REGISTRY
from .schedules import check_schedule
from .work import check_work
from ..data.datasets import DATASETS, input_shape_of, split_sizes
from ..plain import ACTIVATIONS, INIT_SCHEMES, NORMS
from ..plain import MAX_VAL_FRACTION, check_val_fraction  # noqa: F401 (one limit: the exported script checks it too)

OPTIMIZERS = tuple(OPTIMIZER_REGISTRY)  # the names of the optimizers the engine implements, in the order offered


@dataclass(frozen=True)
class RunConfig:
    """A run as data: same config with a seed => bitwise-identical History on one machine."""

    dataset: str = "digits"
    model: str = "mlp"
    hidden: tuple = (64,)
    activation: str = "relu"
    init: str = "pytorch_default"
    optimizer: str = "sgd"
    lr: float = 0.1
    batch_size: int = 16
    epochs: int = 3
    seed: int | None = 0
    device: str = "cpu"
    deterministic: bool = False
    val_fraction: float = 0.2
    stats_every: int = 10
    unseeded: tuple = ()  # parts drawn fresh even with a seed: any of SEED_PARTS
    schedule: str = "constant"  # how the rate moves over the run (a key of SCHEDULES); lr is its peak
    warmup_steps: int = 0  # steps of linear warm-up ("warmup_cosine")
    norm: str = "none"  # "batch": batch norm after each hidden layer (models where train/eval matters)
    dropout: float = 0.0  # dropout after each hidden activation, 0 <= p < 1
    mistakes: tuple = ()  # the loop lab's mistakes: keys of LOOP_MISTAKES
    init_rules: dict | None = None  # initialize_weights rules by module type, applied after `init`

    def validate(self) -> "RunConfig":
        """Raise ConfigError with one short sentence for the first unusable setting; return self.

        Once per action: a config that passed and is unchanged since (its JSON the same) is not checked again,
        so the Run a panel starts trusts what the panel checked."""
        try:
            snapshot = self.to_json()
        except Exception:  # a field of a shape JSON cannot hold: checked (and refused) every time
            snapshot = None
        if snapshot is not None and self.__dict__.get("_checked_as") == snapshot:
            return self
        self._check()
        if snapshot is not None:
            object.__setattr__(self, "_checked_as", snapshot)  # a note beside the fields, not a field
        return self

    def _check(self):
        """validate's checks, in the order a learner reads the settings."""
        _choice("dataset", self.dataset, DATASETS, allow_csv=True)
        _choice("model", self.model, MODELS)
        _choice("activation", self.activation, ACTIVATIONS)
        _choice("init", self.init, INIT_SCHEMES)
        _choice("optimizer", self.optimizer, OPTIMIZERS)
        _choice("device", self.device, DEVICES)
        lr = _number("learning rate", self.lr)
        if not math.isfinite(lr) or lr <= 0 or lr > MAX_LR:
            raise ConfigError("lr_range", limit=MAX_LR)
        if self.seed is not None:
            check_seed(self.seed)
        if not isinstance(self.unseeded, (tuple, list)) or any(p not in SEED_PARTS for p in self.unseeded):
            raise ConfigError("unseeded_parts", parts=", ".join(SEED_PARTS))
        epochs = _integer("epochs", self.epochs)
        if not 1 <= epochs <= MAX_EPOCHS:
            raise ConfigError("epochs_range")
        if not isinstance(self.hidden, (tuple, list)) or not self.hidden:
            raise ConfigError("hidden_list")
        for width in self.hidden:
            if not 1 <= _integer("layer width", width) <= MAX_WIDTH:
                raise ConfigError("width_range", limit=MAX_WIDTH)
        if len(self.hidden) > MAX_LAYERS:
            raise ConfigError("too_many_layers", limit=MAX_LAYERS)
        val_fraction = check_val_fraction(self.val_fraction)
        if not 1 <= _integer("stats interval", self.stats_every) <= MAX_STATS_EVERY:
            raise ConfigError("stats_range")
        if not isinstance(self.deterministic, bool):
            raise ConfigError("deterministic_bool")
        self._check_loop_lab()
        sizes = split_sizes(self.dataset, val_fraction)
        check_batch_size(self.batch_size, sizes[0] if sizes else None)
        shape = input_shape_of(self.dataset)  # None for a CSV: read only when a run loads it
        if self.model == "cnn" and (shape is None or len(shape[0]) != 3):  # a CNN needs (channels, height, width)
            raise ConfigError("cnn_images")
        self._check_work(sizes, shape)
        check_schedule(self.schedule, self.warmup_steps, self.total_steps(sizes[0]) if sizes else None)
        if self.device == "cuda":
            import torch

            if not torch.cuda.is_available():
                raise ConfigError("no_gpu")

    def _check_loop_lab(self):
        """The loop lab's settings: norm, dropout, mistakes and init rules."""
        _choice("normalisation", self.norm, tuple(NORMS))
        dropout = _number("dropout", self.dropout)
        if not 0 <= dropout < 1:
            raise ConfigError("dropout_range")
        check_mistakes(self.mistakes)
        if self.init_rules is not None:
            check_init_rules(self.init_rules)

    def _check_work(self, sizes, shape):
        """Refuse a run bigger than one learner's share of a class server; a CSV's sizes are known only once
        it is read, so Run checks those (with the same check_work)."""
        if shape is not None:
            check_work(self, shape[0], shape[1], sizes[0] if sizes else None)

    def batches_per_epoch(self, n_train: int) -> int:
        """Batches in one pass over n_train training examples (the last one may be short)."""
        return -(-int(n_train) // int(self.batch_size))

    def total_steps(self, n_train: int) -> int:
        """Optimizer steps of the whole run over n_train training examples: epochs × batches per epoch."""
        return int(self.epochs) * self.batches_per_epoch(n_train)

    def replace(self, **changes) -> "RunConfig":
        """A copy with some fields changed."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict:
        """JSON-safe dict of every field."""
        d = dataclasses.asdict(self)
        for key in ("hidden", "unseeded", "mistakes"):
            if isinstance(d[key], (tuple, list)):
                d[key] = list(d[key])
        if isinstance(d["init_rules"], dict):
            d["init_rules"] = {kind: {part: list(spec) for part, spec in rule.items()}
                               for kind, rule in d["init_rules"].items()}
        return d

    @classmethod
    def from_dict(cls, data: dict) -> "RunConfig":
        """Inverse of to_dict; unknown keys are a ConfigError, missing keys take defaults."""
        if not isinstance(data, dict):
            raise ConfigError("settings_object")
        refuse_unknown(data, (f.name for f in fields(cls)))
        data = dict(data)
        for key in ("hidden", "unseeded", "mistakes"):
            if isinstance(data.get(key), list):
                data[key] = tuple(data[key])
        if isinstance(data.get("init_rules"), dict):
            data["init_rules"] = {kind: {part: tuple(spec) if isinstance(spec, list) else spec
                                         for part, spec in rule.items()} if isinstance(rule, dict) else rule
                                  for kind, rule in data["init_rules"].items()}
        return cls(**data)

    def to_json(self) -> str:
        """Compact JSON of to_dict()."""
        return json.dumps(self.to_dict(), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> "RunConfig":
        """Parse JSON made by to_json (or typed by a learner) into a RunConfig."""
        try:
            data = json.loads(text)
        except (TypeError, ValueError):
            raise ConfigError("settings_json") from None
        return cls.from_dict(data)
