"""Beyond one machine: a real JupyterHub on loopback serves the dashboard to five learners at once.

The hub (JupyterHub from PyPI, configurable-http-proxy from npm in .hub/) runs with the
DummyAuthenticator and SimpleLocalProcessSpawner: each learner logs in through /hub/login, the
hub starts that learner's own `jupyterhub-singleuser` server (Voila is a server extension of it),
and the browser lands on /user/<name>/voila/render/app.ipynb, the same default URL that
deploy/z2jh-config.yaml gives every pod. Five Playwright browser contexts do this concurrently and
each completes a learning-rate run. The hub, the proxy, every single-user server and every kernel
are stopped by PID when the module ends, and the test checks that none is left.

Timings and memory are printed (run pytest with -s to see them); nothing here asserts on them.
"""
from __future__ import annotations

import asyncio
import json
import os
import secrets
import shutil
import subprocess
import time
import urllib.request

import psutil
import pytest
from playwright.async_api import async_playwright

from servers import ARTIFACTS, BIN, CHROMIUM, CHROMIUM_ARGS, ROOT, free_port, wait_http

pytestmark = pytest.mark.browser

USERS = [f"learner{i}" for i in range(1, 6)]
TEACHER = "teacher1"  # in the hub group `teachers`
SERVICE_PREFIX = "/services/teacher/"
DEFAULT_URL = "/voila/render/app.ipynb"
CHP = ROOT / ".hub" / "node_modules" / ".bin" / "configurable-http-proxy"
SINGLEUSER = BIN / "jupyterhub-singleuser"
LOAD_TIMEOUT_MS = 300_000  # hang guards only: five kernels importing torch on two cores
RUN_TIMEOUT_MS = 180_000

HUB_CONFIG = """\
c = get_config()  # noqa
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {port}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {hub_port}
c.JupyterHub.db_url = "sqlite:///{tmp}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = "{tmp}/jupyterhub_cookie_secret"
c.JupyterHub.cleanup_servers = True
c.JupyterHub.cleanup_proxy = True
c.ConfigurableHTTPProxy.command = ["{chp}"]
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{api_port}"
c.ConfigurableHTTPProxy.pid_file = "{tmp}/jupyterhub-proxy.pid"

c.JupyterHub.authenticator_class = "dummy"   # any user name, any password
c.Authenticator.allow_all = True

c.JupyterHub.spawner_class = "simple"        # SimpleLocalProcessSpawner: no system users needed
c.SimpleLocalProcessSpawner.home_dir_template = "{tmp}/home/{{username}}"
c.Spawner.cmd = ["{singleuser}"]
c.Spawner.args = {args}
c.Spawner.ip = "127.0.0.1"
c.Spawner.notebook_dir = "{root}"
c.Spawner.default_url = "{default_url}"
c.Spawner.start_timeout = 240
c.Spawner.http_timeout = 240

# The teacher's view as deploy/z2jh-config.yaml sets it up: a hub-managed service, the group `teachers`,
# the role that lets that group log in to it, the service's own role, and the kernels' TP_RECORD_URL.
c.Spawner.environment = {{"TP_RECORD_URL": "{record_url}"}}
c.JupyterHub.load_groups = {{"teachers": {{"users": ["{teacher}"]}}}}

# A service token for this test to read server state (and so the servers' PIDs) from the REST API, and to
# give users tokens of their own.
c.JupyterHub.services = [
    {{"name": "tp-test", "api_token": "{token}"}},
    {{"name": "teacher", "url": "{service_url}", "oauth_no_confirm": True,
     "command": {service_cmd}}},
]
c.JupyterHub.load_roles = [
    {{"name": "tp-test", "services": ["tp-test"],
     "scopes": ["list:users", "read:users", "read:servers", "admin:server_state", "tokens"]}},
    {{"name": "teacher-view", "groups": ["teachers"], "scopes": ["access:services!service=teacher"]}},
    {{"name": "teacher-service", "services": ["teacher"],
     "scopes": ["read:groups!group=teachers", "list:users", "read:servers"]}},
]
"""


def running(proc):
    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


class Hub:
    """JupyterHub in its own process group; on exit every process it started is stopped by PID."""

    def __init__(self, tmp):
        self.tmp = tmp
        self.port, self.hub_port, self.api_port = free_port(), free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.token = secrets.token_hex(16)
        (tmp / "home").mkdir()
        # the teacher's view: its own folder (on Kubernetes its own volume), reached by kernels directly
        self.class_data = tmp / "teacher-view"
        self.service_url = f"http://127.0.0.1:{free_port()}"
        self.teacher_url = f"{self.url}{SERVICE_PREFIX}teacher"
        service_cmd = [str(BIN / "python"), str(ROOT / "deploy" / "teacher_service.py"),
                       "--class-data", str(self.class_data)]
        config = HUB_CONFIG.format(
            port=self.port, hub_port=self.hub_port, api_port=self.api_port, tmp=tmp, chp=CHP,
            singleuser=SINGLEUSER, root=ROOT, default_url=DEFAULT_URL, token=self.token,
            args=["--allow-root"] if os.geteuid() == 0 else [], teacher=TEACHER,
            service_url=self.service_url, service_cmd=service_cmd,
            record_url=f"{self.service_url}{SERVICE_PREFIX}")
        (tmp / "jupyterhub_config.py").write_text(config)
        ARTIFACTS.mkdir(exist_ok=True)
        self.log_path = ARTIFACTS / "hub.log"

    def __enter__(self):
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen([str(BIN / "jupyterhub"), "-f", str(self.tmp / "jupyterhub_config.py")],
                                     cwd=self.tmp, stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        try:
            wait_http(self.url + "/hub/login", self.proc, timeout=90)
        except Exception:
            self.__exit__()
            raise
        return self

    def api(self, path, data=None):
        req = urllib.request.Request(f"{self.url}/hub/api{path}", headers={"Authorization": f"token {self.token}"},
                                     data=None if data is None else json.dumps(data).encode())
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.load(r)

    def user_token(self, name):
        """A new hub API token of that user's, as a kernel holds one (JUPYTERHUB_API_TOKEN)."""
        return self.api(f"/users/{name}/tokens", {"note": "tp-test"})["token"]

    def family(self):
        """The hub and everything it started: proxy, single-user servers, their kernels."""
        procs = []
        try:
            hub = psutil.Process(self.proc.pid)
            procs = [hub, *hub.children(recursive=True)]
        except psutil.NoSuchProcess:
            pass
        pid_file = self.tmp / "jupyterhub-proxy.pid"
        if pid_file.exists():
            try:
                proxy = psutil.Process(int(pid_file.read_text().strip()))
                procs += [proxy, *proxy.children(recursive=True)]
            except (ValueError, psutil.NoSuchProcess):
                pass
        return {p.pid: p for p in procs}

    def __exit__(self, *exc):
        # Signals go to the processes found here, through psutil, which checks each one is still the
        # process it found (not a new one that reused the PID); never to whole process groups, whose
        # numbers can be reused by another test's server once this hub's processes are gone.
        family = list(self.family().values())
        if self.proc.poll() is None:
            self.proc.terminate()  # the hub stops its servers and the proxy itself
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        _, alive = psutil.wait_procs(family, timeout=10)
        for stop in (psutil.Process.terminate, psutil.Process.kill):
            for p in alive:
                try:
                    stop(p)
                except psutil.NoSuchProcess:
                    pass
            _, alive = psutil.wait_procs(alive, timeout=10)
            if not alive:
                break
        self.log.close()
        self.leftover = [p.pid for p in alive if running(p)]


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
    await page.wait_for_selector(".tp-panel-gpu", timeout=LOAD_TIMEOUT_MS)  # the last panel: page built
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


async def five_learners(hub):
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            return await asyncio.gather(*(learner(browser, hub, n) for n in USERS))
        finally:
            await browser.close()


def test_five_learners_each_get_their_own_dashboard_through_the_hub(hub):
    results = asyncio.run(five_learners(hub))

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
