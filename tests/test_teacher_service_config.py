"""The teacher's view's deployment files agree with each other and with the service (no cluster needed).

tests/test_hub.py runs the service on a real local hub from deploy/z2jh-config.yaml's roles, group and service;
what only Kubernetes would read (ports, volumes, network policies, the hub image) is checked here.
"""
from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import yaml

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
VALUES = yaml.safe_load((DEPLOY / "z2jh-config.yaml").read_text())
SERVICE = VALUES["hub"]["services"]["teacher"]


def command_options() -> dict:
    return dict(zip(SERVICE["command"][2::2], SERVICE["command"][3::2]))


def test_the_service_port_is_the_same_on_the_hubs_service_its_network_policy_and_the_proxys():
    port = urlparse(SERVICE["url"]).port
    assert urlparse(SERVICE["url"]).hostname == "hub"  # the chart's Service in front of the hub pod
    assert command_options()["--ip"] == "0.0.0.0"  # the pod cannot bind the Service's address
    assert [(p["port"], p["targetPort"]) for p in VALUES["hub"]["service"]["extraPorts"]] == [(port, port)]
    assert [p["port"] for rule in VALUES["hub"]["networkPolicy"]["ingress"] for p in rule["ports"]] == [port]
    egress = VALUES["proxy"]["chp"]["networkPolicy"]["egress"]
    assert [p["port"] for rule in egress for p in rule["ports"]] == [port]
    assert all(to["podSelector"]["matchLabels"]["component"] == "hub" for rule in egress for to in rule["to"])


def test_kernels_post_to_the_services_record_route(monkeypatch):
    record_url = urlparse(VALUES["singleuser"]["extraEnv"]["TP_RECORD_URL"])
    assert record_url.netloc == urlparse(SERVICE["url"]).netloc
    assert record_url.path == "/services/teacher/class/record"  # the hub's prefix for a service named teacher
    monkeypatch.setattr(sys, "path", [str(ROOT / "class"), *sys.path])  # restored after the test
    import record_handlers
    assert record_url.path in [pattern for pattern, *_ in record_handlers.record_routes("/services/teacher/", set,
                                                                                          None, None)]


def test_the_record_lives_on_its_own_volume_mounted_where_the_service_keeps_it():
    pvc = yaml.safe_load((DEPLOY / "teacher-view-pvc.yaml").read_text())
    (volume,) = VALUES["hub"]["extraVolumes"]
    (mount,) = VALUES["hub"]["extraVolumeMounts"]
    assert volume["persistentVolumeClaim"]["claimName"] == pvc["metadata"]["name"]
    assert pvc["spec"]["accessModes"] == ["ReadWriteOnce"]  # SQLite's WAL needs a local file system's locks
    assert mount["name"] == volume["name"]
    assert command_options()["--class-data"] == mount["mountPath"]


def test_the_roles_name_the_service_and_the_group_it_checks(monkeypatch):
    monkeypatch.setattr(sys, "path", [str(DEPLOY), *sys.path])  # with what teacher_service adds: restored after
    from teacher_service import TEACHERS_GROUP
    roles = VALUES["hub"]["loadRoles"]
    assert TEACHERS_GROUP in VALUES["hub"]["config"]["JupyterHub"]["load_groups"]
    assert roles["teacher-view"] == {**roles["teacher-view"], "groups": [TEACHERS_GROUP],
                                     "scopes": ["access:services!service=teacher"]}
    assert roles["teacher-service"]["services"] == ["teacher"]
    assert f"read:groups!group={TEACHERS_GROUP}" in roles["teacher-service"]["scopes"]
    assert not any(scope.startswith("admin") for scope in roles["teacher-service"]["scopes"])


def load_catalogue(folder):
    """class/record_summary.load_catalogue, as the class server reads the exercises' texts."""
    spec = importlib.util.spec_from_file_location("record_summary_for_test", ROOT / "class" / "record_summary.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.load_catalogue(folder)


def copied_by(dockerfile: Path) -> list[str]:
    return [source for line in dockerfile.read_text().splitlines()
            for source in re.findall(r"^COPY (\S+) ", line)]


def test_the_hub_image_holds_what_the_service_needs_and_no_torch(tmp_path):
    """Only what deploy/Dockerfile.hub copies, in a folder of its own: the service starts, renders the page in
    both languages and finds its static files, and never imports torch or the dashboard's widgets."""
    sources = copied_by(DEPLOY / "Dockerfile.hub")
    allowed = {line[1:] for line in (DEPLOY / "Dockerfile.hub.dockerignore").read_text().splitlines()
               if line.startswith("!")}
    assert set(sources) <= allowed, set(sources) - allowed  # what the build context sends
    image = tmp_path / "srv"
    for source in sources:
        target = image / source
        target.parent.mkdir(parents=True, exist_ok=True)
        if (ROOT / source).is_dir():
            shutil.copytree(ROOT / source, target, ignore=shutil.ignore_patterns("__pycache__", "kernels"))
        else:
            shutil.copy(ROOT / source, target)
    script = """
import json, sys
import teacher_service, teacher_page, record_handlers
app = teacher_service.make_app(teacher_service.Path(sys.stdin.readline().strip()))
pages = [teacher_page.render("/services/teacher/teacher", lang) for lang in ("en", "zh")]
static = {name: where().is_file() for name, (where, _) in record_handlers.STATIC.items()}
print(json.dumps({"langs": [p.split('lang="')[1][:2] for p in pages], "static": static,
                  "exercises": len(app.record.catalogue),
                  "heavy": sorted(m for m in ("torch", "ipywidgets", "core", "widgets") if m in sys.modules)}))
"""
    env = {"JUPYTERHUB_API_TOKEN": "t", "JUPYTERHUB_CLIENT_ID": "service-teacher", "PATH": "/usr/bin:/bin",
           "JUPYTERHUB_SERVICE_PREFIX": "/services/teacher/", "JUPYTERHUB_API_URL": "http://127.0.0.1:1/hub/api"}
    done = subprocess.run([sys.executable, "-c", script], input=str(tmp_path / "data") + "\n", cwd=image / "deploy",
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen == {"langs": ["en", "zh"], "static": {name: True for name in seen["static"]}, "heavy": [],
                    "exercises": len(load_catalogue(ROOT / "exercises"))}  # every exercise's texts, as in the repo
    assert seen["exercises"] > 0
    assert set(seen["static"]) >= {"teacher.js", "teacher.css", "plotly.min.js"}
    assert (tmp_path / "data" / "class.sqlite").exists()
