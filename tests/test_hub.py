"""Beyond one machine: a real JupyterHub on loopback serves the dashboard to five learners at once.

The hub (JupyterHub from PyPI, configurable-http-proxy from npm in .hub/) runs with the
DummyAuthenticator and SimpleLocalProcessSpawner: each learner logs in through /hub/login, the
hub starts that learner's own `jupyterhub-singleuser` server (Voila is a server extension of it),
and the browser lands on /user/<name>/voila/render/app.ipynb, the same default URL that
deploy/z2jh-config.yaml gives every pod. Five Playwright browser contexts do this concurrently and
each completes a learning-rate run. The hub, the proxy, every single-user server and every kernel
are stopped by PID when the module ends, and the test checks that none is left.

The same hub runs the teacher's view as deploy/z2jh-config.yaml sets it up (a hub-managed service at
/services/teacher/, deploy/teacher_service.py): each learner's kernel posts its runs there with its own hub
token, and the record keeps them under that learner's hub name; a forged token is refused; a teacher in the
group `teachers` logs in through the hub's OAuth and reads the class; a learner gets 403 and nothing else.

Timings and memory are printed (run pytest with -s to see them); nothing here asserts on them.
"""
from __future__ import annotations

import asyncio
import secrets
import shutil
import time
from urllib.parse import urlparse

import psutil
import pytest
import requests
from playwright.async_api import TimeoutError as PageTimeout, async_playwright

from hub_server import (CHP, DEFAULT_URL, LOAD_TIMEOUT_MS, RUN_TIMEOUT_MS, SERVICE_PREFIX, TEACHER, USERS, Hub,
                        hub_login, seats_of)
from servers import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, EVERY_PANEL, PANELS_NOT_BUILT

pytestmark = pytest.mark.browser

@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    assert CHP.exists(), "configurable-http-proxy is missing: run `make hub-deps` (part of `make test`)"
    tmp = tmp_path_factory.mktemp("hub")
    h = Hub(tmp)
    with h:
        yield h
    assert not h.leftover, f"processes left behind: {h.leftover}"
    shutil.rmtree(tmp, ignore_errors=True)


def usage(pid):
    """Resident memory (MB) of a learner's single-user server and of its kernel(s), and CPU seconds used."""
    server = psutil.Process(pid)
    kids = server.children(recursive=True)
    cpu = sum(sum(q.cpu_times()[:2]) for q in [server, *kids])
    return server.memory_info().rss / 2**20, sum(q.memory_info().rss for q in kids) / 2**20, cpu


async def learner(browser, hub, name):
    t0 = time.monotonic()
    ctx = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await ctx.new_page()
    await page.goto(hub.url + "/hub/login", timeout=LOAD_TIMEOUT_MS)
    await page.fill("input[name=username]", name)
    await page.fill("input[name=password]", f"any-password-{name}")
    await page.click("[type=submit]")
    # Hub → spawn-pending → the learner's own server, which redirects to its default URL.
    await page.wait_for_url(f"**/user/{name}{DEFAULT_URL}*", wait_until="commit", timeout=LOAD_TIMEOUT_MS)
    t_spawned = time.monotonic()
    try:  # page built
        await page.wait_for_function(EVERY_PANEL, timeout=LOAD_TIMEOUT_MS, polling=50)
    except PageTimeout as timed_out:  # as servers.wait_for_every_panel says it
        raise AssertionError(f"{name}: not every panel was built: {await page.evaluate(PANELS_NOT_BUILT)}") from timed_out
    await page.wait_for_selector(".tp-panel-lr .js-plotly-plot", timeout=LOAD_TIMEOUT_MS)
    t_ready = time.monotonic()
    await page.click(".tp-panel-lr .tp-run")
    try:
        await page.wait_for_function("() => document.querySelector('.tp-panel-lr .js-plotly-plot')?"
                                     ".data[1].y.length === 154", timeout=RUN_TIMEOUT_MS)
    except Exception as e:  # say what the learner saw, then fail
        await page.screenshot(path=str(ARTIFACTS / f"08-hub-{name}-failed.png"), full_page=True)
        seen = await page.evaluate("""() => ({
            status: document.querySelector('.tp-status')?.innerText,
            runDisabled: document.querySelector('.tp-panel-lr .tp-run')?.disabled,
            lengths: Array.from(document.querySelector('.tp-panel-lr .js-plotly-plot').data)
                          .map(t => (t.y ? t.y.length : 0))})""")
        raise AssertionError(f"{name}: the run did not finish; the page showed {seen}") from e
    t_done = time.monotonic()
    url, body = page.url, await page.inner_text("body")
    await page.locator(".tp-panel-lr").screenshot(path=str(ARTIFACTS / f"08-hub-{name}.png"))
    await ctx.close()
    return {"name": name, "url": url, "traceback": "Traceback" in body,
            "spawn_s": t_spawned - t0, "ready_s": t_ready - t0, "run_s": t_done - t_ready, "total_s": t_done - t0}


async def teacher(browser, hub):
    """The teacher logs in to the hub, opens the teacher's view (the hub's OAuth in between) and waits until it
    shows the five learners, each with a run, each connected (their servers run); what the page showed."""
    ctx = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await ctx.new_page()
    await page.goto(hub.url + "/hub/login", timeout=LOAD_TIMEOUT_MS)
    await page.fill("input[name=username]", TEACHER)
    await page.fill("input[name=password]", "any-password")
    await page.click("[type=submit]")
    await page.wait_for_url("**/hub/**", wait_until="commit", timeout=LOAD_TIMEOUT_MS)
    await page.goto(hub.teacher_url, timeout=LOAD_TIMEOUT_MS)
    # the page polls every second; the kernels post from a background thread once a run is over
    await page.wait_for_function(f"""() => Array.from(document.querySelectorAll('#tp-t-learners tbody tr'))
        .filter(tr => !tr.classList.contains('tp-t-away')).length === {len(USERS)}""", timeout=RUN_TIMEOUT_MS)
    await page.screenshot(path=str(ARTIFACTS / "08-hub-teacher.png"), full_page=True)
    seen = {"url": page.url, "seats": await page.inner_text("#tp-t-seats")}
    await ctx.close()
    return seen


async def five_learners(hub):
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            results = await asyncio.gather(*(learner(browser, hub, n) for n in USERS))
            return results, await teacher(browser, hub)
        finally:
            await browser.close()


def test_five_learners_each_get_their_own_dashboard_through_the_hub(hub):
    results, seen_by_teacher = asyncio.run(five_learners(hub))

    for r in results:
        assert f"/user/{r['name']}{DEFAULT_URL}" in r["url"], r
        assert not r["traceback"], r["name"]

    # The hub really runs one server per learner, each its own process (server + kernel).
    users = {u["name"]: u for u in hub.api("/users")}
    pids = {}
    for name in USERS:
        server = users[name]["servers"][""]
        assert server["ready"], name
        assert server["url"] == f"/user/{name}/", server
        pids[name] = server["state"]["pid"]
    assert len(set(pids.values())) == len(USERS)

    # Each kernel posted its runs to the teacher's view with its own hub token: kept under its user's name.
    runs = seats_of(hub)
    assert all(runs.get(name, 0) >= 1 for name in USERS), runs
    assert seen_by_teacher["url"] == hub.teacher_url
    assert f"{len(USERS)} of" in seen_by_teacher["seats"], seen_by_teacher
    use = {name: usage(pid) for name, pid in pids.items()}

    print("\nJupyterHub, five learners at once (login → dashboard → one learning-rate run):")
    for r in sorted(results, key=lambda r: r["name"]):
        print(f"  {r['name']}: spawned {r['spawn_s']:5.1f} s, dashboard ready {r['ready_s']:5.1f} s, "
              f"run {r['run_s']:5.1f} s, total {r['total_s']:5.1f} s")
    slowest = max(results, key=lambda r: r["total_s"])
    print(f"  slowest learner: {slowest['name']}, {slowest['total_s']:.1f} s from login page to a finished run")
    server, kernel, cpu = (max(u[i] for u in use.values()) for i in range(3))
    print(f"  per learner, largest of five: single-user server RSS {server:.0f} MB, kernel RSS {kernel:.0f} MB, "
          f"together {max(u[0] + u[1] for u in use.values()):.0f} MB; CPU used {cpu:.1f} s (server + kernel)")


# -- the teacher's view: the hub-managed service of deploy/teacher_service.py ---------------------------------

RUN = {"lesson": "lr", "config": {"lr": 0.1, "seed": 42}, "seed": 42, "regime": "good",
       "final_loss": 0.3, "accuracy": 0.9, "fingerprint": "ab12", "seconds": 1.5}


def post_run(hub, token):
    return requests.post(f"{hub.service_url}{SERVICE_PREFIX}class/record", json={"kind": "run", "record": RUN},
                         headers={"Authorization": f"token {token}"} if token else {}, timeout=60)


def test_a_post_with_a_users_hub_token_is_stored_under_that_user_and_a_forged_one_is_refused(hub):
    name = "learner-token"
    token = hub.user_token(name)
    assert post_run(hub, token).status_code == 204
    assert seats_of(hub)[name] == 1

    before = seats_of(hub)
    for forged in (token[:-4] + "0000", secrets.token_hex(16), hub.token, None):  # wrong, made up, a service's
        refused = post_run(hub, forged)
        assert (refused.status_code, refused.content) == (403, b"")
    assert seats_of(hub) == before


def test_a_teacher_in_the_group_sees_the_class_through_the_hubs_oauth(hub):
    browser = hub_login(hub, TEACHER)
    page = browser.get(hub.teacher_url, timeout=60)  # → the hub's OAuth → the service's callback → the page
    hops = [r.url for r in page.history]
    assert any("/hub/api/oauth2/authorize" in url for url in hops), hops
    assert any(f"{SERVICE_PREFIX}oauth_callback" in url for url in hops), hops
    assert (page.status_code, page.url) == (200, hub.teacher_url)
    assert "<html" in page.text.lower()

    menu = browser.get(hub.url + SERVICE_PREFIX, timeout=60)  # where the hub's Services menu links
    assert (menu.status_code, menu.url) == (200, hub.teacher_url)
    state = browser.get(hub.teacher_url + "/api/state", timeout=60)
    assert state.status_code == 200
    assert state.json()["schema"] == 1
    # the same API with the teacher's own hub token (a script), and without any login: 403 and nothing else
    token = hub.user_token(TEACHER)
    assert requests.get(hub.teacher_url + "/api/state", headers={"Authorization": f"token {token}"},
                        timeout=60).json()["schema"] == 1
    stranger = requests.get(hub.teacher_url + "/api/state", timeout=60)
    assert (stranger.status_code, stranger.content) == (403, b"")

    # a login cookie the service cannot read (made up, or signed before a restart): the page logs in again
    again = hub_login(hub, TEACHER)
    again.cookies.set("service-teacher", "made-up", domain=urlparse(hub.url).hostname, path=SERVICE_PREFIX)
    assert again.get(hub.teacher_url + "/api/state", timeout=60).status_code == 403
    page = again.get(hub.teacher_url, timeout=60)
    assert any("/hub/api/oauth2/authorize" in r.url for r in page.history)
    assert (page.status_code, page.url) == (200, hub.teacher_url)


def test_a_learner_not_in_the_group_gets_403_and_nothing_else(hub):
    learner = USERS[0]
    browser = hub_login(hub, learner)
    page = browser.get(hub.teacher_url, timeout=60)  # the hub refuses the OAuth: only `teachers` may log in here
    assert page.status_code == 403
    assert '"schema"' not in page.text and "learners" not in page.text
    for path in ("/api/state", "/api/record.csv"):
        refused = browser.get(hub.teacher_url + path, timeout=60)
        assert (refused.status_code, refused.content) == (403, b""), path
    # the learner's own hub token (what their kernel holds) is a real login: the service's group check refuses it
    token = hub.user_token(learner)
    for path in ("", "/api/state", "/api/record.csv"):
        refused = requests.get(hub.teacher_url + path, headers={"Authorization": f"token {token}"}, timeout=60)
        assert (refused.status_code, refused.content) == (403, b""), path
    refused = requests.post(hub.teacher_url + "/api/new-class", headers={"Authorization": f"token {token}"},
                            timeout=60)
    assert (refused.status_code, refused.content) == (403, b"")


def test_new_class_needs_the_teachers_login_and_a_request_from_the_page_itself(hub):
    assert post_run(hub, hub.user_token("learner-before-new-class")).status_code == 204
    browser = hub_login(hub, TEACHER)
    assert browser.get(hub.teacher_url + "/api/state", timeout=60).status_code == 403  # not yet logged in here
    assert browser.get(hub.teacher_url, timeout=60).history  # the OAuth login
    new_class = hub.teacher_url + "/api/new-class"
    # the login cookie goes along with any request the browser makes, another site's form's too: refused
    for elsewhere in ({}, {"Origin": "http://elsewhere.example"}, {"Sec-Fetch-Site": "cross-site"}):
        refused = browser.post(new_class, headers=elsewhere, timeout=60)
        assert (refused.status_code, refused.content) == (403, b""), elsewhere
    assert "learner-before-new-class" in seats_of(hub)  # nothing archived

    done = browser.post(new_class, headers={"Origin": hub.url}, timeout=60)
    assert done.status_code == 200
    assert (hub.class_data / done.json()["archived"]).exists()
    assert seats_of(hub) == {}
