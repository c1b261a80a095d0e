"""The one exception a learner sees: a setting that cannot be used, said in one sentence."""


class ConfigError(ValueError):
    """A setting a learner chose cannot be used; the message says why in one short sentence."""
