"""A real JupyterHub on loopback for tests/test_hub.py: the hub, its proxy, the learners' servers and the
teacher's view (deploy/teacher_service.py as a hub-managed service, set up as deploy/z2jh-config.yaml sets it up),
all stopped by PID on exit; and a logged-in requests session, as a browser has after the hub's login form."""
from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import sqlite3
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import psutil
import requests
import yaml

from servers import ARTIFACTS, BIN, ROOT, free_port, wait_http

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
c.SimpleLocalProcessSpawner.home_dir_template = "{homes}/{{username}}"
c.Spawner.cmd = ["{singleuser}"]
c.Spawner.args = {args}
c.Spawner.ip = "127.0.0.1"
c.Spawner.notebook_dir = "{root}"
c.Spawner.default_url = "{default_url}"
c.Spawner.start_timeout = 240
c.Spawner.http_timeout = 240

# The teacher's view as deploy/z2jh-config.yaml sets it up (teacher_view below reads it from there): a
# hub-managed service, the group `teachers`, the roles, and the kernels' TP_RECORD_URL.
c.Spawner.environment = {environment!r}
c.JupyterHub.load_groups = {groups!r}
# and a service token for this test: to read server state (so the servers' PIDs), to make users and tokens
c.JupyterHub.services = {services!r}
c.JupyterHub.load_roles = {roles!r}
"""


Z2JH = yaml.safe_load((ROOT / "deploy" / "z2jh-config.yaml").read_text())


def teacher_view(service_url, class_data, token):
    """deploy/z2jh-config.yaml's teacher's view on this machine: its service (with a local URL, command and
    folder), roles and group (with TEACHER in it), and the kernels' TP_RECORD_URL (to the local service)."""
    hub = Z2JH["hub"]
    service = hub["services"]["teacher"]
    python, script, *options = service["command"]
    assert Path(script).relative_to("/srv/training-playground") == Path("deploy/teacher_service.py")
    assert dict(zip(options[::2], options[1::2])).keys() == {"--class-data", "--ip"}
    record_url = urlparse(Z2JH["singleuser"]["extraEnv"]["TP_RECORD_URL"])
    assert record_url.netloc == urlparse(service["url"]).netloc  # the kernels post to the service itself
    return {
        # and the image's server config (deploy/Dockerfile): voila.json's settings, the kernels on IPC files
        "environment": {"TP_RECORD_URL": service_url + record_url.path, "JUPYTER_CONFIG_PATH": str(ROOT / "deploy")},
        "groups": {name: {**group, "users": [TEACHER]}
                   for name, group in hub["config"]["JupyterHub"]["load_groups"].items()},
        "services": [{**service, "name": "teacher", "url": service_url,
                      "command": [str(BIN / "python"), str(ROOT / script.removeprefix("/srv/training-playground/")),
                                  "--class-data", str(class_data)]},
                     {"name": "tp-test", "api_token": token}],
        "roles": [*({**role, "name": name} for name, role in hub["loadRoles"].items()),
                  {"name": "tp-test", "services": ["tp-test"], "scopes": [
                      "list:users", "read:users", "read:servers", "admin:server_state", "admin:users", "tokens"]}],
    }


def running(proc):
    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def wait_listening(url, proc, timeout):
    """Until something answers HTTP at url, whatever its status (the teacher service answers 403 to strangers)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the hub exited with {proc.returncode}")
        try:
            requests.get(url + SERVICE_PREFIX + "teacher/api/state", timeout=2)
            return
        except requests.ConnectionError:
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer in {timeout} s")


class Hub:
    """JupyterHub in its own process group; on exit every process it started is stopped by PID."""

    def __init__(self, tmp):
        self.tmp = tmp
        self.port, self.hub_port, self.api_port = free_port(), free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.token = secrets.token_hex(16)
        # short: each kernel listens on IPC files in its learner's runtime folder, and a socket's path holds at
        # most 107 bytes (/tmp/tphXXXXXXXX/learner1/.local/share/jupyter/runtime/kernel-<uuid>-ipc-4: 104)
        self.homes = Path(tempfile.mkdtemp(prefix="tph", dir="/tmp"))
        # the teacher's view: its own folder (on Kubernetes its own volume), reached by kernels directly
        self.class_data = tmp / "teacher-view"
        self.service_url = f"http://127.0.0.1:{free_port()}"
        self.teacher_url = f"{self.url}{SERVICE_PREFIX}teacher"
        config = HUB_CONFIG.format(
            port=self.port, hub_port=self.hub_port, api_port=self.api_port, tmp=tmp, homes=self.homes, chp=CHP,
            singleuser=SINGLEUSER, root=ROOT, default_url=DEFAULT_URL,
            args=["--allow-root"] if os.geteuid() == 0 else [],
            **teacher_view(self.service_url, self.class_data, self.token))
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
            wait_listening(self.service_url, self.proc, timeout=90)  # the hub starts its service alongside
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
        """A new hub API token of that user's (the user made if new), as a kernel holds one (JUPYTERHUB_API_TOKEN)."""
        if name not in {u["name"] for u in self.api("/users")}:
            self.api(f"/users/{name}", {})
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
        shutil.rmtree(self.homes, ignore_errors=True)


def hub_login(hub, name):
    """A browser's session on the hub after its login form (DummyAuthenticator: any password)."""
    session = requests.Session()
    form = session.get(f"{hub.url}/hub/login", timeout=60)
    xsrf = re.search(r'name="_xsrf" value="([^"]+)"', form.text).group(1)
    done = session.post(f"{hub.url}/hub/login", data={"username": name, "password": "any", "_xsrf": xsrf},
                        allow_redirects=False, timeout=60)
    assert done.status_code == 302, done.status_code  # logged in (not followed on: that would start a server)
    return session


def seats_of(hub):
    """Every seat the service's SQLite file holds, with its count of runs (read beside the running service)."""
    with sqlite3.connect(f"file:{hub.class_data / 'class.sqlite'}?mode=ro", uri=True) as db:
        return dict(db.execute("SELECT seats.seat, COUNT(runs.id) FROM seats LEFT JOIN runs USING (seat) "
                               "GROUP BY seats.seat"))
