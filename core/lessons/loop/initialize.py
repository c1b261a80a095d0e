"""initialize_weights on the model a config builds: what each module got, and its measured mean and std."""
from __future__ import annotations

import torch

from ...data.datasets import input_shape_of
from ...engine.config import RunConfig
from ...engine.errors import ConfigError
from ...engine.init_rules import initialize_weights
from ...engine.models import build_model, materialise
from ...plain import init_model

# presets by name; "course_normal" is the course's normal_(w, 0.1): it sets the mean, not the std
INIT_RULE_PRESETS = {
    "course_normal": {"Linear": {"weight": ("normal", {"mean": 0.1}), "bias": ("constant", {"val": 0.0})}},
    "kaiming_relu": {"Linear": {"weight": ("kaiming_normal", {"nonlinearity": "relu"}), "bias": ("zeros", {})},
                     "BatchNorm1d": {"weight": ("ones", {}), "bias": ("zeros", {})}},
    "xavier_bias": {"Linear": {"weight": ("xavier_normal", {}), "bias": ("constant", {"val": 0.3})}},
}


def init_rules_report(cfg: RunConfig, rules) -> list:
    """Build cfg's model, initialise it with cfg.init and then `rules` from one generator seeded with cfg.seed;
    one row per module that got a rule (name, type, what it got, weight mean and std)."""
    cfg = cfg.validate()
    shape = input_shape_of(cfg.dataset)
    if shape is None:
        raise ConfigError("init_rules_csv")
    model = materialise(build_model(cfg.model, cfg.hidden, cfg.activation, shape[0], shape[1], cfg.norm,
                                    cfg.dropout))
    generator = torch.Generator().manual_seed(0 if cfg.seed is None else int(cfg.seed))
    if cfg.init == "lsuv":  # LSUV calibrates on data; the table shows the per-layer part alone
        cfg = cfg.replace(init="orthogonal")
    init_model(model, cfg.init, cfg.activation, generator=generator)
    return initialize_weights(model, rules, generator=generator)
