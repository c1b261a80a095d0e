"""The class server's parts without a browser: the kernel spec and Voila settings class/serve.py
writes, a hundred consecutive runs in one memory-capped class kernel (no hooks left, memory flat),
and the TP_MNIST_MIRROR variable a class server (or a test) points MNIST downloads at."""
from __future__ import annotations

import json
import os
import shutil
import sys

import numpy as np
import pytest

from core.data import mnist
from core.engine.errors import ConfigError
from servers import BIN, ROOT
from test_mnist import CLOSED, _write_mnist, local_mirror  # noqa: F401  (local_mirror: a fixture used below)

sys.path.insert(0, str(ROOT / "class"))
import serve  # noqa: E402  (class/serve.py: `class` is a keyword, so it is imported from its folder)

RUNS = 100


# -- class/serve.py --------------------------------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("4G", 4 * 2**30), ("4GiB", 4 * 2**30), ("3.5g", int(3.5 * 2**30)), ("3500M", 3500 * 2**20),
    ("4294967296", 2**32), ("off", 0), ("0", 0), ("none", 0)])
def test_memory_sizes(text, expected):
    assert serve.parse_memory(text) == expected


@pytest.mark.parametrize("text", ["lots", "-1G", "4X", "G"])
def test_bad_memory_sizes_are_refused(text):
    with pytest.raises(ValueError):
        serve.parse_memory(text)


@pytest.mark.skipif(shutil.which("prlimit") is None, reason="prlimit (util-linux) is not installed")
def test_kernel_spec_starts_ipykernel_under_prlimit_with_an_absolute_python(tmp_path):
    python = str(BIN / "python")
    spec = json.loads(serve.write_kernelspec(tmp_path, python, 4 * 2**30, 1).read_text())
    argv = spec["argv"]
    assert os.path.isabs(argv[0]) and os.path.basename(argv[0]) == "prlimit"
    assert argv[1:3] == ["--as=4294967296", "--"]
    assert argv[3] == python and os.path.isabs(argv[3]) and os.access(argv[3], os.X_OK)
    assert argv[4:] == ["-m", "ipykernel_launcher", "-f", "{connection_file}", "--IPKernelApp.capture_fd_output=False"]
    assert spec["env"]["OMP_NUM_THREADS"] == "1" and spec["language"] == "python"
    assert spec["env"]["TP_STDERR"] == "log"  # Python's stderr to the log file, never to the learner's page
    assert spec["env"]["TP_KERNEL_NICE"] == "10"  # the kernel steps back for the server (tests/test_priority.py)
    assert (tmp_path / "python3" / "kernel.json").is_file()  # the name app.ipynb asks for
    assert serve.write_kernelspec(tmp_path, python, 0, 2).read_text().count("prlimit") == 0  # --memory off


def test_voila_gets_the_class_settings(tmp_path):
    args = serve.parse_args(["--size=12", "--pool=3", "--idle-minutes=5", "--port=9999", "--host=0.0.0.0",
                             f"--kernel-dir={tmp_path}", "--", "--Voila.base_url=/class/"])
    argv = serve.voila_argv(args)
    for setting in ("--preheat_kernel=True", "--pool_size=3", "--strip_sources=True", "--show_tracebacks=False",
                    "--MappingKernelManager.allow_tracebacks=False", "--MappingKernelManager.cull_idle_timeout=300",
                    "--MappingKernelManager.cull_connected=False", "--KernelRestarter.restart_limit=0",
                    "--Classroom.class_size=12", "--Classroom.seats_per_client=3",
                    "--Classroom.unconnected_seconds=60", "--Voila.ip=0.0.0.0", "--port=9999", "--Voila.port_retries=0",
                    f"--ClassKernelSpecs.kernel_dirs={tmp_path}", "--ClassKernelSpecs.ensure_native_kernel=False",
                    "--Voila.base_url=/class/"):
        assert setting in argv, setting
    assert 1 <= int(next(a for a in argv if "cull_interval" in a).split("=")[1]) <= 60


def test_the_class_full_page_is_friendly_and_bilingual():
    page = serve.FULL_PAGE.read_text()
    assert "The class is full — try again in a minute." in page and "课堂已满" in page
    assert 'http-equiv="refresh" content="60"' in page
    page = serve.FULL_FOR_YOU_PAGE.read_text()
    assert "The class is full for you" in page and "你的座位已满" in page
    assert 'http-equiv="refresh" content="60"' in page


def test_executor_settings_and_page_headers_are_written_once_in_voila_json(tmp_path, monkeypatch):
    """class/serve.py runs Voila in the repo root, where Voila reads voila.json; the hub image's server
    config takes the same file's executor settings and headers, so no command line repeats them."""
    from traitlets.config.loader import PyFileConfigLoader

    settings = json.loads((ROOT / "voila.json").read_text())
    assert settings["VoilaExecutor"]["iopub_timeout"] == 120
    policy = settings["Voila"]["tornado_settings"]["headers"]["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "https:" not in policy and "*" not in policy
    argv = serve.voila_argv(serve.parse_args([f"--kernel-dir={tmp_path}"]))
    assert not any("VoilaExecutor" in a or "tornado_settings" in a for a in argv)
    monkeypatch.chdir(tmp_path)  # a single-user server starts in the learner's home: voila.json is found anyway
    hub = PyFileConfigLoader("jupyter_server_config.py", path=str(ROOT / "deploy")).load_config()
    assert hub.VoilaExecutor.iopub_timeout == 120 and hub.KernelManager.transport == "ipc"
    assert hub.VoilaConfiguration.file_allowlist == settings["VoilaConfiguration"]["file_allowlist"]
    assert hub.ServerApp.tornado_settings["headers"]["Content-Security-Policy"] == policy


# -- a hundred runs in one class kernel -------------------------------------------------------------
SOAK = r"""
import gc, json, time, weakref
import torch
from core.engine.stats import LayerStats

hooks = []  # (module, hook id) of every forward/backward hook any code registers
for name in ("register_forward_hook", "register_forward_pre_hook", "register_full_backward_hook"):
    def spy(self, *args, _original=getattr(torch.nn.Module, name), **kwargs):
        handle = _original(self, *args, **kwargs)
        hooks.append((weakref.ref(self), handle.id))
        return handle
    setattr(torch.nn.Module, name, spy)

from widgets.shell.app import App
panel = App().panel("lr")
RATES = ("0.05", "0.3", "1e5", "0.01")  # a diverging run among them: it ends early, hooks must still go

def run(i):
    panel.lr_input.value = RATES[i % len(RATES)]
    panel.add.click()
    panel.job.join()
    assert app_status() in ("Ready.",), app_status()

def app_status():
    return panel.status.text

def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024

for i in range(20):  # warm-up: caches, allocator pools, the figure's first traces
    run(i)
gc.collect()
before, started = rss_mb(), time.perf_counter()
registered_before = len(hooks)
for i in range(RUNS):
    run(i)
gc.collect()
after = rss_mb()
left = [(ref(), hid) for ref, hid in hooks if ref() is not None and (
    hid in ref()._forward_hooks or hid in ref()._forward_pre_hooks or hid in ref()._backward_hooks)]
stats_alive = sum(isinstance(o, LayerStats) for o in gc.get_objects())
print(json.dumps({"rss_before": before, "rss_after": after, "seconds": time.perf_counter() - started,
                  "hooks_registered": len(hooks) - registered_before, "hooks_left": len(left),
                  "layer_stats_alive": stats_alive,
                  "global_hooks": len(torch.nn.modules.module._global_forward_hooks)
                                  + len(torch.nn.modules.module._global_backward_hooks),
                  "limit": open("/proc/self/limits").read().split("Max address space")[1].split()[0]}))
"""


def test_a_hundred_runs_in_one_class_kernel_leave_no_hooks_and_flat_memory(tmp_path):
    """The LR panel's custom-curve path a hundred times in one kernel started from the class kernel spec
    (memory cap, one thread), the way a learner's page drives it: widgets in the kernel, runs in a thread."""
    from jupyter_client import KernelManager
    from jupyter_client.kernelspec import KernelSpecManager

    serve.write_kernelspec(tmp_path, str(BIN / "python"), serve.parse_memory("4G"), 1)
    km = KernelManager(kernel_name="python3", kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(tmp_path)]))
    km.start_kernel(cwd=str(ROOT))
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=120)
        out = []
        reply = kc.execute_interactive(SOAK.replace("RUNS", str(RUNS)), timeout=600,
                                       output_hook=lambda m: out.append(m["content"].get("text", ""))
                                       if m["msg_type"] == "stream" else None)
        assert reply["content"]["status"] == "ok", reply["content"]
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    lines = [line for line in "".join(out).splitlines() if line.startswith("{")]
    assert lines, "".join(out)[-2000:]
    result = json.loads(lines[-1])
    growth = result["rss_after"] - result["rss_before"]
    print(f"\n{RUNS} runs in one class kernel in {result['seconds']:.1f} s: resident memory "
          f"{result['rss_before']:.0f} -> {result['rss_after']:.0f} MB ({growth:+.1f} MB); "
          f"hooks registered {result['hooks_registered']}, left {result['hooks_left']}; "
          f"LayerStats alive {result['layer_stats_alive']}")
    if shutil.which("prlimit"):
        assert result["limit"] == str(4 * 2**30)
    assert result["hooks_registered"] >= RUNS  # the spy saw the statistics hooks of every run…
    assert result["hooks_left"] == 0 and result["global_hooks"] == 0  # …and every one was removed
    assert result["layer_stats_alive"] <= 1
    assert growth < 20


# -- TP_MNIST_MIRROR ------------------------------------------------------------------------------
@pytest.fixture
def mirror(local_mirror):
    """A loopback web server whose root holds mnist/ (small MNIST-shaped files), like a classroom mirror."""
    root, url = local_mirror
    return url.rstrip("/"), _write_mnist(root / "mnist")


def test_mnist_mirror_variable_is_read_at_call_time(tmp_path, monkeypatch, mirror):
    url, arrays = mirror
    monkeypatch.delenv("TP_MNIST_MIRROR", raising=False)
    assert mnist.mirrors("mnist") == mnist.MIRRORS["mnist"]  # unset: the public mirrors, as before
    monkeypatch.setenv("TP_MNIST_MIRROR", f"{CLOSED} {url}/")  # a dead mirror first, then a live one
    assert mnist.mirrors("fashion-mnist") == (CLOSED + "fashion-mnist/", f"{url}/fashion-mnist/")
    got = mnist.load_mnist_arrays("mnist", folder=tmp_path / "cache")
    assert np.array_equal(got[0], arrays["train_images"]) and np.array_equal(got[3], arrays["test_labels"])
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == sorted(mnist.FILES.values())


def test_mnist_mirror_on_a_closed_port_is_a_clear_config_error(tmp_path, monkeypatch):
    monkeypatch.setenv("TP_MNIST_MIRROR", CLOSED)
    with pytest.raises(ConfigError, match="MNIST could not be downloaded.*'digits'"):
        mnist.load_mnist_arrays("mnist", folder=tmp_path / "m", timeout=2)
    assert list((tmp_path / "m").iterdir()) == []


def test_the_class_defaults_are_written_once_in_serve_py():
    """`make class` passes only what a teacher sets; every default comes from serve.DEFAULTS (issue 28)."""
    import subprocess

    env = {k: v for k, v in os.environ.items() if k not in ("CLASS_SIZE", "POOL_SIZE", "WARM_STARTS", "IDLE_MINUTES",
                                                              "KERNEL_MEMORY", "KERNEL_THREADS", "UNCONNECTED_SECONDS",
                                                              "SEATS_PER_CLIENT", "HOST", "PORT", "CLASS_DATA", "FORK")}
    line = lambda *extra: next(l for l in subprocess.run(["make", "-n", "class", *extra], cwd=ROOT, env=env,
                                                          capture_output=True, text=True, check=True).stdout.splitlines()
                               if "class/serve.py" in l)
    assert line().split()[2:] == []
    assert line("CLASS_SIZE=12", "HOST=0.0.0.0").split()[2:] == ["--size=12", "--host=0.0.0.0"]
    args = serve.parse_args([])
    pool_is_the_class = {**serve.DEFAULTS, "pool": serve.DEFAULTS["size"]}  # pool None: one warm kernel per seat
    assert {key: getattr(args, key) for key in serve.DEFAULTS} == pool_is_the_class
