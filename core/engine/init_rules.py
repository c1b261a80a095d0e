"""Init rules by module type (the course's initialize_weights), checked before a weight changes."""
from __future__ import annotations

import inspect

from torch.nn import init

from .errors import ConfigError
from ..plain_loop import initialize_weights as _initialize_weights

RULE_TYPES = ("Linear", "Conv2d", "BatchNorm1d", "BatchNorm2d")
RULE_PARTS = ("weight", "bias")
# torch.nn.init functions (name without the underscore) that a rule may name; the fan-based ones need a
# matrix or kernel, so they fill weights only
FAN_SCHEMES = ("xavier_uniform", "xavier_normal", "kaiming_uniform", "kaiming_normal", "orthogonal")
ANY_SCHEMES = ("uniform", "normal", "constant", "ones", "zeros", "trunc_normal")


def check_init_rules(rules) -> dict:
    """Rules as {type: {part: (name, kwargs)}} with known types, parts, torch.nn.init names and arguments."""
    if not isinstance(rules, dict):
        raise ConfigError("rules_dict")
    checked = {}
    for kind, rule in rules.items():
        if kind not in RULE_TYPES:
            raise ConfigError("rules_type", value=kind, options=", ".join(RULE_TYPES))
        if not isinstance(rule, dict) or set(rule) - set(RULE_PARTS):
            raise ConfigError("rules_parts", what=kind)
        checked[kind] = {}
        for part, spec in rule.items():
            if not isinstance(spec, (tuple, list)) or len(spec) != 2 or not isinstance(spec[1], dict):
                raise ConfigError("rules_spec", what=f"{kind}.{part}")
            name, kwargs = spec
            allowed = ANY_SCHEMES + (FAN_SCHEMES if part == "weight" and not kind.startswith("BatchNorm") else ())
            if name not in allowed:
                raise ConfigError("rules_scheme", what=f"{kind}.{part}", value=name, options=", ".join(allowed))
            known = set(inspect.signature(getattr(init, name + "_")).parameters) - {"tensor", "generator"}
            for key, value in kwargs.items():
                if not known:
                    raise ConfigError("rules_no_arguments", what=name, value=key)
                if key not in known:
                    raise ConfigError("rules_argument", what=name, value=key, options=", ".join(sorted(known)))
                if key != "nonlinearity" and key != "mode" and (isinstance(value, bool)
                                                                or not isinstance(value, (int, float))):
                    raise ConfigError("rules_number", what=name, key=key, value=value)
            checked[kind][part] = (name, dict(kwargs))
    return checked


def initialize_weights(model, rules, generator=None) -> list:
    """Apply init rules by module type with torch.nn.init, drawing from `generator`; one row per module."""
    return _initialize_weights(model, check_init_rules(rules), generator)
