"""The message catalogues (locales/<language>.json): every text once per language, every ConfigError code said."""
import ast
import json
import pathlib
import re
import shutil
import string

import pytest

from core import ConfigError, catalogue, error_messages, languages
from core.engine import messages
from widgets.shell.app import App
from widgets.shell.i18n import LANGUAGES, I18n

ROOT = pathlib.Path(__file__).resolve().parents[1]
SOURCES = sorted((ROOT / "core").rglob("*.py")) + sorted((ROOT / "widgets").rglob("*.py"))
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def placeholders(text: str) -> set:
    """The {names} a sentence is formatted with."""
    return {name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(text) if name}


def raises() -> list:
    """(file:line, code, keyword names) of every ConfigError(...) the app's source constructs."""
    found = []
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "ConfigError":
                code = node.args[0].value if node.args and isinstance(node.args[0], ast.Constant) else None
                found.append((f"{path.relative_to(ROOT)}:{node.lineno}", code, {k.arg for k in node.keywords}))
    return found


def test_no_key_is_written_twice_in_a_catalogue_file():
    def refuse_duplicates(pairs):
        keys = [key for key, _ in pairs]
        assert len(keys) == len(set(keys)), sorted({k for k in keys if keys.count(k) > 1})
        return dict(pairs)

    for code in languages():
        json.loads((messages.LOCALES / f"{code}.json").read_text(encoding="utf-8"), object_pairs_hook=refuse_duplicates)


@pytest.mark.parametrize("code", [code for code in languages() if code != "en"])
def test_every_language_has_every_key_with_the_same_placeholders(code):
    english, other = catalogue("en"), catalogue(code)
    assert sorted(set(english) ^ set(other)) == []
    assert all(text.strip() for text in other.values())
    differ = {key: (placeholders(english[key]), placeholders(other[key]))
              for key in english if placeholders(english[key]) != placeholders(other[key])}
    assert differ == {}


def test_every_code_the_app_raises_has_a_sentence_and_gets_every_placeholder():
    found = raises()
    assert len(found) > 60  # the scan sees the app's refusals (guards against a scan that finds nothing)
    assert [where for where, code, _ in found if code is None] == []  # every code is spelled out where raised
    english = error_messages()
    assert sorted({code for _, code, _ in found if code not in english}) == []
    short = {where: sorted(placeholders(english[code]) - given) for where, code, given in found
             if placeholders(english[code]) - given}
    assert short == {}


def test_every_key_a_panel_names_has_a_text():
    named = {(f"{path.relative_to(ROOT)}:{node.lineno}", arg.value) for path in SOURCES
             for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))) if isinstance(node, ast.Call)
             and getattr(node.func, "attr", getattr(node.func, "id", None)) in ("t", "bind", "show", "known")
             for arg in node.args if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and "." in arg.value}
    assert len(named) > 150  # the scan sees the panels' texts
    assert sorted(where for where, key in named if key not in catalogue()) == []


def test_no_sentence_lives_in_the_source():
    """Chinese text in core/ or widgets/ would be a sentence outside the catalogues."""
    stray = [f"{path.relative_to(ROOT)}:{node.lineno}" for path in SOURCES
             for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
             if isinstance(node, ast.Constant) and isinstance(node.value, str) and CJK.search(node.value)]
    assert stray == []


def test_a_config_error_says_its_english_sentence_and_keeps_code_and_params():
    err = ConfigError("batch_range", limit=5)
    assert str(err) == catalogue("en")["err.batch_range"].format(limit=5) and "1 to 5" in str(err)
    assert err.code == "batch_range" and err.params == {"limit": 5} and isinstance(err, ValueError)


def test_a_refusal_is_said_in_the_chosen_language_with_the_box_named_in_it():
    app = App("")
    app.status.error(ConfigError("not_number", what="learning rate", value="abc"))
    assert app.status.text == "Setting not usable: The learning rate must be a number, not 'abc'."
    app.lang.value = "zh"
    assert app.status.text == "设置无法使用：学习率必须是数字，而不是 'abc'。"


def test_the_language_toggle_lists_every_catalogue_english_first_and_the_page_gets_its_tag():
    assert LANGUAGES == (("English", "en"), ("中文", "zh"))
    app = App("")
    assert tuple(app.lang.options) == LANGUAGES and app.a11y.lang == "en"
    app.lang.value = "zh"
    assert app.a11y.lang == "zh-Hans"  # the page's lang attribute: a BCP 47 tag, from the catalogue


def test_adding_a_language_is_adding_a_file(tmp_path, monkeypatch):
    for code in ("en", "zh"):
        shutil.copy(messages.LOCALES / f"{code}.json", tmp_path)
    texts = {**catalogue("en"), "language.name": "Français", "status.ready": "Prêt."}
    (tmp_path / "fr.json").write_text(json.dumps(texts), encoding="utf-8")
    monkeypatch.setattr(messages, "LOCALES", tmp_path)
    try:
        assert languages() == ("en", "fr", "zh")
        i18n = I18n(lang="fr")
        assert i18n.t("status.ready") == "Prêt." and i18n.t("share.title") == catalogue("en")["share.title"]
    finally:
        catalogue.cache_clear()  # the French file is read from the temporary folder: forget it
