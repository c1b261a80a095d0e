"""A jupyter_client kernel provisioner whose kernels are forked by the zygote (zygote.py), not started afresh.

jupyter_client still writes each kernel's connection file and formats its command line (LocalProvisioner's
pre_launch); the zygote forks a child that runs ipykernel on that file. The kernel is then the zygote's child,
not the server's: poll and wait ask the zygote (which reaps it), signals go to the kernel's own process group.
The kernel spec names this provisioner in metadata.kernel_provisioner (serve.py --fork writes it), and
`register()` makes the name known to jupyter_client without installing a package.
"""
from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from jupyter_client.provisioning import LocalProvisioner
from traitlets import Integer

NAME = "class-zygote"
ONE_THREAD = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")
ZYGOTE = Path(__file__).with_name("zygote.py")
# the zygote's command line leaves this much room for a child's own (zygote.show_as)
ROOM = "--cmdline-room=" + "." * 1000


class Zygote:
    """One zygote process of this server, for one interpreter and environment; started on first use."""

    def __init__(self, python: str, env: dict):
        self.folder = tempfile.mkdtemp(prefix="tp-zygote-")  # 0700: only this user can ask for kernels
        self.socket = os.path.join(self.folder, "zygote.sock")
        # The zygote itself runs one thread whatever the kernels get (`make app` gives them every core): OpenBLAS
        # starts its pool when numpy is imported unless told one thread, and a fork must not copy a running pool.
        # Each child sets torch's threads from its own environment after the fork (zygote.become_kernel).
        env = {**env, **{var: "1" for var in ONE_THREAD}}
        self.process = subprocess.Popen([python, str(ZYGOTE), self.socket, ROOM], env=env, stdin=subprocess.DEVNULL)

    async def ready(self):
        """Wait until it has imported everything and listens (seconds, once); refused if it has exited."""
        while not os.path.exists(self.socket):
            if self.process.poll() is not None:
                raise ConnectionRefusedError(f"the zygote exited with {self.process.returncode} and does not listen")
            await asyncio.sleep(0.1)

    async def ask(self, request: dict) -> dict:
        await self.ready()
        reader, writer = await asyncio.open_unix_connection(self.socket)
        try:
            writer.write(json.dumps(request).encode() + b"\n")
            await writer.drain()
            return json.loads(await reader.readline())
        finally:
            writer.close()

    def stop(self):
        self.process.terminate()
        self.process.wait(10)
        shutil.rmtree(self.folder, ignore_errors=True)  # the zygote removes it itself unless it was killed


_zygotes: dict[str, Zygote] = {}


def zygote_for(python: str, env: dict) -> Zygote:
    """This server's zygote for `python` (a new one if it has exited). Not a coroutine: no other launch can
    run between the check and the start, so the pool's kernels, started together, share one zygote."""
    zygote = _zygotes.get(python)
    if zygote is None or zygote.process.poll() is not None:
        zygote = _zygotes[python] = Zygote(python, env)
    return zygote


def stop_zygotes():
    for zygote in _zygotes.values():
        zygote.stop()
    _zygotes.clear()


def register():
    """Make NAME known to jupyter_client's provisioner factory (an entry point without an installed package)."""
    from importlib.metadata import EntryPoint

    from jupyter_client.provisioning.factory import KernelProvisionerFactory

    KernelProvisionerFactory.instance().provisioners[NAME] = EntryPoint(
        NAME, f"{__name__}:ZygoteProvisioner", "jupyter_client.kernel_provisioners")


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


class ZygoteProvisioner(LocalProvisioner):
    """LocalProvisioner's connection file and command line; the kernel process comes from the zygote."""

    memory = Integer(0, config=True, help="Address-space cap of each kernel in bytes (0: none); set in the child.")
    zygote = None

    @property
    def has_process(self) -> bool:
        return self.pid is not None

    async def launch_kernel(self, cmd: list, **kwargs):
        if cmd[1:3] != ["-m", "ipykernel_launcher"]:
            raise RuntimeError(f"{NAME} forks ipykernel only; the kernel spec runs {cmd[:3]}")
        env = dict(kwargs.get("env") or os.environ)
        self.zygote = zygote_for(cmd[0], {**os.environ, **(self.kernel_spec.env or {})})
        self.cwd = str(kwargs.get("cwd") or os.getcwd())
        reply = await self.zygote.ask({"op": "spawn", "argv": cmd, "env": env, "cwd": self.cwd,
                                       "memory": self.memory})
        self.pid = self.pgid = reply["pid"]  # the child calls setsid(): its own process group
        return self.connection_info

    async def poll(self) -> int | None:
        if self.pid is None:
            return 0
        try:
            return (await self.zygote.ask({"op": "status", "pid": self.pid}))["returncode"]
        except OSError:  # the zygote is gone (the server stopping): the kernel is running while its pid is
            return None if alive(self.pid) else 1

    async def wait(self) -> int | None:
        if self.pid is None:
            return 0
        while (code := await self.poll()) is None:
            await asyncio.sleep(0.1)
        self.pid = None
        return code

    async def send_signal(self, signum: int) -> None:
        if self.pid is None:
            return
        try:
            os.killpg(self.pgid, signum)
        except ProcessLookupError:
            pass  # it has exited: as Popen.send_signal after a wait, nothing to do

    async def kill(self, restart: bool = False) -> None:
        await self.send_signal(signal.SIGKILL)

    async def terminate(self, restart: bool = False) -> None:
        await self.send_signal(signal.SIGTERM)
