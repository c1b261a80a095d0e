"""Plain `voila app.ipynb` (voila.json's settings, nothing else): the page asks no third party for
anything, a closed tab frees its kernel, a page whose panels did not arrive says so, the page waits 60 s
for its widget states, and ten pages opened at once all get every panel."""
from __future__ import annotations

import asyncio
import json
import re
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from bench.class_load import Learner
from classroom import assert_listens_on_private_files, kernel_id, kernel_pid
from servers import ARTIFACTS, BIN, VOILA_READY, Server, free_port, lab_folder, voila
from widgets.shell.app import PANELS

pytestmark = pytest.mark.browser
LOAD_TIMEOUT_MS = 300_000  # a hang guard: ten kernels importing torch on two cores
IN_BROWSERS = 3  # of the ten pages opened at once; the others are spoken by a protocol learner
ALL_PANELS = "names => names.every(n => document.querySelector('.tp-panel-' + n))"


@pytest.fixture(scope="module")
def server():
    with voila() as srv:
        yield srv


def kernel_running(server, kid: str) -> bool:
    """Voila answers /api/kernels/<id> (it has no listing): 200 while the kernel runs, 404 once it is gone."""
    try:
        with urllib.request.urlopen(f"{server.url}/api/kernels/{kid}", timeout=30):
            return True
    except urllib.error.HTTPError as e:
        if e.code == 404:
            return False
        raise


def open_app(context, server):
    page = context.new_page()
    page.goto(server.url + "/", timeout=LOAD_TIMEOUT_MS)
    page.wait_for_function(ALL_PANELS, arg=list(PANELS), timeout=LOAD_TIMEOUT_MS)
    return page


def test_the_page_requests_nothing_from_a_third_party_and_its_icons_still_show(browser, server):
    context = browser.new_context()
    requests, blocked = [], set()  # every request the page made; those the policy kept in the browser
    context.on("request", lambda request: requests.append(request.url))
    context.on("requestfailed", lambda request: blocked.add(request.url) if request.failure == "csp" else None)
    context.add_init_script("document.addEventListener('securitypolicyviolation', e => "
                            "(window.tpViolations = window.tpViolations || []).push(e.blockedURI))")
    page = open_app(context, server)
    # the icons come from Voila's own bundle: a Font Awesome face is loaded once an icon button is drawn
    page.wait_for_selector(".tp-panel-gpu .fa-trash", timeout=LOAD_TIMEOUT_MS)
    page.wait_for_function("() => Array.from(document.fonts).some(f => f.family.includes('Font Awesome')"
                           " && f.status === 'loaded')", timeout=60_000)
    page.click(".tp-panel-lr .tp-run")  # the page still works under the policy: a run draws its curves
    page.locator(".tp-panel-lr .tp-plot").first.scroll_into_view_if_needed()  # a plot is drawn on screen only
    page.wait_for_function("() => { const plot = document.querySelector('.tp-panel-lr .tp-plot').querySelector('.js-plotly-plot');"
                           " return plot && plot.data[0].y.length === 154"
                           " && document.querySelector('.tp-status').innerText.trim() === 'Ready.'; }",
                           timeout=180_000)
    violations = page.evaluate("() => window.tpViolations || []")
    response = context.request.get(server.url + "/")
    policy = response.headers.get("content-security-policy", "")
    context.close()
    outside = [u for u in requests if not u.startswith((server.url, "data:", "blob:"))]
    assert all(u in blocked for u in outside), outside  # offline or not, none of them left the browser
    assert "default-src 'self'" in policy and "connect-src 'self'" in policy
    # the CDN stylesheets in Voila's template are what the policy blocks; nothing the app needs is
    assert all("cdn.jsdelivr.net" in v for v in violations), violations


def test_closing_a_tab_frees_its_kernel_and_the_kernel_listened_on_private_files(browser, server):
    """Voila's beacon needs an _xsrf cookie that plain Voila never sets; the app's page guard sets one."""
    context = browser.new_context()
    page = open_app(context, server)
    kid = kernel_id(page)
    assert kernel_running(server, kid)
    assert_listens_on_private_files(kernel_pid(server, kid))  # plain Voila reads voila.json's transport too
    assert any(c["name"] == "_xsrf" for c in context.cookies())
    page.close(run_before_unload=True)
    deadline = time.monotonic() + 60
    while kernel_running(server, kid):
        assert time.monotonic() < deadline, "the closed tab's kernel is still running"
        time.sleep(0.3)
    context.close()


def test_a_page_whose_panels_or_widgets_did_not_arrive_says_so_and_not_ready(browser):
    """The init panel's cell fails, so Voila stops there: five panels never reach the page."""
    folder = lab_folder()
    notebook = json.loads((folder / "app.ipynb").read_text())
    cell = next(c for c in notebook["cells"] if "".join(c["source"]).strip() == 'app.show("init")')
    cell["source"] = ["raise RuntimeError('a cell that fails')"]
    (folder / "app.ipynb").write_text(json.dumps(notebook))
    port = free_port()
    argv = [str(BIN / "voila"), str(folder / "app.ipynb"), "--no-browser", "--Voila.ip=127.0.0.1",
            f"--port={port}"]
    # the page guard's wait, not the product's 20 s: what it waits for never comes
    grace = {"TP_PANELS_GRACE_MS": "1000"}
    with Server(argv, f"http://127.0.0.1:{port}", VOILA_READY, env=grace,
                log_name=f"voila-broken-{port}") as broken:
        page = browser.new_page()
        page.goto(broken.url + "/", timeout=LOAD_TIMEOUT_MS)
        page.wait_for_selector(".tp-panel-lr", timeout=LOAD_TIMEOUT_MS)
        banner = page.wait_for_selector(".tp-panels-missing", timeout=120_000)
        text = banner.inner_text()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "10-panels-missing.png"), full_page=True)
        assert "did not arrive" in text and "Reload the page" in text and "请刷新页面" in text
        assert not page.is_visible(".tp-status")  # it would say "Ready."
        assert page.locator(".tp-panel-init").count() == 0
        page.close()

        # Widgets that never load at all (here: a kernel websocket that never reaches the server) leave the
        # page guard unrendered too; the page's own script reloads once, then shows the same banner.
        page = browser.new_page()
        page.add_init_script("window.tpWidgetsWaitMs = 1000")  # the page script's wait, not the product's 60 s
        page.route_web_socket(re.compile(r"/api/kernels/"), lambda ws: None)  # open, but no kernel behind it
        loads = []
        page.on("load", lambda _page: loads.append(time.monotonic()))
        page.goto(broken.url + "/", timeout=LOAD_TIMEOUT_MS)
        text = page.wait_for_selector(".tp-panels-missing", timeout=120_000).inner_text()
        assert len(loads) == 2  # the page reloaded itself once, then said so
        assert "did not arrive" in text and "Reload the page" in text and "请刷新页面" in text
        assert page.locator(".tp-status").count() == 0 and "Loading widget" in page.inner_text("body")
        page.screenshot(path=str(ARTIFACTS / "10-widgets-never-loaded.png"), full_page=True)
        page.close()


def test_the_widget_managers_wait_for_the_widget_states_is_the_page_scripts_60_s(browser, server):
    """ipywidgets gives the kernel 4 s to answer a page's request for every widget's state, then asks for
    them one by one (~950 requests): under load, pages fell to that path and were reloaded by the watchdog.
    The page script (in the notebook's first Markdown cell) makes that one timer wait 60 s; it finds the
    timer by its message, so a Voila or ipywidgets that words it differently would fail here."""
    context = browser.new_context()
    context.add_init_script("""(() => {  // runs before the page script wraps setTimeout: sees what it passes on
        const original = window.setTimeout;
        window.tpTimers = [];
        window.setTimeout = function (callback, delay, ...rest) {
            if (typeof callback === "function" && String(callback).includes("Control comm did not respond"))
                window.tpTimers.push(delay);
            return original.call(this, callback, delay, ...rest);
        };
    })()""")
    page = open_app(context, server)
    assert page.evaluate("() => window.tpTimers") == [60_000]
    context.close()


def test_ten_learners_open_the_page_at_once_and_each_gets_every_panel(browser):
    """Issue 10: without voila.json's iopub_timeout one page in ten lost its panels, "Ready." and all.
    Ten pages at once on plain Voila: three in browser contexts, seven spoken by bench/class_load.py's
    Learner (the page's own requests and widget protocol, no browser), which fails on a page without panels."""
    with voila() as fresh:  # its own server: no kernel warm from the tests above
        contexts = [browser.new_context() for _ in range(IN_BROWSERS)]
        pages = [c.new_page() for c in contexts]
        started = time.monotonic()
        console = [[] for _ in pages]  # each page's console, shown if a page fails
        loads = [[] for _ in pages]  # a page whose widgets never loaded reloads itself once
        for log, page, loaded in zip(console, pages, loads):
            page.on("load", lambda _page, loaded=loaded: loaded.append(1))
            page.on("console", lambda msg, log=log: log.append(f"{msg.type}: {msg.text[:200]}"))
            page.on("pageerror", lambda exc, log=log: log.append(f"pageerror: {exc}"[:300]))
        spoken = [Learner(fresh.url) for _ in range(10 - IN_BROWSERS)]
        with ThreadPoolExecutor(1) as pool:  # their own event loop: Playwright's sync API holds this thread's
            for page in pages:  # every request goes out before any page is waited for
                page.goto(fresh.url + "/", wait_until="commit", timeout=LOAD_TIMEOUT_MS)
            loading = pool.submit(asyncio.run, all_load(spoken))
            for i, page in enumerate(pages):
                try:
                    page.wait_for_function(ALL_PANELS, arg=list(PANELS), timeout=LOAD_TIMEOUT_MS)
                except Exception:
                    ARTIFACTS.mkdir(exist_ok=True)
                    page.screenshot(path=str(ARTIFACTS / f"10-ten-pages-page{i}-failed.png"), full_page=True)
                    seen = page.evaluate("names => names.filter(n => document.querySelector('.tp-panel-' + n))",
                                         list(PANELS))
                    print(f"page {i}: kernel {kernel_id(page)}, panels {seen}, console:", *console[i][-15:], sep="\n  ")
                    raise
            loading.result()  # each spoken page found every panel in its widget states, or raised
        print(f"\nten pages at once on plain Voila ({IN_BROWSERS} in browsers): every panel in every page after "
              f"{time.monotonic() - started:.0f} s; pages that reloaded themselves: {sum(len(n) > 1 for n in loads)}")
        for page in pages:
            assert page.locator(".tp-panels-missing").count() == 0
            assert page.inner_text(".tp-status").strip() == "Ready."
        assert len({learner.kernel_id for learner in spoken} | {kernel_id(page) for page in pages}) == 10
        for context in contexts:
            context.close()


async def all_load(learners) -> None:
    await asyncio.gather(*(asyncio.wait_for(learner.load(), LOAD_TIMEOUT_MS / 1000) for learner in learners))
    for learner in learners:
        learner.disconnect()
