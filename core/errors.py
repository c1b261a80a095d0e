"""The one exception a learner sees: a setting that cannot be used, said in one sentence."""


class ConfigError(ValueError):
    """A setting a learner chose cannot be used; the message says why in one short sentence.

    `code` and `params` let the UI say the same sentence in another language.
    """

    def __init__(self, message: str, code: str | None = None, **params):
        super().__init__(message)
        self.code, self.params = code, params
