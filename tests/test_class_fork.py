"""Kernels forked from the zygote (class/zygote.py through class/zygote_provisioner.py): each is the zygote's
child with the class's cap, one torch thread and torch and numpy seeds of its own; it shares the zygote's pages; it is
seen to die; its runs are bitwise those of a plain process; and a real class server serves a page from one."""
from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from jupyter_core.utils import run_sync

from classroom import class_server
from core import RunConfig, train
from servers import ROOT, command_line, descendant_pids

sys.path.insert(0, str(ROOT / "class"))
import serve  # noqa: E402
import zygote_provisioner  # noqa: E402

pytestmark = pytest.mark.server
CAP = 4 * 1024 ** 3
CONFIG = dict(seed=3, epochs=1, hidden=(32,))  # a small run; RunConfig's defaults for the rest
PROBE = f"""
import os, resource, numpy, torch
from core import RunConfig, train
probe = dict(ppid=os.getppid(), cap=resource.getrlimit(resource.RLIMIT_AS)[0], threads=torch.get_num_threads(),
             draws=(float(numpy.random.random()), torch.initial_seed()), fingerprint=train(RunConfig(**{CONFIG!r})).fingerprint)
"""


def forked_kernel(specs) -> tuple:
    km = KernelManager(kernel_name="python3", kernel_spec_manager=specs)
    km.start_kernel(cwd=str(ROOT))
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=240)
    return km, kc


def evaluate(kc, name: str):
    """The value of `name` in the kernel, after PROBE ran there."""
    reply = kc.execute_interactive(PROBE, timeout=240, output_hook=lambda msg: None)
    assert reply["content"]["status"] == "ok", reply["content"]
    reply = kc.execute_interactive("", user_expressions={"v": name}, timeout=60,
                                   output_hook=lambda msg: None)
    return eval(reply["content"]["user_expressions"]["v"]["data"]["text/plain"])  # noqa: S307 (our own repr)


def private_and_rss(pid: int) -> tuple:
    kb = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value = line.split(":", 1)
        kb[name] = int(value.split()[0])
    return kb["Private_Clean"] + kb["Private_Dirty"], kb["Rss"]


def plain_fingerprint() -> str:
    """The same run in this process (a plain interpreter) with the class kernel's one thread."""
    threads = torch.get_num_threads()
    torch.set_num_threads(serve.DEFAULTS["threads"])
    try:
        return train(RunConfig(**CONFIG)).fingerprint
    finally:
        torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def specs(tmp_path_factory):
    """The class's forked kernel spec; its zygote is stopped after this module's tests."""
    folder = tmp_path_factory.mktemp("fork-kernels")
    serve.write_kernelspec(folder, sys.executable, CAP, serve.DEFAULTS["threads"], fork=True)
    zygote_provisioner.register()
    try:
        yield KernelSpecManager(kernel_dirs=[str(folder)])
    finally:
        zygote_provisioner.stop_zygotes()


@pytest.fixture(scope="module")
def two_kernels(specs):
    kernels = []
    try:
        kernels += [forked_kernel(specs), forked_kernel(specs)]
        yield kernels
    finally:
        for km, kc in kernels:
            kc.stop_channels()
            km.shutdown_kernel(now=True)


def test_the_kernel_spec_names_the_provisioner_and_the_cap_without_prlimit(tmp_path):
    spec = serve.write_kernelspec(tmp_path, "/usr/bin/python3", CAP, 1, fork=True).read_text()
    assert "prlimit" not in spec
    assert '"provisioner_name": "class-zygote"' in spec and f'"memory": {CAP}' in spec
    assert serve.parse_args([]).fork == "on" and serve.parse_args(["--fork=off"]).fork == "off"
    make = subprocess.run(["make", "-n", "class", "FORK=off"], cwd=ROOT, capture_output=True, text=True, check=True)
    assert "--fork=off" in next(line for line in make.stdout.splitlines() if "class/serve.py" in line).split()


def test_a_forked_kernel_is_the_zygotes_child_with_the_cap_one_thread_and_its_own_seeds(two_kernels):
    (km, kc), (_, other) = two_kernels
    zygote = km.provisioner.zygote.process.pid
    probe = evaluate(kc, "probe")
    assert probe["ppid"] == zygote != os.getpid()
    assert probe["cap"] == CAP and probe["threads"] == 1
    assert len(os.listdir(f"/proc/{zygote}/task")) == 1  # nothing ran in a thread in the parent of every fork
    numpy_draw, torch_seed = evaluate(other, "probe")["draws"]
    assert probe["draws"][0] != numpy_draw and probe["draws"][1] != torch_seed  # as two processes started afresh
    assert km.connection_file.encode() in command_line(km.provisioner.pid)  # ps and the tests see the kernel


def test_the_zygote_runs_one_thread_when_the_kernels_get_every_core():
    """`make app` gives its kernels every core (OMP_NUM_THREADS=$(nproc)); the zygote must still start, with one
    thread (numpy's OpenBLAS would otherwise start its pool on import, and the zygote refuses to fork then)."""
    zygote = zygote_provisioner.Zygote(sys.executable, {**os.environ, "OMP_NUM_THREADS": "2",
                                                         "OPENBLAS_NUM_THREADS": "2", "MKL_NUM_THREADS": "2"})
    try:
        asyncio.run(zygote.ready())  # raises when the zygote exited
        assert len(os.listdir(f"/proc/{zygote.process.pid}/task")) == 1
    finally:
        zygote.stop()


def test_a_forked_kernel_shares_the_zygotes_pages(two_kernels):
    (km, kc), _ = two_kernels
    evaluate(kc, "probe")  # torch has trained in it
    private, rss = private_and_rss(km.provisioner.pid)
    assert private < rss / 2  # torch, the app and ipykernel stay the zygote's pages (a fresh kernel: two thirds)


def test_a_forked_kernels_run_is_bitwise_a_plain_process_run(two_kernels):
    (_, kc), _ = two_kernels
    assert evaluate(kc, "probe['fingerprint']") == plain_fingerprint()


def test_a_killed_forked_kernel_is_seen_dead_with_its_signal(specs):
    km, kc = forked_kernel(specs)
    try:
        assert km.is_alive()
        os.kill(km.provisioner.pid, signal.SIGKILL)
        assert run_sync(km.provisioner.wait)() == -signal.SIGKILL  # what the restarter and the watchdog act on
        assert not km.is_alive()
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def parent_of(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def test_a_class_server_serves_a_page_from_a_forked_kernel_and_its_runs_match(tmp_path):
    from bench.class_load import a_class
    from test_class_load import fingerprints_alone

    with class_server(tmp_path, size=1, pool=1, name="class-fork-test") as server:
        (learner,), (error,), _ready, _measured = asyncio.run(a_class(server, 1, run_timeout=120))
        assert error is None
        # the learner's kernel has gone with its page; the pool's next one was forked as it was
        kernels = [pid for pid in descendant_pids(server.proc.pid) if b"ipykernel_launcher" in command_line(pid)]
        assert kernels and all(b"zygote.py" in command_line(parent_of(pid)) for pid in kernels)
    assert [fingerprint for *_, fingerprint in learner.rows] == fingerprints_alone()
