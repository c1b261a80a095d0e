"""The teacher's page (issue 26): teacher.html with its texts, colours and exercise wording filled in by the server.

Standard library only, so both the class server (record_handlers.py) and the JupyterHub service render it without
importing torch or ipywidgets:
- texts come from locales/<lang>.json (the same catalogues the app reads), the keys the page names in PAGE_KEYS;
- the regime colours come from widgets/shell/palette.py, loaded from its file (it imports nothing);
- each exercise's question and option labels come with the live state (the snapshot's "texts");
- plotly.js, teacher.js and teacher.css come from record_handlers.py's static route, relative to the page.
Every value enters the page as JSON inside a <script type="application/json"> block, with "<" escaped, and the page
puts it into the document as text (textContent), never as HTML.
"""
from __future__ import annotations

import functools
import importlib.util
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
LOCALES = ROOT / "locales"
PALETTE = ROOT / "widgets" / "shell" / "palette.py"
TEMPLATE = HERE / "teacher.html"
DEFAULT_LANGUAGE = "en"
# the page's own texts, and the app's texts it shows as they are (regime names, lesson titles, verdict marks)
PAGE_PREFIXES = ("teacher.", "lr.regime.", "lesson.")
PAGE_KEYS = ("app.title", "language.name", "exercise.right_mark", "exercise.wrong_mark", "exercise.skipped_mark")


@functools.lru_cache(maxsize=None)
def languages() -> tuple:
    """The language codes that have a catalogue, English first (as core.languages() orders them)."""
    found = sorted(path.stem for path in LOCALES.glob("*.json"))
    return (DEFAULT_LANGUAGE, *(code for code in found if code != DEFAULT_LANGUAGE))


@functools.lru_cache(maxsize=None)
def _catalogue(lang: str) -> dict:
    with open(LOCALES / f"{lang}.json", encoding="utf-8") as file:
        return json.load(file)


def pick_language(asked) -> str:
    """?lang=zh → "zh"; anything not a catalogue's code → English."""
    return asked if asked in languages() else DEFAULT_LANGUAGE


def texts(lang: str) -> dict:
    """The page's texts in one language: {key: sentence with {placeholders}}."""
    everything = _catalogue(lang)
    return {k: v for k, v in everything.items() if k.startswith(PAGE_PREFIXES) or k in PAGE_KEYS}


@functools.lru_cache(maxsize=None)
def _palette():
    """widgets/shell/palette.py, loaded from its file: the server imports no widget package."""
    spec = importlib.util.spec_from_file_location("_teacher_palette", PALETTE)
    palette = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(palette)
    return palette


@functools.lru_cache(maxsize=None)
def regime_colours() -> dict:
    """{regime code: colour} as the app's learning-rate charts draw them (palette.REGIME_COLOURS)."""
    palette = _palette()
    return {**palette.REGIME_COLOURS, "predicted": palette.BLUE, "measured": palette.OK, "other": palette.NEUTRAL,
            "outline": palette.WHITE}


@functools.lru_cache(maxsize=None)
def page_colours() -> str:
    """The palette's text and mark colours as CSS custom properties, for teacher.css to name."""
    palette = _palette()
    named = {"ink": palette.INK, "muted": palette.MUTED, "ok": palette.OK, "error": palette.ERROR,
             "line": palette.NEUTRAL, "fill": palette.CALM_FILL, "page": palette.WHITE}
    return ":root { " + " ".join(f"--tp-{name}: {colour};" for name, colour in named.items()) + " }"


def _static_prefix(page_path: str) -> str:
    """The page's static folder relative to the page's own URL: ".../teacher" → "teacher/static/",
    ".../teacher/" → "static/"; relative, so the same page works under the hub's /services/<name>/ prefix."""
    if page_path.endswith("/"):
        return "static/"
    return page_path.rsplit("/", 1)[-1] + "/static/"


def page_data(lang: str) -> dict:
    """Everything the page needs besides the live state, for one language."""
    return {"lang": lang, "t": texts(lang), "colours": regime_colours(),
            "languages": [[code, _catalogue(code)["language.name"]] for code in languages()]}


def render(page_path: str, asked_lang=None) -> str:
    """The page's HTML for a request to page_path (e.g. "/teacher") with ?lang=asked_lang. Its static files are
    public code, asked for without the token (it stays in the page's own URL and its API calls)."""
    lang = pick_language(asked_lang)
    data = json.dumps(page_data(lang), ensure_ascii=False).replace("<", "\\u003c")  # no "</script>" inside
    t = texts(lang)
    return (TEMPLATE.read_text(encoding="utf-8")
            .replace("{lang}", lang)
            .replace("{title}", _html_text(t["teacher.title"]))
            .replace("{static}", _static_prefix(page_path))
            .replace("{colours}", page_colours())
            .replace("{data}", data))


def _html_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
