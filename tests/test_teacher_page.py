"""The teacher's page as the server renders it (class/teacher_page.py): its texts, colours and URLs."""
import html.parser
import json
import re
import sys
from pathlib import Path

import pytest

from core import REGIMES, catalogue, languages
from widgets.lr.panel import COLOURS, PRESET_ORDER
from widgets.shell import palette

CLASS = Path(__file__).resolve().parents[1] / "class"
sys.path.insert(0, str(CLASS))
import teacher_page  # noqa: E402  (class/ is a folder of scripts, not a package)

sys.path.remove(str(CLASS))
PAGE_FILES = [CLASS / "teacher.html", CLASS / "teacher.js", CLASS / "teacher_charts.js"]
STATIC = ("teacher.css", "plotly.min.js", "charts.js", "teacher.js")


class Parts(html.parser.HTMLParser):
    """The data block's text, and every script's and stylesheet's URL."""

    def __init__(self, page):
        super().__init__()
        self.data, self.urls, self._in_data = None, [], False
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self._in_data = attrs.get("id") == "tp-teacher-data"
        self.urls += [attrs[k] for k in ("src", "href") if k in attrs and tag in ("script", "link")]

    def handle_data(self, data):
        if self._in_data:
            self.data = (self.data or "") + data

    def handle_endtag(self, tag):
        self._in_data = False


def keys_named_by_the_page() -> set:
    text = "\n".join(path.read_text(encoding="utf-8") for path in PAGE_FILES)
    return set(re.findall(r'"(teacher\.[\w.]+)"', text))  # data-t="…" in the HTML, t("…") in the script


@pytest.mark.parametrize("lang", languages())
def test_every_text_the_page_names_is_in_each_catalogue_and_reaches_the_page(lang):
    named = keys_named_by_the_page()
    assert named == {key for key in catalogue(lang) if key.startswith("teacher.")}  # none missing, none left over
    data = json.loads(Parts(teacher_page.render("/teacher", lang)).data)
    assert data["lang"] == lang
    assert {key: data["t"][key] for key in named} == {key: catalogue(lang)[key] for key in named}
    # the lessons' titles and the regimes' names, as the app says them
    assert data["t"]["lr.regime.diverged"] == catalogue(lang)["lr.regime.diverged"]
    assert data["t"]["lesson.seeds.title"] == catalogue(lang)["lesson.seeds.title"]


def test_an_unknown_language_gets_english_and_the_page_offers_every_catalogue():
    page = teacher_page.render("/teacher", "<script>")
    assert '<html lang="en">' in page and "<script>\"" not in page
    data = json.loads(Parts(page).data)
    assert data["languages"] == [[code, catalogue(code)["language.name"]] for code in languages()]
    assert '<html lang="zh">' in teacher_page.render("/teacher", "zh")


def test_the_regime_colours_are_the_palettes_and_the_lr_panels():
    assert list(palette.REGIME_COLOURS) == list(REGIMES)
    assert [COLOURS[i] for i in range(len(PRESET_ORDER))] == [palette.REGIME_COLOURS[p] for p in PRESET_ORDER]
    colours = json.loads(Parts(teacher_page.render("/teacher")).data)["colours"]
    assert {regime: colours[regime] for regime in REGIMES} == palette.REGIME_COLOURS
    assert f"--tp-error: {palette.ERROR};" in teacher_page.render("/teacher")


def test_no_text_can_end_the_data_block(monkeypatch):
    hostile = "</script><script>alert(1)</script><!--"
    monkeypatch.setattr(teacher_page, "texts", lambda lang: {"teacher.title": hostile, "teacher.seats": hostile})
    page = teacher_page.render("/teacher")
    assert "<script>alert(1)" not in page
    assert json.loads(Parts(page).data)["t"]["teacher.seats"] == hostile
    assert "<title>&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;!--</title>" in page


@pytest.mark.parametrize("path, prefix", [("/teacher", "teacher/static/"),
                                          ("/services/class-record/teacher", "teacher/static/"),
                                          ("/services/class-record/", "static/")])
def test_static_files_are_asked_for_relative_to_the_page(path, prefix):
    urls = Parts(teacher_page.render(path)).urls
    assert urls == [prefix + name for name in STATIC]


def test_every_file_the_page_asks_for_is_one_the_server_serves():
    sys.path.insert(0, str(CLASS))
    try:
        import record_handlers
    finally:
        sys.path.remove(str(CLASS))
    assert set(STATIC) <= set(record_handlers.STATIC)
    assert all(where().is_file() for where, _ in record_handlers.STATIC.values())
