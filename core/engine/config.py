"""RunConfig: everything one training run depends on, as plain data."""
from __future__ import annotations

import dataclasses
import json
import math
import numbers
from dataclasses import dataclass, fields

from .errors import ConfigError, refuse_unknown
from .schedules import check_schedule
from ..plain import MAX_VAL_FRACTION, check_val_fraction  # noqa: F401 (one limit: the exported script checks it too)

MODELS = ("mlp", "cnn")
OPTIMIZERS = ("sgd", "momentum", "adam")
DEVICES = ("cpu", "cuda", "auto")
MAX_WIDTH = 4096
MAX_LR = 1e6
MAX_SEED = 2**32 - 1  # numpy's seeds are 32-bit; every seed in the app (given or fresh) lies in 0..MAX_SEED
# Work one run may ask for (a class server holds thirty learners): measured peaks in the README, "Security".
MAX_LAYERS = 8  # hidden layers
MAX_PARAMETERS = 5_000_000  # weights and biases of the whole model
MAX_STEPS = 100_000  # optimizer steps in one run (epochs x batches per epoch)
SEED_PARTS = ("init", "order", "split")  # weights, batch order, train/val/test split


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
        """Raise ConfigError with one short sentence for the first unusable setting."""
        from ..data.datasets import DATASETS, split_sizes
        from ..plain import ACTIVATIONS, INIT_SCHEMES

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
        if not 1 <= epochs <= 1000:
            raise ConfigError("epochs_range")
        if not isinstance(self.hidden, (tuple, list)) or not self.hidden:
            raise ConfigError("hidden_list")
        for width in self.hidden:
            if not 1 <= _integer("layer width", width) <= MAX_WIDTH:
                raise ConfigError("width_range", limit=MAX_WIDTH)
        if len(self.hidden) > MAX_LAYERS:
            raise ConfigError("too_many_layers", limit=MAX_LAYERS)
        val_fraction = check_val_fraction(self.val_fraction)
        if not 1 <= _integer("stats interval", self.stats_every) <= 100_000:
            raise ConfigError("stats_range")
        if not isinstance(self.deterministic, bool):
            raise ConfigError("deterministic_bool")
        self._check_loop_lab()
        sizes = split_sizes(self.dataset, val_fraction)
        batch = check_batch_size(self.batch_size, sizes[0] if sizes else None)
        if self.model == "cnn" and self.dataset not in ("digits", "mnist", "fashion-mnist"):
            raise ConfigError("cnn_images")
        self._check_work(sizes, batch, epochs)
        check_schedule(self.schedule, self.warmup_steps, epochs * -(-sizes[0] // batch) if sizes else None)
        if self.device == "cuda":
            import torch

            if not torch.cuda.is_available():
                raise ConfigError("no_gpu")
        return self

    def _check_loop_lab(self):
        """The loop lab's settings: norm, dropout, mistakes and init rules."""
        from ..plain import NORMS
        from .init_rules import check_init_rules
        from .mistakes import check_mistakes

        _choice("normalisation", self.norm, tuple(NORMS))
        dropout = _number("dropout", self.dropout)
        if not 0 <= dropout < 1:
            raise ConfigError("dropout_range")
        check_mistakes(self.mistakes)
        if self.init_rules is not None:
            check_init_rules(self.init_rules)

    def _check_work(self, sizes, batch, epochs):
        """Refuse a run bigger than one learner's share of a class server; a CSV's sizes are known only once
        it is read, so Run checks those."""
        from ..data.datasets import input_shape_of
        from .work import check_work

        shape = input_shape_of(self.dataset)
        if shape is not None:
            check_work(self, shape[0], shape[1], sizes[0] if sizes else None, batch, epochs)

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


def check_seed(seed) -> int:
    """The seed as an int, or ConfigError unless it is a whole number from 0 to MAX_SEED."""
    value = _integer("seed", seed)
    if not 0 <= value <= MAX_SEED:
        raise ConfigError("seed_range", limit=MAX_SEED)
    return value


def check_batch_size(batch_size, n_train=None) -> int:
    """The batch size as an int, or ConfigError unless it is from 1 to n_train (the training-set size, if known)."""
    value = _integer("batch size", batch_size)
    if value < 1 or (n_train is not None and value > n_train):
        if n_train is None:
            raise ConfigError("batch_min")
        raise ConfigError("batch_range", limit=n_train)
    return value


def _choice(what, value, options, allow_csv=False):
    if allow_csv and isinstance(value, str) and value.lower().endswith(".csv"):
        return
    if not isinstance(value, str) or value not in options:
        if allow_csv:
            raise ConfigError("unknown_dataset", value=value, options=", ".join(options))
        raise ConfigError("unknown_choice", what=what, value=value, options=", ".join(options))


def _number(what, value) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ConfigError("not_number", what=what, value=value)
    return float(value)


def _integer(what, value) -> int:
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raise ConfigError("not_integer", what=what, value=value)
