"""Memory of one learner's kernel after a scripted session: resident memory after every panel once; private memory
(what this learner alone costs) and PSS (its fair share of the pages shared with other kernels) after the
learning-rate lesson, for a kernel started afresh and for one forked from the class server's zygote
(class/zygote.py); and what a class of forked kernels costs in all."""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager, start_new_kernel

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "class"))
import serve  # noqa: E402  (class/serve.py: the class's kernel spec and defaults, written once)
import zygote_provisioner  # noqa: E402
WAIT = """
import time

def wait(p):
    while p.job is not None and p.job.running:
        time.sleep(0.05)
"""
SESSION = WAIT + """
from widgets.shell.app import App
app = App()
panels = {n: app.panel(n) for n in ("lr", "init", "seeds", "train", "losses", "gpu")}

for name, p in panels.items():  # every panel's main button once, as a learner would
    p.root.children  # built
    for button in [b for b in [getattr(p, a, None) for a in ("run", "play")] if b is not None][:1]:
        button.click()
        wait(p)
panels["lr"].finder.click()
panels["init"].train_run()
wait(panels["init"])
panels["seeds"].lab.knobs_button.click()
wait(panels["seeds"])
panels["seeds"].export.button.click()
wait(panels["seeds"])
"""


# the page `?lesson=lr` and what its learner does: the four presets, then the LR finder
LR_LESSON = WAIT + """
from IPython.display import display
from widgets.shell.app import App
app = App()
display(app)
lr = app.panel("lr")
display(lr.root)
lr.run.click()
wait(lr)
lr.finder.click()
wait(lr)
"""


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def smaps_mb(pid: int) -> dict:
    """The kernel's rss, pss and private memory in MB, from /proc/<pid>/smaps_rollup."""
    return rollup_mb(Path(f"/proc/{pid}/smaps_rollup").read_text())


def rollup_mb(text: str) -> dict:
    """rss, pss and private (Private_Clean + Private_Dirty) in MB from the text of an smaps_rollup file."""
    kb = {}
    for line in text.splitlines()[1:]:  # the first line names the address range
        name, value = line.split(":", 1)
        kb[name] = int(value.split()[0])
    return {"rss": kb["Rss"] / 1024, "pss": kb["Pss"] / 1024,
            "private": (kb["Private_Clean"] + kb["Private_Dirty"]) / 1024}


def forked_kernel_specs(folder: Path) -> KernelSpecManager:
    """The kernel spec `make class` writes (forked, its memory cap and threads), in `folder`."""
    serve.write_kernelspec(folder, sys.executable, serve.parse_memory(serve.DEFAULTS["memory"]),
                           serve.DEFAULTS["threads"], fork=True)
    zygote_provisioner.register()
    return KernelSpecManager(kernel_dirs=[str(folder)])


def run_session(kc, session: str):
    reply = kc.execute_interactive(session, timeout=600, output_hook=lambda msg: None)  # errors: in the reply
    if reply["content"]["status"] != "ok":
        raise RuntimeError(f"scripted session failed: {reply['content']}")


def after_session(session: str, measure):
    """`measure(pid)` of a fresh kernel once it has run `session`."""
    km, kc = start_new_kernel(kernel_name="python3", cwd=str(ROOT))
    try:
        run_session(kc, session)
        return measure(km.provisioner.pid)
    finally:
        km.shutdown_kernel(now=True)


def forked_class(n: int, session: str) -> dict:
    """n kernels forked from one zygote, each after `session`: the first one's rss/pss/private MB, and the PSS
    of the zygote and all n kernels together (what they cost in all: each shared page counted once)."""
    with tempfile.TemporaryDirectory() as folder:
        specs, kernels = forked_kernel_specs(Path(folder)), []
        try:
            for _ in range(n):
                km = KernelManager(kernel_name="python3", kernel_spec_manager=specs)
                km.start_kernel(cwd=str(ROOT))
                kc = km.client()
                kc.start_channels()
                kc.wait_for_ready(timeout=300)
                kernels.append((km, kc))
                run_session(kc, session)
            zygote = kernels[0][0].provisioner.zygote.process.pid
            pids = [zygote] + [km.provisioner.pid for km, _ in kernels]
            return {**smaps_mb(pids[1]), "zygote": smaps_mb(zygote),
                    "total_pss": sum(smaps_mb(pid)["pss"] for pid in pids)}
        finally:
            for km, kc in kernels:
                kc.stop_channels()
                km.shutdown_kernel(now=True)
            zygote_provisioner.stop_zygotes()


def kernel_rss_mb() -> float:
    return after_session(SESSION, rss_mb)


def lr_lesson_memory_mb() -> dict:
    """rss, pss and private MB of a kernel started afresh after the learning-rate lesson."""
    return after_session(LR_LESSON, smaps_mb)
