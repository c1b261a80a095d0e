"""Resident memory of one learner's kernel after a scripted session that uses every panel once."""
from __future__ import annotations

from pathlib import Path

from jupyter_client.manager import start_new_kernel

ROOT = Path(__file__).resolve().parents[1]
SESSION = """
import time
from widgets.shell.app import App
app = App()
panels = {n: app.panel(n) for n in ("lr", "init", "seeds", "train", "losses", "gpu")}

def wait(p):
    while p.job is not None and p.job.running:
        time.sleep(0.05)

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


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def kernel_rss_mb() -> float:
    km, kc = start_new_kernel(kernel_name="python3", cwd=str(ROOT))
    try:
        reply = kc.execute_interactive(SESSION, timeout=600)
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"scripted session failed: {reply['content']}")
        return rss_mb(km.provisioner.process.pid)
    finally:
        km.shutdown_kernel(now=True)
