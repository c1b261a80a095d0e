"""The teacher's page at /teacher on a real class server (class/serve.py with its record), in headless Chromium:
simulated learners (bench/class_load.py's Learner) name themselves, predict and run, and the page shows them arrive
without a reload; a name is text; a chart goes full screen and Escape leaves; the CSV link and "New class" work;
both languages; nothing wider than a 1366×768 projector. Without the token, or with a wrong one: 403, nothing else."""
from __future__ import annotations

import asyncio
import json
import threading
import urllib.parse

import pytest
from playwright.sync_api import Error as PlaywrightError

from bench.class_load import Learner
from classroom import class_server, http_status
from core import catalogue
from servers import ACTION_TIMEOUT_MS, ARTIFACTS
from widgets.shell import palette

pytestmark = pytest.mark.browser
HOSTILE = "<img src=x onerror=alert(1)>"
PROJECTOR = {"width": 1366, "height": 768}
ARRIVE_MS = 300_000  # a hang guard: two learners' kernels start and run the four presets on two loaded cores


@pytest.fixture(scope="module")
def classroom(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("teacher")
    with class_server(tmp, size=4, pool=1, name="class-teacher") as server:
        yield server, (tmp / "data" / "teacher-token").read_text().strip(), tmp / "data"


class Learners:
    """Two learners working in a thread of their own (their asyncio loop beside Playwright's), holding their pages
    open until told to leave: the first names itself HOSTILE, predicts on an exercise, and both run the presets."""

    def __init__(self, url):
        self.url, self.leave, self.error = url, threading.Event(), None
        self.thread = threading.Thread(target=self._run)

    def _run(self):
        try:
            asyncio.run(self._work())
        except BaseException as exc:  # noqa: BLE001  (reported by the test, which waits on the page)
            self.error = exc

    async def _work(self):
        first, second = Learner(self.url), Learner(self.url)
        await asyncio.gather(first.load(), second.load())
        first.set_name(HOSTILE)
        first.predict("lr-diverges", 1)
        await asyncio.gather(first.run_presets(), second.run_presets())
        await asyncio.get_running_loop().run_in_executor(None, self.leave.wait)
        await asyncio.gather(first.leave(), second.leave())

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.leave.set()
        self.thread.join(ARRIVE_MS / 1000)


def open_teacher(browser, url, query):
    page = browser.new_page(viewport=PROJECTOR)
    page.set_default_timeout(ACTION_TIMEOUT_MS)
    page.dialogs, page.errors = [], []
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    response = page.goto(f"{url}/teacher{query}")
    assert response.status == 200
    return page


def await_text(page, selector, text, timeout=ARRIVE_MS):
    page.wait_for_function("([s, t]) => { const n = document.querySelector(s); return n && n.textContent === t; }",
                           arg=[selector, text], timeout=timeout)


def state(page, server, token) -> dict:
    """The record's snapshot, read once through the teacher's API (as the page reads it)."""
    return page.request.get(f"{server.url}/teacher/api/state?token={token}").json()


def same(option: str, value) -> bool:
    """An option as the catalogue names it ("100000") and a value as a run measured it (100000.0)."""
    try:
        return float(option) == float(value)
    except (TypeError, ValueError):
        return option == str(value)


def diverges(snap) -> dict:
    return next(e for e in snap["exercises"] if e["exercise"] == "lr-diverges")


def wider_than_the_screen(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth > window.innerWidth")


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"teacher-{name}.png"), full_page=True)


def test_without_the_token_or_with_a_wrong_one_every_teacher_route_is_403_and_empty(classroom, browser):
    server, token, _ = classroom
    for route in ("teacher", "teacher/api/state", "teacher/api/record.csv"):
        for query in ("", "?token=", "?token=wrong", f"?token={token[:-1]}", "?lang=zh"):
            code, body, _ = http_status(f"{server.url}/{route}{query}")
            assert (code, body) == (403, ""), (route, query)
    page = browser.new_page(viewport=PROJECTOR)
    answer = page.request.get(f"{server.url}/teacher?token=wrong")
    assert (answer.status, answer.body()) == (403, b"")
    # Chromium shows its own error for an error status without a body: nothing of the page reaches the browser
    with pytest.raises(PlaywrightError, match="ERR_HTTP_RESPONSE_CODE_FAILURE"):
        page.goto(f"{server.url}/teacher?token=wrong")
    page.close()


def test_the_teacher_watches_the_class_arrive_live(classroom, browser):
    server, token, data = classroom
    en, zh = catalogue("en"), catalogue("zh")
    page = open_teacher(browser, server.url, f"?token={token}")
    await_text(page, "#tp-t-seats", en["teacher.seats"].format(connected=0, total=0), timeout=60_000)
    assert page.is_visible("#tp-t-learners-empty") and page.is_visible("#tp-t-exercises-empty")
    with Learners(server.url) as learners:
        # the page is never reloaded: everything below arrives through its once-a-second poll
        await_text(page, "#tp-t-seats", en["teacher.seats"].format(connected=2, total=2))
        names = "#tp-t-learners tbody td:nth-child(2)"
        page.wait_for_function(f"() => [...document.querySelectorAll('{names}')].some((td) => td.childNodes.length)",
                               timeout=ARRIVE_MS)
        # the name's characters, not an element: no image, no alert
        assert sorted(page.eval_on_selector_all(names, "(tds) => tds.map((td) => td.textContent)")) == ["", HOSTILE]
        assert page.locator("#tp-t-learners img").count() == 0 and page.dialogs == []
        # the prediction on its option and the measurement on its own: the numbers the record's API gives
        card = '[data-exercise="lr:lr-diverges"]'
        page.wait_for_function("([s, zero]) => { const n = document.querySelector(s);"
                               " return n && n.textContent !== '' && n.textContent !== zero; }",
                               arg=[f"{card} .tp-t-counts", en["teacher.counts"].format(answered=0, right=0, wrong=0,
                                                                                       skipped=0)],
                               timeout=ARRIVE_MS)
        snap = state(page, server, token)  # the one answer is in: what the page must show of it
        ex, texts = diverges(snap), snap["texts"]["lr:lr-diverges"]["options"]
        assert ex["answered"] + ex["skipped"] == 1
        await_text(page, f"{card} .tp-t-counts", en["teacher.counts"].format(
            answered=ex["answered"], right=ex["right"], wrong=ex["answered"] - ex["right"], skipped=ex["skipped"]))
        bars = page.evaluate(f"() => document.querySelector('{card} .tp-t-chart').data"
                             ".map((t) => Object.fromEntries(t.x.map((x, i) => [x, t.y[i]])))")
        (measured,) = ex["measured"]
        assert bars[0] == {label: int(same(value, 1)) for value, label in texts.items()}
        assert bars[1] == {label: int(same(value, measured["value"])) for value, label in texts.items()}
        # every learner's four presets on the scatter, each in its regime's colour
        page.wait_for_function("() => { const d = document.getElementById('tp-t-lr-chart').data;"
                               " return d && d.reduce((n, t) => n + t.x.length, 0) === 8; }", timeout=ARRIVE_MS)
        traces = page.evaluate("() => document.getElementById('tp-t-lr-chart').data"
                               ".filter((t) => t.x.length).map((t) => [t.name, t.marker.color])")
        regime_of = {en[f"lr.regime.{regime}"]: regime for regime in palette.REGIME_COLOURS}
        assert len(traces) >= 2 and all(colour == palette.REGIME_COLOURS[regime_of[name]] for name, colour in traces)
        # both learners ran each seeded preset: the reading says so
        page.wait_for_function("() => [...document.querySelectorAll('#tp-t-repro tbody tr')].some("
                               "(tr) => tr.children[3].textContent === '2')", timeout=ARRIVE_MS)
        top = state(page, server, token)["reproducibility"][0]
        await_text(page, "#tp-t-repro-reading", en["teacher.repro_same"].format(**top))
        assert top["identical"] == 2
        assert not wider_than_the_screen(page)
        shot(page, "en")

        # full screen for the projector, and Escape leaves it
        page.click("#tp-t-lr-card .tp-t-full")
        page.wait_for_selector("#tp-t-lr-card.tp-t-fullscreen")
        box = page.locator("#tp-t-lr-card").bounding_box()
        assert (box["width"], box["height"]) == (PROJECTOR["width"], PROJECTOR["height"])
        page.keyboard.press("Escape")
        page.wait_for_selector(".tp-t-fullscreen", state="detached")

        # the other language, keeping the token: the page's own link
        page.click("#tp-t-langs a[hreflang=zh]")
        await_text(page, "#tp-t-seats", zh["teacher.seats"].format(connected=2, total=2))
        await_text(page, f"{card} .tp-t-counts", zh["teacher.counts"].format(
            answered=ex["answered"], right=ex["right"], wrong=ex["answered"] - ex["right"], skipped=ex["skipped"]))
        assert page.evaluate("document.documentElement.lang") == "zh"
        assert not wider_than_the_screen(page)
        shot(page, "zh")
        assert learners.error is None

    # the record as CSV, through the page's link (the token in it)
    link = page.get_attribute("#tp-t-csv", "href")
    assert link == "teacher/api/record.csv?" + urllib.parse.urlencode({"token": token})
    csv = page.request.get(f"{server.url}/{link}")
    assert csv.status == 200 and csv.text().count("\r\nrun,") == 8 and HOSTILE in csv.text()

    # "New class": asks first (Cancel keeps everything), then archives and the page empties
    page.click("#tp-t-new")
    page.click("#tp-t-new-no")
    assert not page.is_visible("#tp-t-confirm") and not list(data.glob("class-*.sqlite"))
    page.click("#tp-t-new")
    page.click("#tp-t-new-yes")
    await_text(page, "#tp-t-notice", zh["teacher.new_done"], timeout=60_000)
    await_text(page, "#tp-t-seats", zh["teacher.seats"].format(connected=0, total=0), timeout=60_000)
    assert len(list(data.glob("class-*.sqlite"))) == 1
    assert page.dialogs == [] and page.errors == []
    page.close()
