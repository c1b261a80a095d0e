"""The message catalogues: locales/<language>.json, one per language, each {message code: sentence}."""
import functools
import json
import pathlib

from ..plain import ConfigError

LOCALES = pathlib.Path(__file__).resolve().parents[2] / "locales"
DEFAULT_LANGUAGE = "en"  # the language every other catalogue is checked against, and core's own str()


@functools.lru_cache(maxsize=None)
def catalogue(language: str = DEFAULT_LANGUAGE) -> dict:
    """{code: sentence with {placeholders}} for one language, read once from its file."""
    with open(LOCALES / f"{language}.json", encoding="utf-8") as file:
        return json.load(file)


def languages() -> tuple:
    """The language codes that have a catalogue: English first, the rest in name order."""
    found = sorted(path.stem for path in LOCALES.glob("*.json"))
    return (DEFAULT_LANGUAGE, *(code for code in found if code != DEFAULT_LANGUAGE))


def error_messages(language: str = DEFAULT_LANGUAGE) -> dict:
    """{ConfigError code: sentence} from a catalogue's "err.<code>" entries."""
    return {key[4:]: text for key, text in catalogue(language).items() if key.startswith("err.")}


ConfigError.MESSAGES.update(error_messages())  # every ConfigError's str() is its English sentence
