"""The page a learner sees at 1366×768 (a class projector), under Voila: every message in view and covering
nothing, axe-core finding no serious violation, no English left in 中文 mode, keyboard and language attributes.

A walk goes through the seven panels as a learner would: a bad value where a panel takes one, then the
panel's main action. The English walk is done once and read by two tests (in view; axe). Screenshots of
every panel after its main action go to test-artifacts/ (page-<lang>-<panel>.png).
"""
import json
import re

import pytest
import torch

from core import ACTIVATIONS, DATASETS, INIT_SCHEMES, MODELS, NORMS, OPTIMIZERS, catalogue
from core.engine.models import build_model
from servers import ACTION_TIMEOUT_MS, ARTIFACTS, wait_for_every_panel

pytestmark = pytest.mark.browser
VIEWPORT = {"width": 1366, "height": 768}
LAYERS = [name for model in MODELS for name, _ in build_model(model, (4,), "relu", (1, 8, 8), 10).named_children()]
REGISTRIES = (ACTIVATIONS, DATASETS, INIT_SCHEMES, MODELS, NORMS, OPTIMIZERS, LAYERS)  # names a panel shows as they are
LOAD_TIMEOUT_MS = 180_000
RUN_TIMEOUT_MS = 180_000


def text(key, lang):
    return catalogue(lang)[key]


def opening(key, lang):
    """A catalogue text up to its first placeholder: what a message starts with whatever its numbers."""
    return text(key, lang).split("{")[0]


def open_app(browser, server, lang="en"):
    page = browser.new_page(viewport=VIEWPORT)
    page.set_default_timeout(ACTION_TIMEOUT_MS)
    page.goto(f"{server.url}/?lang={lang}", timeout=LOAD_TIMEOUT_MS)
    wait_for_every_panel(page, LOAD_TIMEOUT_MS)
    page.wait_for_selector(".tp-panel-lr .js-plotly-plot", timeout=LOAD_TIMEOUT_MS)
    page.wait_for_function("t => document.querySelector('.tp-status').innerText.trim() === t",
                           arg=text("status.ready", lang), timeout=LOAD_TIMEOUT_MS)
    return page


def wait_status(page, fragment):
    page.wait_for_function("f => document.querySelector('.tp-status').innerText.trim().startsWith(f)",
                           arg=fragment, timeout=RUN_TIMEOUT_MS)


def type_into(page, box, value):
    page.fill(box, value)
    page.press(box, "Enter")


def lr_add(page, lang):
    page.locator(".tp-panel-lr button", has_text=text("lr.add", lang)).click()


def loop_run(page, lang):
    """The Loop panel runs only with a mistake switched on: tick one beside its line, then run both loops."""
    page.click(".tp-panel-loop .tp-loop-mistake-no_eval_mode input")
    page.click(".tp-panel-loop .tp-run")


def losses_at_50(page, lang):
    """The Losses panel redraws as its controls move (it has no Run): type scale 50, await the new bars."""
    bars = "() => JSON.stringify(document.querySelector('.tp-panel-losses .js-plotly-plot').data[0].y)"
    page.locator(".tp-panel-losses .tp-plot").first.scroll_into_view_if_needed()
    page.wait_for_selector(".tp-panel-losses .js-plotly-plot")  # drawn on screen only
    before = page.evaluate(bars)
    type_into(page, ".tp-panel-losses .tp-losses-scale-text input", "50")
    page.wait_for_function(f"before => ({bars})() !== before", arg=before, timeout=RUN_TIMEOUT_MS)


# panel: (box that takes a bad value, how that value is read) or None, main action, the status its end shows
WALK = {
    "lr": ((".tp-panel-lr .tp-lr input", lr_add), lambda page, lang: page.click(".tp-panel-lr .tp-run"),
           "status.ready"),
    "init": ((".tp-panel-init .tp-seed input", lambda page, lang: page.click(".tp-panel-init .tp-run")),
             lambda page, lang: page.click(".tp-panel-init .tp-init-train"), "init.trained"),
    "seeds": ((".tp-panel-seeds .tp-seed input", lambda page, lang: page.click(".tp-panel-seeds .tp-run")),
              lambda page, lang: page.click(".tp-panel-seeds .tp-run"), "seeds.done.identical"),
    "train": ((".tp-panel-train .tp-train-lr input", lambda page, lang: page.click(".tp-panel-train .tp-run")),
              lambda page, lang: page.click(".tp-panel-train .tp-run"), "train.finished"),
    "losses": ((".tp-panel-losses .tp-losses-scale-text input", lambda page, lang: None), losses_at_50, None),
    # without a GPU its boxes are disabled: the message to see is the one saying there is none
    "gpu": (None, lambda page, lang: page.click(".tp-panel-gpu .tp-run"),
            "gpu.refreshed" if torch.cuda.is_available() else "gpu.refreshed_cpu"),
    "loop": (None, loop_run, "status.ready"),  # its settings are dropdowns and switches: nothing to mistype
}


def walk(page, lang, after_message=None, after_main=None):
    """Every panel in page order: a bad value and its message, then the main action and its outcome."""
    for name, (bad, main, outcome) in WALK.items():
        if bad:
            box, read = bad
            good = page.input_value(box)
            type_into(page, box, "abc")
            read(page, lang)
            wait_status(page, opening("status.bad_setting", lang))
            if after_message:
                after_message(name)
            type_into(page, box, good)
        main(page, lang)
        if outcome:  # a panel without a Run button (Losses) redraws at once and says nothing
            wait_status(page, opening(outcome, lang))
            page.wait_for_function("n => !document.querySelector(`.tp-panel-${n} .tp-run`).disabled", arg=name,
                                   timeout=RUN_TIMEOUT_MS)
        assert "Traceback" not in page.inner_text("body")
        if after_main:
            after_main(name)


def shot(page, lang, name):
    page.locator(f".tp-panel-{name}").evaluate("el => el.scrollIntoView({block: 'start'})")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"page-{lang}-{name}.png"))


# What the learner can see of an element: its box cut by every ancestor that clips (a button scrolled
# below the cells' frame is not under the status line, even though its box reaches there).
SHOWN_BOX = """el => {
    const r = el.getBoundingClientRect();
    let box = [r.left, r.top, r.right, r.bottom];
    for (let a = el.parentElement; a; a = a.parentElement) {
        const s = getComputedStyle(a);
        if (s.overflowX === "visible" && s.overflowY === "visible") continue;
        const c = a.getBoundingClientRect();
        box = [Math.max(box[0], c.left), Math.max(box[1], c.top), Math.min(box[2], c.right), Math.min(box[3], c.bottom)];
    }
    return box;
}"""


def in_view_and_covering_nothing(page, selector):
    """The message's element lies inside the window, is the topmost thing at its centre, and no button or
    plot legend shows under it."""
    return page.evaluate(f"""sel => {{
        const shown = {SHOWN_BOX};
        const msg = document.querySelector(sel), r = msg.getBoundingClientRect();
        const problems = [];
        if (r.top < 0 || r.left < 0 || r.bottom > innerHeight || r.right > innerWidth || r.height === 0)
            problems.push(`outside the window: ${{JSON.stringify(r)}}`);
        const top = document.elementFromPoint((r.left + r.right) / 2, (r.top + r.bottom) / 2);
        if (!top || !msg.contains(top)) problems.push(`hidden under ${{top && top.className}}`);
        if (getComputedStyle(msg).position === "fixed")  // a line over the page must leave every control free
            for (const el of document.querySelectorAll("button, .legend, input, select")) {{
                if (msg.contains(el)) continue;
                const [l, t, rt, b] = shown(el);
                if (rt > l && b > t && l < r.right && rt > r.left && t < r.bottom && b > r.top)
                    problems.push(`covers ${{el.tagName}}.${{el.getAttribute("class")}} "${{el.textContent.trim().slice(0, 30)}}"`);
            }}
        return problems;
    }}""", selector)


def serious_axe_violations(page):
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(page).response["violations"]
    # `region` (content outside landmarks: Voila's cells) is moderate, and left as it is
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes'][:3]]}"
            for v in found if v["impact"] in ("serious", "critical")]


@pytest.fixture(scope="module")
def english_walk(browser, server):
    """One walk of the English page read by two tests: after each bad value, where the message stands; after
    each main action, where the message (and Init's result) stands, then axe-core's serious findings. Axe
    reads the page after the message is measured, and only adds its script: the walk is one learner's."""
    page = open_app(browser, server)
    seen = {"in view": [], "axe": {"loaded": serious_axe_violations(page)}}
    check = lambda where: lambda name: seen["in view"].extend(
        f"{name} {where}: {p}" for p in in_view_and_covering_nothing(page, ".tp-status"))

    def after_main(name):
        check("after its main action")(name)
        if name == "init":  # Train-and-watch's result is in the panel, beside its button
            result = page.inner_text(".tp-panel-init .tp-result")
            if not result.startswith(opening("init.trained", "en")):
                seen["in view"].append(f"init result does not say it trained: {result!r}")
            seen["in view"].extend(f"init result: {p}"
                                   for p in in_view_and_covering_nothing(page, ".tp-panel-init .tp-result"))
        shot(page, "en", name)
        seen["axe"][name] = serious_axe_violations(page)

    walk(page, "en", check("bad value"), after_main)
    page.close()
    return seen


def test_every_message_is_in_view_and_covers_nothing(english_walk):
    problems = english_walk["in view"]
    assert not problems, "\n".join(problems)


def test_axe_finds_no_serious_violation_loaded_or_after_any_main_action(english_walk):
    found = english_walk["axe"]
    assert set(found) == {"loaded", *WALK} and not any(found.values()), found


def words(shown: str) -> set:
    """Words as a reader sees them; a name like torch.manual_seed or seed_everything is one word."""
    return {w.lower() for w in re.findall(r"[A-Za-z_][\w.]*[A-Za-z0-9_]|[A-Za-z]", shown)}


def english_ui_words() -> set:
    """Words of the app's English texts that none of its Chinese texts uses and that name nothing (a dropdown
    shows `xavier_uniform`, `relu`, `moons`, a plot the layer `out`, as they are, in both languages)."""
    prose = lambda s: re.sub(r"<code>.*?</code>|<[^>]+>|\{[^}]*\}", " ", s)
    english = set().union(*(words(prose(en)) for en in catalogue("en").values()))
    chinese = set().union(*(words(prose(zh)) for zh in catalogue("zh").values()))
    names = set().union(*(words(" ".join(map(str, registry))) for registry in REGISTRIES))
    return {w for w in english - chinese - names if w.isalpha() and len(w) > 1}


# The text a learner sees in an element: visible text nodes (plots' SVG text included), code left out, and
# of a dropdown only its chosen option.
VISIBLE_TEXT = """root => {
    const out = [];
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const el = node.parentElement;
        if (!node.textContent.trim() || el.closest("code, pre, select, textarea, style, script")) continue;
        if (el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) out.push(node.textContent);
    }
    for (const select of root.querySelectorAll("select"))
        if (select.checkVisibility() && select.selectedOptions[0]) out.push(select.selectedOptions[0].text);
    return out.join("\\n");
}"""


def test_chinese_mode_shows_no_english_ui_word_in_any_panel_or_plot(browser, server):
    page = open_app(browser, server, "zh")
    assert page.evaluate("document.documentElement.lang") == "zh-Hans"
    walk(page, "zh", after_main=lambda name: shot(page, "zh", name))
    terms = english_ui_words()
    assert {"learning", "rate", "loss", "step", "seed"} <= terms  # the list is the catalogue's English
    seen = {}
    for name in WALK:
        shown = page.locator(f".tp-panel-{name}").evaluate(VISIBLE_TEXT)
        english = sorted(words(shown) & terms)
        if english:  # each word with the line it stands in, to find it on the page
            seen[name] = {w: next(line.strip()[:80] for line in shown.splitlines() if w in words(line))
                          for w in english}
    assert not seen, json.dumps(seen, ensure_ascii=False, indent=1)
    page.close()


def test_keyboard_focus_language_attributes_and_focus_ring(browser, server):
    page = open_app(browser, server)
    toggle = lambda: page.evaluate("() => Array.from(document.querySelectorAll('.tp-lang button'))"
                                   ".map(b => [b.innerText.trim(), b.getAttribute('aria-pressed')])")
    assert page.evaluate("document.documentElement.lang") == "en" and toggle() == [["English", "true"], ["中文", "false"]]
    assert page.get_attribute(".tp-status", "role") == "status"
    assert page.get_attribute(".tp-status", "aria-live") == "polite"
    handle = page.locator(".tp-lr-surface-rate [role=slider]")  # the step-size slider is a log slider
    assert handle.get_attribute("aria-label") == text("lr.surface_lr", "en")
    assert handle.get_attribute("aria-valuetext") == page.inner_text(".tp-lr-surface-rate .widget-readout").strip()
    run = page.locator(".tp-panel-lr .tp-run")
    run.focus()
    assert run.evaluate("b => b.matches(':focus-visible') && parseFloat(getComputedStyle(b).outlineWidth) >= 2")
    page.keyboard.press("Enter")  # a learner on the keyboard starts the run…
    page.wait_for_function("() => document.querySelector('.tp-panel-lr .tp-run').disabled", timeout=RUN_TIMEOUT_MS)
    wait_status(page, text("status.ready", "en"))
    page.wait_for_function("() => !document.querySelector('.tp-panel-lr .tp-run').disabled", timeout=RUN_TIMEOUT_MS)
    # …and is back on the button when it ends, not on <body>
    page.wait_for_function("() => document.activeElement === document.querySelector('.tp-panel-lr .tp-run')",
                           timeout=10_000)
    page.click(".tp-lang >> text=中文")
    page.wait_for_function("() => document.documentElement.lang === 'zh-Hans'", timeout=10_000)
    assert toggle() == [["English", "false"], ["中文", "true"]]
    assert handle.get_attribute("aria-label") == text("lr.surface_lr", "zh")
    page.close()


def test_on_a_wide_screen_the_decision_boundary_stands_beside_its_curves(browser, server):
    """1920×1080: a toy set's decision boundary is in the loss curve's row, in view while the curves grow."""
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    page.goto(f"{server.url}/?dataset=moons", timeout=LOAD_TIMEOUT_MS)
    boundary = page.locator(".tp-panel-train .tp-train-boundary")
    boundary.wait_for(state="visible", timeout=LOAD_TIMEOUT_MS)
    loss, box = page.locator(".tp-panel-train .tp-train-loss").bounding_box(), boundary.bounding_box()
    assert box["x"] >= loss["x"] + loss["width"]  # beside the curves…
    assert box["y"] < loss["y"] + loss["height"] and box["y"] + box["height"] > loss["y"]  # …in their row
    page.close()
