"""The work one run may ask for, checked wherever a size becomes known: a built-in data set's sizes are known
before loading (RunConfig.validate), a CSV's width, rows and classes only once it is read (Run). One learner's
share of a class server; the measured peaks are in the docs' security section."""
from __future__ import annotations

from .errors import ConfigError
from .limits import MAX_BATCH_VALUES, MAX_CLASSES, MAX_PARAMETERS, MAX_STEPS
from .models import build_model


def values_per_row(model: str, hidden, input_shape, n_classes: int) -> int:
    """Layer outputs one row produces (what a batch keeps per row for the backward pass)."""
    if model == "cnn":  # stride-2 3x3 convs: each layer halves the image (plain.build_model)
        _, height, width = input_shape
        total = 0
        for channels in hidden:
            height, width = (height + 1) // 2, (width + 1) // 2
            total += int(channels) * height * width
        return total + n_classes
    return sum(int(h) for h in hidden) + n_classes


def check_work(cfg, input_shape, n_classes: int, n_train: int | None) -> None:
    """ConfigError for a run of a checked cfg beyond one learner's share: classes, parameters, batch
    activations, steps (n_train None: not known yet)."""
    if n_classes > MAX_CLASSES:
        raise ConfigError("too_many_classes", count=n_classes, limit=MAX_CLASSES)
    model = build_model(cfg.model, cfg.hidden, cfg.activation, input_shape, n_classes, cfg.norm, cfg.dropout)  # meta
    count = sum(p.numel() for p in model.parameters())
    if count > MAX_PARAMETERS:
        raise ConfigError("too_many_parameters", count=count, limit=MAX_PARAMETERS)
    values = int(cfg.batch_size) * values_per_row(cfg.model, cfg.hidden, input_shape, n_classes)
    if values > MAX_BATCH_VALUES:
        raise ConfigError("too_many_batch_values", count=values, limit=MAX_BATCH_VALUES)
    if n_train is not None:
        steps = cfg.total_steps(n_train)
        if steps > MAX_STEPS:
            raise ConfigError("too_many_steps", steps=steps, limit=MAX_STEPS)
