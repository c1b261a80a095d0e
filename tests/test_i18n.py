"""The message catalogue: one entry per key, in both languages."""
import pytest

import widgets.app  # noqa: F401  (every panel registers its texts on import)
from widgets.i18n import CATALOGUE, register


def test_a_key_cannot_be_registered_twice():
    key = next(iter(CATALOGUE))
    with pytest.raises(ValueError, match="already registered"):
        register({key: CATALOGUE[key]})


def test_every_text_has_both_languages():
    assert all(english and chinese for english, chinese in CATALOGUE.values())
