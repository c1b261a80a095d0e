"""Memory of one learner's kernel after a scripted session: resident memory after every panel once; private memory
(what this learner alone costs) and PSS (its fair share of the pages shared with other kernels) after the
learning-rate lesson."""
from __future__ import annotations

from pathlib import Path

from jupyter_client.manager import start_new_kernel

ROOT = Path(__file__).resolve().parents[1]
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


def after_session(session: str, measure):
    """`measure(pid)` of a fresh kernel once it has run `session`."""
    km, kc = start_new_kernel(kernel_name="python3", cwd=str(ROOT))
    try:
        reply = kc.execute_interactive(session, timeout=600, output_hook=lambda msg: None)  # errors: in the reply
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"scripted session failed: {reply['content']}")
        return measure(km.provisioner.process.pid)
    finally:
        km.shutdown_kernel(now=True)


def kernel_rss_mb() -> float:
    return after_session(SESSION, rss_mb)


def lr_lesson_memory_mb() -> dict:
    """rss, pss and private MB of a kernel after the learning-rate lesson."""
    return after_session(LR_LESSON, smaps_mb)
