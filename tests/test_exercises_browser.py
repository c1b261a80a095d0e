"""Exercises in a real page (Voila, Chromium, 1366×768): per lesson, one answered wrong in English and one right
in 中文 (init's from the keyboard alone), Run locked until the prediction; then a reload finds the progress kept,
and axe finds no serious violation with exercises open; last, cards whose JavaScript loaded late still work.
One server for the module and one page for all but the last test (lean on 2 cores)."""
import pytest
import torch

from core import catalogue
from servers import ACTION_TIMEOUT_MS, ARTIFACTS
from widgets.exercises.block import ExerciseBlock

pytestmark = pytest.mark.browser
VIEWPORT = {"width": 1366, "height": 768}
LOAD_TIMEOUT_MS = RUN_TIMEOUT_MS = 180_000
GPU = torch.cuda.is_available()


def card(lesson, exercise):
    return f".tp-panel-{lesson} .tp-exercise[data-id='{exercise}']"


def choice(value):
    return lambda page, sel: page.check(f"{sel} input[value='{value}']")


def number(value):
    return lambda page, sel: page.fill(f"{sel} .tp-exercise-number", value)


def keyboard_point(steps):
    """Tab from the question to the chart, move `steps` points right with the arrow keys, pick with Enter."""
    def predict(page, sel):
        page.keyboard.press("Tab")
        for _ in range(steps):
            page.keyboard.press("ArrowRight")
        page.keyboard.press("Enter")
        assert page.evaluate("() => document.activeElement.getAttribute('aria-checked')") == "true"
        page.keyboard.press("Tab")  # to "Commit my prediction"
    return predict


def tick_a_mistake(page):
    if not page.is_checked(".tp-panel-loop .tp-loop-mistake-no_eval_mode input"):
        page.click(".tp-panel-loop .tp-loop-mistake-no_eval_mode input")


# lesson: (exercise answered wrong in English, exercise answered right in 中文), each (id, prediction)
PLAN = {
    "lr": (("lr-count", number("3")), ("lr-diverges", choice("100000"))),
    "init": (("init-trend", choice("grows")), ("init-first-below", keyboard_point(2))),  # layer 3
    "seeds": (("seeds-identical", choice("no")), ("seeds-gap", choice("zero"))),
    "train": (("train-diverges", choice("yes")), ("train-steps", number("77"))),
    "losses": (("losses-agree", choice("no")), ("losses-nonfinite", number("0"))),
    "gpu": (("gpu-available", choice("no" if GPU else "yes")), ("gpu-auto", choice("cuda" if GPU else "cpu"))),
    "loop": (("loop-accuracy", choice("broken")), ("loop-initial-loss", number("2.3"))),
}


def opening(key, lang):
    return catalogue(lang)[key].split("{")[0]


@pytest.fixture(scope="module")
def page(browser, server):
    context = browser.new_context(viewport=VIEWPORT)  # one origin, one localStorage, kept across the reload
    page = context.new_page()
    page.set_default_timeout(ACTION_TIMEOUT_MS)
    page.on("pageerror", lambda error: print("page error:", error))  # shown with a failure, to know why
    page.goto(f"{server.url}/?epochs=1", timeout=LOAD_TIMEOUT_MS)
    loaded(page)
    yield page
    context.close()


def loaded(page):
    for lesson in PLAN:  # every lesson's cards drawn, in page order
        page.wait_for_selector(f".tp-panel-{lesson} .tp-exercise", timeout=LOAD_TIMEOUT_MS)


def set_lang(page, lang):
    page.click(f".tp-lang button:has-text('{catalogue(lang)['language.name']}')")
    page.wait_for_function("t => document.querySelector('.tp-exercises-title').textContent === t",
                           arg=catalogue(lang)["exercise.title"])


def answer(page, lesson, exercise, predict, lang, verdict, keyboard=False):
    sel, run = card(lesson, exercise), f".tp-panel-{lesson} .tp-run"
    toggle = page.locator(f"{sel} .tp-exercise-toggle")
    if keyboard:
        toggle.focus()
        page.keyboard.press("Enter")
    else:
        toggle.click()
    page.wait_for_selector(f"{sel} .tp-exercise-body:not([hidden])")
    if lesson != "losses":  # the losses card brings its own button; the panel's scale is what it locks
        page.wait_for_selector(f"{run}:disabled")
    predict(page, sel)
    if keyboard:
        page.keyboard.press("Enter")
    else:
        page.click(f"{sel} .tp-exercise-commit")
    page.wait_for_function("([s, t]) => document.querySelector(s).textContent.startsWith(t)",
                           arg=[f"{sel} .tp-exercise-hint", opening("exercise.then_run", lang)])
    if lesson == "loop":
        tick_a_mistake(page)
    if lesson == "losses":
        page.click(f"{sel} .tp-exercise-run")
    else:
        page.wait_for_selector(f"{run}:enabled")
        if keyboard:
            page.focus(run)
            page.keyboard.press("Enter")
        else:
            page.click(run)
    page.wait_for_selector(f"{sel} .tp-exercise-verdict[data-verdict='{verdict}']", timeout=RUN_TIMEOUT_MS)
    message = page.inner_text(f"{sel} .tp-exercise-verdict")
    assert message.startswith(opening(f"exercise.{verdict}", lang)) and opening("exercise.why", lang) in message
    assert page.get_attribute(f"{sel} .tp-exercise-verdict", "aria-live") == "polite"
    page.locator(sel).evaluate("el => el.closest('.tp-exercises').scrollIntoView({block: 'start'})")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"exercises-{lang}-{lesson}-{verdict}.png"))


@pytest.mark.parametrize("lesson", PLAN)
def test_one_wrong_in_english_and_one_right_in_chinese(page, lesson):
    (wrong_id, wrong), (right_id, right) = PLAN[lesson]
    answer(page, lesson, wrong_id, wrong, "en", "wrong")
    set_lang(page, "zh")
    try:
        answer(page, lesson, right_id, right, "zh", "right", keyboard=lesson == "init")
    finally:
        set_lang(page, "en")
    assert "Traceback" not in page.inner_text("body")


@pytest.fixture(scope="module")
def reloaded(page):
    page.reload(timeout=LOAD_TIMEOUT_MS)
    loaded(page)
    return page


@pytest.mark.parametrize("lesson", PLAN)
def test_progress_survives_a_reload(reloaded, lesson):
    (wrong_id, _), (right_id, _) = PLAN[lesson]
    for exercise, verdict in ((wrong_id, "wrong"), (right_id, "right")):
        assert reloaded.get_attribute(card(lesson, exercise), "data-done") == verdict
        assert reloaded.inner_text(f"{card(lesson, exercise)} .tp-exercise-toggle").endswith(
            catalogue("en")[f"exercise.{verdict}_mark"])
    total = reloaded.locator(f".tp-panel-{lesson} .tp-exercise").count()
    assert reloaded.inner_text(f".tp-panel-{lesson} .tp-exercises-progress") == f"2 of {total} done"


def test_axe_finds_no_serious_violation_with_exercises_open(reloaded):
    from axe_playwright_python.sync_playwright import Axe

    for lesson, ((first, _), _) in PLAN.items():
        reloaded.click(f"{card(lesson, first)} .tp-exercise-toggle")
    reloaded.wait_for_function("() => document.querySelectorAll('.tp-exercise-body:not([hidden])').length === 7")
    groups = reloaded.locator(".tp-exercise-body:not([hidden]) [role=radiogroup], "
                              ".tp-exercise-body:not([hidden]) [role=group]")
    assert groups.count() == 7 and all(groups.nth(i).get_attribute("aria-label") for i in range(7))
    found = Axe().run(reloaded).response["violations"]
    serious = [f"{v['id']}: {[n['target'] for n in v['nodes'][:3]]}" for v in found
               if v["impact"] in ("serious", "critical")]
    assert serious == []


def test_cards_work_even_when_their_javascript_loaded_late(browser, server):
    """A busy page: each exercise module (its exact size picks it out) is held up 2.5 s, past anywidget's 2 s
    limit for a model to come up; the cards still draw, and a verdict still reaches them."""
    size = len(ExerciseBlock._esm.default_value.encode("utf-8"))
    slow = "(() => { const make = URL.createObjectURL; URL.createObjectURL = function (blob) {" \
           f" if (blob instanceof Blob && blob.size === {size}) {{ const until = performance.now() + 2500;" \
           " while (performance.now() < until) {} } return make.call(URL, blob); }; })();"
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.set_default_timeout(ACTION_TIMEOUT_MS)
    page.add_init_script(slow)
    late = []
    page.on("pageerror", lambda error: late.append(str(error)) if "Failed to initialize model" in str(error) else None)
    try:
        page.goto(f"{server.url}/?epochs=1", timeout=LOAD_TIMEOUT_MS)
        loaded(page)
        assert late, "no exercise module hit anywidget's 2 s limit: this test no longer tests anything"
        answer(page, "gpu", "gpu-auto", choice("cuda" if GPU else "cpu"), "en", "right")
    finally:
        context.close()
