"""The teacher's page (issue 26): teacher.html with its texts, colours and exercise wording filled in by the server.

Standard library only, so both the class server (record_handlers.py) and the JupyterHub service render it without
importing torch, ipywidgets or plotly's Python side:
- texts come from locales/<lang>.json (the same catalogues the app reads), the keys the page names in PAGE_KEYS;
- the regime colours come from widgets/shell/palette.py, loaded from its file (it imports nothing);
- each exercise's question and option labels come from exercises/<lesson>.json;
- plotly.js is the copy inside the installed plotly package: a classroom has no internet.
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
EXERCISES = ROOT / "exercises"
PALETTE = ROOT / "widgets" / "shell" / "palette.py"
TEMPLATE = HERE / "teacher.html"
DEFAULT_LANGUAGE = "en"
# the page's own texts, and the app's texts it shows as they are (regime names, lesson titles, verdict marks)
PAGE_PREFIXES = ("teacher.", "lr.regime.", "lesson.")
PAGE_KEYS = ("app.title", "language.name", "exercise.right_mark", "exercise.wrong_mark", "exercise.skipped_mark")


def _plotly_js() -> Path:
    spec = importlib.util.find_spec("plotly")  # found, not imported: the file sits beside plotly's __init__
    return Path(spec.origin).parent / "package_data" / "plotly.min.js"


# what GET <page>/static/<name> serves: a fixed list, so no request names a file of its own choosing
STATIC = {"teacher.js": HERE / "teacher.js", "teacher.css": HERE / "teacher.css", "plotly.min.js": None}
CONTENT_TYPES = {".js": "application/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}


def static_file(name: str) -> Path | None:
    """The file behind a static name the page asks for, or None for any other name."""
    if name not in STATIC:
        return None
    return STATIC[name] or _plotly_js()


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


def exercise_texts(lang: str) -> dict:
    """{lesson: {exercise id: {"question": text, "options": [[value, label], …]}}} from exercises/*.json."""
    out = {}
    for path in sorted(EXERCISES.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        lesson = out.setdefault(data["lesson"], {})
        for item in data["exercises"]:
            choices = item.get("options") or item.get("points") or ()
            # an option without labels shows its value (a rate, a layer number), as the app's own buttons do
            labels = [[c["value"], c.get(lang) or str(c["value"])] for c in choices]
            question = item["question"].get(lang) or item["question"][DEFAULT_LANGUAGE]
            lesson[item["id"]] = {"question": question, "options": labels}
    return out


def _static_prefix(page_path: str) -> str:
    """The page's static folder relative to the page's own URL: ".../teacher" → "teacher/static/",
    ".../teacher/" → "static/"; relative, so the same page works under the hub's /services/<name>/ prefix."""
    if page_path.endswith("/"):
        return "static/"
    return page_path.rsplit("/", 1)[-1] + "/static/"


def page_data(lang: str) -> dict:
    """Everything the page needs besides the live state, for one language."""
    return {"lang": lang, "t": texts(lang), "colours": regime_colours(), "exercises": exercise_texts(lang),
            "languages": [[code, _catalogue(code)["language.name"]] for code in languages()]}


def render(page_path: str, asked_lang=None) -> str:
    """The page's HTML for a request to page_path (e.g. "/teacher") with ?lang=asked_lang."""
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
