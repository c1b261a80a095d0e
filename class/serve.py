"""Serve the dashboard to a class on one machine (`make class` runs this).

Voila with, in one place:
- a pool of preheated kernels (the first learners get a page that has already run);
- idle culling: a kernel whose tab is gone (closed without saying goodbye, laptop asleep, network
  lost) is shut down after --idle-minutes; a kernel with an open tab is never culled;
- a memory cap per kernel: a generated kernel spec starts ipykernel under `prlimit --as=…` with
  this interpreter's absolute path, and one thread per kernel so thirty kernels share the cores;
- sources stripped, tracebacks hidden (in the page and in kernel messages);
- a friendly "the class is full" page (HTTP 503, Retry-After) once --size learners hold kernels;
- a kernel that dies is not restarted behind the page's back: the page says so (watchdog.html) and a
  reload gives a fresh kernel.

Voila itself forwards only widget/comm, kernel_info and shutdown messages from a page to its
kernel (its `allowed_message_types`), so nothing a learner sends is run as code.

    .venv/bin/python class/serve.py --size 30 --pool 4 --idle-minutes 10 --memory 4G --host 0.0.0.0
    .venv/bin/python class/serve.py --print-argv     # show the Voila command line it would run

Arguments after `--` go to Voila unchanged.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
FULL_PAGE = HERE / "full.html"
WATCHDOG = HERE / "watchdog.html"
UNITS = {"": 1, "K": 1024, "M": 1024 ** 2, "G": 1024 ** 3, "T": 1024 ** 4}


def parse_memory(text: str) -> int:
    """'4G', '3.5G', '4096M', '4294967296' -> bytes; '0', 'off', 'none' -> 0 (no cap)."""
    raw = str(text).strip().upper().removesuffix("B").removesuffix("I")  # 4GiB, 4GB, 4G all mean GiB
    if raw in ("0", "OFF", "NONE", ""):
        return 0
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([KMGT]?)", raw)
    if not match:
        raise ValueError(f"memory must look like 4G, 3500M or off, not {text!r}")
    return int(float(match.group(1)) * UNITS[match.group(2)])


def kernel_argv(python: str, memory: int) -> list:
    """The kernel command: ipykernel under `prlimit --as` (when a cap is set and prlimit exists)."""
    argv = [python, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    if memory:
        prlimit = shutil.which("prlimit")
        if prlimit is None:
            print("class: prlimit not found (util-linux); kernels run WITHOUT a memory cap.", file=sys.stderr)
        else:
            argv = [prlimit, f"--as={memory}", "--", *argv]
    return argv


def write_kernelspec(folder: Path, python: str, memory: int, threads: int, name: str = "python3") -> Path:
    """Write folder/<name>/kernel.json; `name` matches app.ipynb's kernel, so Voila starts this one."""
    spec_dir = Path(folder) / name
    spec_dir.mkdir(parents=True, exist_ok=True)
    cap = f"{memory / 1024 ** 3:.3g} GiB address space" if memory else "no memory cap"
    spec = {
        "argv": kernel_argv(python, memory),
        "display_name": f"Python 3 (class: {cap}, {threads} thread{'s' * (threads != 1)})",
        "language": "python",
        "env": {var: str(threads) for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")},
        "metadata": {"debugger": False},
    }
    path = spec_dir / "kernel.json"
    path.write_text(json.dumps(spec, indent=1) + "\n")
    return path


def voila_argv(args) -> list:
    """Voila's command line for these knobs (also printed at start, so a teacher sees what runs)."""
    idle = int(round(args.idle_seconds if args.idle_seconds is not None else args.idle_minutes * 60))
    interval = max(1, min(60, idle // 4 or 1))  # look often enough that a gone tab is culled near `idle`
    return [
        args.notebook, "--no-browser", f"--Voila.ip={args.host}", f"--port={args.port}", "--Voila.port_retries=0",
        "--preheat_kernel=True", f"--pool_size={args.pool}",
        "--strip_sources=True", "--show_tracebacks=False",
        # With thirty kernels starting at once, a cell's widget output can arrive after nbclient's default
        # 4 s; it would then be dropped and that learner would see a page without its panels.
        "--VoilaExecutor.iopub_timeout=120",
        "--MappingKernelManager.allow_tracebacks=False",
        f"--MappingKernelManager.cull_idle_timeout={idle}",
        f"--MappingKernelManager.cull_interval={interval}",
        "--MappingKernelManager.cull_connected=False",  # an open tab keeps its kernel; a gone one is culled
        "--MappingKernelManager.cull_busy=False",
        # A kernel that dies is not restarted: a restarted Voila kernel is bare (no widgets behind the page).
        # It is removed instead, and the page's watchdog (watchdog.html) tells the learner to reload.
        "--KernelRestarter.restart_limit=0",
        f"--ClassKernelSpecs.kernel_dirs={Path(args.kernel_dir).absolute()}",
        "--ClassKernelSpecs.ensure_native_kernel=False",  # only the capped kernel spec can start
        f"--Classroom.class_size={args.size}",
        *args.voila_args,
    ]


def make_app():
    """The Voila subclass: its notebook handler shows full.html when the class is full (imported late:
    --print-argv and the kernel-spec helpers work without Voila)."""
    import tornado.web
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_server._tz import utcnow
    from traitlets import Integer, List, Unicode
    from voila.app import Voila
    from voila.tornado.handler import TornadoVoilaHandler

    class ClassHandler(TornadoVoilaHandler):
        admitting = 0  # pages let in whose kernel is not yet started or taken from the pool

        def learners(self) -> int:
            """Seats taken: running kernels handed to a page (not those waiting in the pool), plus pages
            being let in right now."""
            km = self.kernel_manager
            km.learner_kernels &= set(km.list_kernel_ids())  # forget kernels culled, closed or dead
            return len(km.learner_kernels) + ClassHandler.admitting

        @tornado.web.authenticated
        async def get(self, path=None):
            if path:  # not the dashboard itself: Voila redirects to the file
                return await super().get(path)
            taken, size = self.learners(), self.settings["voila"].class_size
            self.settings["voila"].log.info("class: %d of %d seats taken", taken, size)
            if taken >= size:
                self.settings["voila"].log.warning("class: full; sent the 'class is full' page")
                self.set_status(503)
                self.set_header("Retry-After", "60")
                self.set_header("Cache-Control", "no-store")
                self.set_header("Content-Type", "text/html; charset=utf-8")
                return self.finish(FULL_PAGE.read_bytes())
            # Sets the _xsrf cookie. The page's "close tab -> shut my kernel down" beacon sends it back;
            # stock Voila never sets it, so that beacon gets a 403 and a closed tab's kernel lingers until
            # culled (voila-dashboards/voila#1458).
            self.xsrf_token  # noqa: B018 (a property with a side effect)
            ClassHandler.admitting += 1
            admitting = True
            try:
                async for html in self.get_generator(path=path):
                    if admitting:  # the first piece comes once this page's kernel is in learner_kernels
                        ClassHandler.admitting -= 1
                        admitting = False
                    self.write(html)
                    self.flush()
                self.write(WATCHDOG.read_text())  # after </html>: browsers still run it, in <body>
            finally:
                ClassHandler.admitting -= admitting

    class ClassKernelSpecs(KernelSpecManager):
        kernel_dirs = List(Unicode(), config=True, help="Only these folders (KernelSpecManager's is not configurable).")

    class Classroom(Voila):
        class_size = Integer(30, config=True, help="Learners served at once; more get the 'class is full' page.")
        classes = [*Voila.classes, ClassKernelSpecs]

        def initialize(self, argv=None):
            super().initialize(argv)
            self.voila_configuration.kernel_spec_manager_class = ClassKernelSpecs

        def init_settings(self):
            settings = super().init_settings()
            km = self.kernel_manager
            km.learner_kernels = set()  # the kernels handed to a page: the class's seats
            take = getattr(km, "get_rendered_notebook", None)  # only with a preheated pool
            start = km.start_kernel  # the page handler's own start (the pool fills through the class)

            async def take_from_pool(*args, **kwargs):
                task, cache, kernel_id = await take(*args, **kwargs)
                km.learner_kernels.add(kernel_id)
                # A pooled kernel's idle clock ran while it waited; restart it when a learner takes it,
                # or the culler could shut it down before the page's websocket connects.
                km.get_kernel(kernel_id).last_activity = utcnow()
                return task, cache, kernel_id

            async def start_for_a_page(*args, **kwargs):
                kernel_id = await start(*args, **kwargs)
                km.learner_kernels.add(kernel_id)
                return kernel_id

            if take is not None:
                km.get_rendered_notebook = take_from_pool
            km.start_kernel = start_for_a_page
            return settings

        def init_handlers(self):
            return [(route, ClassHandler if handler is TornadoVoilaHandler else handler, *rest)
                    for route, handler, *rest in super().init_handlers()]

    return Classroom


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--size", type=int, default=30, help="learners at once (default 30)")
    p.add_argument("--pool", type=int, default=4, help="preheated kernels kept ready (default 4)")
    p.add_argument("--idle-minutes", type=float, default=10, help="cull a tab-less kernel after this (default 10)")
    p.add_argument("--idle-seconds", type=float, default=None, help="the same in seconds (tests)")
    p.add_argument("--memory", default="4G", help="address-space cap per kernel, e.g. 4G; 'off' for none")
    p.add_argument("--threads", type=int, default=1, help="torch/BLAS threads per kernel (default 1)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8866)
    p.add_argument("--notebook", default=str(ROOT / "app.ipynb"))
    p.add_argument("--kernel-dir", default=str(HERE / "kernels"), help="where the kernel spec is written")
    p.add_argument("--python", default=os.path.abspath(sys.executable),
                   help="the kernel's interpreter (absolute; default: this one)")
    p.add_argument("--print-argv", action="store_true", help="print Voila's arguments and exit")
    p.add_argument("voila_args", nargs="*", help="extra Voila arguments, after --")
    args = p.parse_args(argv)
    if args.size < 1 or args.pool < 0 or args.threads < 1:
        p.error("--size and --threads must be at least 1, --pool at least 0")
    if (args.idle_seconds if args.idle_seconds is not None else args.idle_minutes * 60) < 1:
        p.error("the idle time must be at least a second")
    try:
        args.memory_bytes = parse_memory(args.memory)
    except ValueError as exc:
        p.error(str(exc))
    if not os.path.isabs(args.python):
        p.error("--python must be an absolute path")
    return args


def main(argv=None):
    args = parse_args(argv)
    argv = voila_argv(args)
    if args.print_argv:
        print(json.dumps(argv, indent=1))
        return
    spec = write_kernelspec(Path(args.kernel_dir), args.python, args.memory_bytes, args.threads)
    print(f"class: kernel spec {spec}: {' '.join(json.loads(spec.read_text())['argv'])}", flush=True)
    print("class: voila " + " ".join(argv), flush=True)
    os.chdir(ROOT)  # the notebook imports core/ and widgets/ from its folder
    make_app().launch_instance(argv)


if __name__ == "__main__":
    main()
