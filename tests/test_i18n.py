"""The message catalogue: one entry per key, in both languages."""
import importlib

import pytest

from widgets.shell.app import PANELS
from widgets.shell.i18n import CATALOGUE, register

for _module, _ in PANELS.values():  # panels are imported when first shown; each registers its texts then
    importlib.import_module(_module)


def test_a_key_cannot_be_registered_twice():
    key = next(iter(CATALOGUE))
    with pytest.raises(ValueError, match="already registered"):
        register({key: CATALOGUE[key]})


def test_every_text_has_both_languages():
    assert all(english and chinese for english, chinese in CATALOGUE.values())
