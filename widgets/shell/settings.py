"""A panel's shareable settings, declared once as a schema: settings(), apply_settings(), the URL's part and the
share box all come from it."""
from __future__ import annotations

from dataclasses import dataclass, fields
from functools import reduce
from typing import Any, Callable

from core import DATASETS, RunConfig, refuse_unknown

from .uploads import UPLOADS

RUN_KEYS = tuple(f.name for f in fields(RunConfig))


def _keep(panel, value):
    return value


@dataclass(frozen=True)
class Setting:
    """One key: `get(panel)` reads it, `check(panel, value)` turns a shared value into the one to set (or raises
    ConfigError), `put(panel, value)` sets it. A key absent from shared data leaves the panel as it is."""

    key: str
    get: Callable[[Any], Any]
    put: Callable[[Any, Any], None]
    check: Callable[[Any, Any], Any] = _keep

    @property
    def keys(self) -> tuple:
        return (self.key,)

    def read(self, panel) -> dict:
        return {self.key: self.get(panel)}

    def parse(self, panel, data: dict):
        return (self.check(panel, data[self.key]),) if self.key in data else ()

    def write(self, panel, parsed) -> None:
        for value in parsed:
            self.put(panel, value)


def control(key: str, path: str, check=_keep) -> Setting:
    """The setting held by the widget at attribute `path` (dotted, e.g. "matmul.depth"): its value."""
    def widget(panel):
        return reduce(getattr, path.split("."), panel)

    return Setting(key, lambda p: widget(p).value, lambda p, v: setattr(widget(p), "value", v), check)


def run_check(key: str):
    """A check by RunConfig itself: the panel's `base` with field `key` set to the shared value must validate."""
    return lambda panel, value: getattr(panel.base.replace(**{key: value}).validate(), key)


def run_field(key: str) -> Setting:
    """A field of the panel's `base` RunConfig, checked by RunConfig itself."""
    return Setting(key, lambda p: getattr(p.base, key), lambda p, v: setattr(p, "base", p.base.replace(**{key: v})),
                   run_check(key))


@dataclass(frozen=True)
class RunSettings:
    """Every RunConfig field at once: `read_config(panel)` is the RunConfig the panel shows, `show(panel, cfg)`
    puts a checked one into the panel (even when no key was given: Apply puts the base back into the controls),
    `base(panel)` is the one shared values are laid over (read_config's when not given)."""

    read_config: Callable[[Any], RunConfig]
    show: Callable[[Any, RunConfig], None]
    base: Callable[[Any], RunConfig] | None = None
    keys = RUN_KEYS

    def read(self, panel) -> dict:
        return shareable(self.read_config(panel))

    def parse(self, panel, data: dict):
        base = (self.base or self.read_config)(panel)
        return config_from({k: data[k] for k in RUN_KEYS if k in data}, base).validate()

    def write(self, panel, cfg) -> None:
        self.show(panel, cfg)


def schema_keys(schema) -> tuple:
    """The keys a schema knows, in order."""
    return tuple(key for part in schema for key in part.keys)


def read_settings(panel, schema) -> dict:
    """The panel's settings as JSON-safe data."""
    return {key: value for part in schema for key, value in part.read(panel).items()}


def refuse_unknown_keys(data: dict, *schemas, also=()) -> None:
    """The one unknown-key check, for pasted settings (one panel's schema) and page URLs (every panel's)."""
    refuse_unknown(data, (*also, *(key for schema in schemas for key in schema_keys(schema))))


def check_settings(panel, schema, data: dict) -> list:
    """Every shared value checked, none set yet: an unknown key or a bad value is a ConfigError, so a refused
    paste changes nothing."""
    refuse_unknown_keys(data, schema)
    return [(part, part.parse(panel, data)) for part in schema]


def config_from(settings: dict, base: RunConfig | None = None) -> RunConfig:
    """A RunConfig from shared settings (unknown keys are a ConfigError). A data set is taken by name, or as
    this kernel's own upload by its handle: never a path, so no learner reaches a file on the server."""
    base = base or RunConfig()
    merged = {**base.to_dict(), **settings}
    if "dataset" in settings:
        merged["dataset"] = UPLOADS.resolve(settings["dataset"], tuple(DATASETS))
    return RunConfig.from_dict(merged)


def shareable(cfg: RunConfig) -> dict:
    """cfg as settings a learner may copy: an uploaded file appears as its handle, never as its path."""
    d = cfg.to_dict()
    d["dataset"] = UPLOADS.shareable(d["dataset"])
    return d
