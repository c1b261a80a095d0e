"""Serve the dashboard to a class on one machine (`make class` runs this).

Voila with, in one place:
- a warm pool (warm_pool.py): by default one preheated kernel per seat, started before the bell, so every
  learner gets a page that has already run; the pool never holds more than the class, and the server logs
  "class: N seats ready in S s" once they have;
- idle culling: a kernel whose tab is gone (closed without saying goodbye, laptop asleep, network
  lost) is shut down after --idle-minutes, even when busy or still sending a run's plot updates; a kernel
  with an open tab is never culled;
- Voila's query socket and page handler replaced by page_handlers.py's (only this server's kernels may
  wait for their page's query; only the app's own template is served);
- a memory cap per kernel: a generated kernel spec starts ipykernel under `prlimit --as=…` with
  this interpreter's absolute path, and one thread per kernel so thirty kernels share the cores;
- with --fork=on (the default), kernels forked from one warmed parent (zygote.py, zygote_provisioner.py): ready
  in about a second, and sharing torch's and the app's memory; the cap is then set in each child;
- sources stripped, tracebacks hidden (in the page and in kernel messages);
- a friendly "the class is full" page (HTTP 503, Retry-After) once --size learners hold kernels, and a
  "the class is full for you" page once one address holds --seats-per-client of them;
- an early cull for a kernel whose page never opened its websocket within --unconnected-seconds (a plain
  GET of the page, a script, a tab closed while loading), so such requests cannot hold seats for the idle cull's minutes;
- a kernel that dies is not restarted behind the page's back: the page says so (watchdog.html) and a
  reload gives a fresh kernel;
- the class record (record.py, in --data) and the teacher's page at /teacher behind a token printed at start
  (record_handlers.py); each kernel posts its learner's answers and runs with a key of its own
  (record_local.py says how no page can post for another seat). --no-record leaves both out.

Voila itself forwards only widget/comm, kernel_info and shutdown messages from a page to its
kernel (its `allowed_message_types`), so nothing a learner sends is run as code.

    .venv/bin/python class/serve.py --size 30 --idle-minutes 10 --memory 4G --host 0.0.0.0   # pool: 30
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
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
FULL_PAGE = HERE / "full.html"  # served by page_handlers.py; named here for the tests of the pages themselves
FULL_FOR_YOU_PAGE = HERE / "full-for-you.html"
PROVISIONER = "class-zygote"  # zygote_provisioner.NAME (not imported here: --print-argv works without jupyter_client)
# A class kernel's nice value (TP_KERNEL_NICE): thirty kernels at 10 weigh 30 × 110 against the server's 1024, so the
# server gets about a quarter of the CPU whenever it has messages to relay (docs/performance.md, "The server first").
KERNEL_NICE = 10
UNITS = {"": 1, "K": 1024, "M": 1024 ** 2, "G": 1024 ** 3, "T": 1024 ** 4}
# The class server's settings when none is given: written here only (the Makefile passes only what a
# teacher sets; --help and the docs show these).
# pool None: as many preheated kernels as the class has seats (a warm class); warm_starts: kernels started at a
# time while the pool fills (docs/warm.md has the figures behind it).
DEFAULTS = {"size": 30, "pool": None, "warm_starts": 0, "idle_minutes": 10, "unconnected_seconds": 60,
            "seats_per_client": 3, "memory": "4G", "threads": 1, "fork": "on", "host": "127.0.0.1", "port": 8866,
            "data": str(HERE / "data")}


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
    # C-level output (torch's, a crashing extension's) goes to the server's log, not over the websocket.
    argv = [python, "-m", "ipykernel_launcher", "-f", "{connection_file}", "--IPKernelApp.capture_fd_output=False"]
    if memory:
        prlimit = shutil.which("prlimit")
        if prlimit is None:
            print("class: prlimit not found (util-linux); kernels run WITHOUT a memory cap.", file=sys.stderr)
        else:
            argv = [prlimit, f"--as={memory}", "--", *argv]
    return argv


def write_kernelspec(folder: Path, python: str, memory: int, threads: int, name: str = "python3",
                     fork: bool = False) -> Path:
    """Write folder/<name>/kernel.json; `name` matches app.ipynb's kernel, so Voila starts this one. With
    `fork`, the zygote forks each kernel (zygote_provisioner.py) and caps it itself, without prlimit."""
    spec_dir = Path(folder) / name
    spec_dir.mkdir(parents=True, exist_ok=True)
    cap = f"{memory / 1024 ** 3:.3g} GiB address space" if memory else "no memory cap"
    spec = {
        "argv": kernel_argv(python, 0 if fork else memory),
        "display_name": f"Python 3 (class: {cap}, {threads} thread{'s' * (threads != 1)})",
        "language": "python",
        # TP_STDERR=log: what Python writes to stderr goes to the app's log file (widgets/shell/status.py), not the page.
        # TP_KERNEL_NICE: the kernel lowers its priority (widgets/shell/priority.py), so the server relays first.
        # MALLOC_ARENA_MAX=2: glibc gives each thread that allocates (every run's thread) an arena of its own and
        # keeps what it held; two arenas keep a kernel at 310 MB after a learning-rate run instead of 356 MB.
        "env": {**{var: str(threads) for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")},
                "TP_STDERR": "log", "MALLOC_ARENA_MAX": "2", "TP_KERNEL_NICE": str(KERNEL_NICE)},
        "metadata": {"debugger": False},
    }
    if fork:
        spec["display_name"] += ", forked"
        spec["metadata"]["kernel_provisioner"] = {"provisioner_name": PROVISIONER, "config": {"memory": memory}}
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
        f"--Classroom.warm_starts={args.warm_starts}",
        f"--Classroom.seats_per_client={args.seats_per_client}",
        f"--Classroom.unconnected_seconds={args.unconnected_seconds:g}",
        f"--Classroom.gone_seconds={idle}",
        f"--Classroom.record_data={'' if args.no_record else Path(args.data).absolute()}",
        *args.voila_args,
    ]


def make_app():
    """The Voila subclass (imported late: --print-argv and the kernel-spec helpers work without Voila)."""
    import tornado.ioloop
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_server._tz import utcnow
    from jupyter_server.services.kernels.kernelmanager import ServerKernelManager
    from traitlets import Float, Integer, List, Unicode

    from record_server import RecordServer
    import voila.app
    from voila.app import Voila
    from voila.request_info_handler import RequestInfoSocketHandler
    from voila.tornado.handler import TornadoVoilaHandler

    from page_handlers import ClassHandler, QuerySocket, forget_queries, keep_every_query, page_seated
    from warm_pool import warm_pool_factory

    if not getattr(voila.app.voila_kernel_manager_factory, "warm_pool", False):  # Voila builds its manager with it
        voila.app.voila_kernel_manager_factory = warm_pool_factory(voila.app.voila_kernel_manager_factory)
        voila.app.voila_kernel_manager_factory.warm_pool = True

    class ClassKernelSpecs(KernelSpecManager):
        kernel_dirs = List(Unicode(), config=True, help="Only these folders (KernelSpecManager's is not configurable).")

    class Classroom(RecordServer, Voila):
        class_size = Integer(DEFAULTS["size"], config=True,
                             help="Learners served at once; more get the 'class is full' page.")
        warm_starts = Integer(DEFAULTS["warm_starts"], config=True,
                              help="Pooled kernels started at a time (0: all at once, as Voila does).")
        seats_per_client = Integer(DEFAULTS["seats_per_client"], config=True,
                                   help="Seats one remote address may hold (0: no limit).")
        unconnected_seconds = Float(DEFAULTS["unconnected_seconds"], config=True,
                                    help="Cull a page's kernel when the page has not connected to it this long "
                                         "after it was sent.")
        gone_seconds = Float(DEFAULTS["idle_minutes"] * 60, config=True,
                             help="Cull a learner's kernel no page has been connected to this long, busy or not.")
        record_data = Unicode("", config=True, help="The class record's folder ('': no record, no /teacher).")
        classes = [*Voila.classes, ClassKernelSpecs]

        def initialize(self, argv=None):
            super().initialize(argv)
            self.voila_configuration.kernel_spec_manager_class = ClassKernelSpecs
            keep_every_query()

        def init_settings(self):
            settings = super().init_settings()
            km = self.kernel_manager
            # With allow_tracebacks=False, jupyter_server 2.21 reads the replacement text from the per-kernel
            # manager, which lacks it: the error message then raises in the server, is dropped, and the page's
            # iopub stream stalls until its next message. Give the per-kernel class the text it looks for.
            ServerKernelManager.traceback_replacement_message = km.traceback_replacement_message
            km.learner_kernels = set()  # the kernels handed to a page: the class's seats
            km.kernel_owners = {}  # kernel id -> the remote address its page was sent to
            km.pages_sent = {}  # kernel id -> when its page was sent, until the page connects to it
            km.connected_kernels = set()  # kernels a page connected to once: only the idle cull takes them
            km.left_at = {}  # kernel id -> when its last page connection closed, until one opens again
            # The warm pool stays within the class: seats held by pages, and pages being let in right now.
            km.seats_taken = lambda: len(km.learner_kernels & set(km.list_kernel_ids())) + ClassHandler.admitting
            connect, disconnect = km.notify_connect, km.notify_disconnect

            def notify_connect(kernel_id):
                km.connected_kernels.add(kernel_id)
                km.left_at.pop(kernel_id, None)
                sent = km.pages_sent.pop(kernel_id, None)
                if sent is not None:
                    self.log.info("class: kernel %s connected %.1f s after its page was sent",
                                  kernel_id, time.monotonic() - sent)
                connect(kernel_id)

            def notify_disconnect(kernel_id):
                disconnect(kernel_id)
                if not km._kernel_connections.get(kernel_id, 0):
                    km.left_at[kernel_id] = time.monotonic()

            km.notify_connect, km.notify_disconnect = notify_connect, notify_disconnect
            take = getattr(km, "get_rendered_notebook", None)  # only with a preheated pool
            start = km.start_kernel  # the page handler's own start (the pool fills through the class)

            async def take_from_pool(*args, **kwargs):
                task, cache, kernel_id = await take(*args, **kwargs)
                km.learner_kernels.add(kernel_id)
                page_seated()  # counted once: as a seat, no longer as a page being let in
                # A pooled kernel's idle clock ran while it waited; restart it when a learner takes it,
                # or the culler could shut it down before the page's websocket connects.
                km.get_kernel(kernel_id).last_activity = utcnow()
                return task, cache, kernel_id

            async def start_for_a_page(*args, **kwargs):
                kernel_id = await start(*args, **kwargs)
                km.learner_kernels.add(kernel_id)
                page_seated()
                return kernel_id

            if take is not None:
                km.get_rendered_notebook = take_from_pool
            km.start_kernel = start_for_a_page
            self.init_record(km)
            return settings

        async def cull_unconnected(self):
            """Shut down the kernels whose page was sent unconnected_seconds ago and never connected, and
            those no page has been connected to for gone_seconds. Jupyter's idle cull cannot take the latter
            when they are busy (a cell waiting) or active (a run's plot updates count as activity)."""
            km = self.kernel_manager
            now, running = time.monotonic(), set(km.list_kernel_ids())
            for clock, limit, why in ((km.pages_sent, self.unconnected_seconds, "its page never connected in"),
                                      (km.left_at, self.gone_seconds, "no page connected to it for")):
                for kernel_id, since in list(clock.items()):
                    if kernel_id not in running:
                        del clock[kernel_id]
                    elif now - since >= limit and not km._kernel_connections.get(kernel_id, 0):
                        del clock[kernel_id]
                        self.log.warning("class: culling kernel %s: %s %g s", kernel_id, why, limit)
                        await km.shutdown_kernel(kernel_id)
            for gone in set(km.kernel_owners) - running:
                del km.kernel_owners[gone]
            km.connected_kernels &= running
            forget_queries(running)
            self.forget_record_kernels(running)

        def listen(self):
            # look often enough to cull near unconnected_seconds and gone_seconds
            interval = max(0.5, min(15.0, self.unconnected_seconds / 4, self.gone_seconds / 4))
            tornado.ioloop.PeriodicCallback(self.cull_unconnected, interval * 1000).start()
            super().listen()

        def init_handlers(self):
            mine = {TornadoVoilaHandler: ClassHandler, RequestInfoSocketHandler: QuerySocket}
            voila = [(route, mine.get(handler, handler), *rest) for route, handler, *rest in super().init_handlers()]
            return [*self.record_routes(), *voila]  # first: Voila's last route takes every path

    return Classroom


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    d = DEFAULTS
    p.add_argument("--size", type=int, default=d["size"], help="learners at once (default %(default)s)")
    p.add_argument("--pool", type=int, default=d["pool"],
                   help="preheated kernels kept ready, never more than the seats left (default: the class size)")
    p.add_argument("--warm-starts", type=int, default=d["warm_starts"],
                   help="pooled kernels started at a time while the pool fills; 0: all at once (default %(default)s)")
    p.add_argument("--idle-minutes", type=float, default=d["idle_minutes"],
                   help="cull a kernel no tab has been connected to this long, busy or not (default %(default)s)")
    p.add_argument("--idle-seconds", type=float, default=None, help="the same in seconds (tests)")
    p.add_argument("--unconnected-seconds", type=float, default=d["unconnected_seconds"],
                   help="cull a kernel whose page never connected within this (default %(default)s)")
    p.add_argument("--seats-per-client", type=int, default=d["seats_per_client"],
                   help="seats one remote address may hold (default %(default)s; 0: no limit, e.g. behind a proxy)")
    p.add_argument("--memory", default=d["memory"],
                   help="address-space cap per kernel, e.g. 4G; 'off' for none (default %(default)s)")
    p.add_argument("--threads", type=int, default=d["threads"], help="torch/BLAS threads per kernel (default %(default)s)")
    p.add_argument("--fork", choices=("on", "off"), default=d["fork"],
                   help="fork each kernel from one warmed parent, sharing torch's and the app's memory (docs/fork.md)"
                        " (default %(default)s)")
    p.add_argument("--host", default=d["host"], help="(default %(default)s)")
    p.add_argument("--port", type=int, default=d["port"], help="(default %(default)s)")
    p.add_argument("--notebook", default=str(ROOT / "app.ipynb"))
    p.add_argument("--kernel-dir", default=str(HERE / "kernels"), help="where the kernel spec is written")
    p.add_argument("--data", default=d["data"],
                   help="the class record's folder: class.sqlite, the teacher's token (default %(default)s)")
    p.add_argument("--no-record", action="store_true", help="keep no class record and serve no /teacher page")
    p.add_argument("--python", default=os.path.abspath(sys.executable),
                   help="the kernel's interpreter (absolute; default: this one)")
    p.add_argument("--print-argv", action="store_true", help="print Voila's arguments and exit")
    p.add_argument("voila_args", nargs="*", help="extra Voila arguments, after --")
    args = p.parse_args(argv)
    args.pool = args.size if args.pool is None else args.pool
    if args.size < 1 or args.pool < 0 or args.warm_starts < 0 or args.threads < 1 or args.seats_per_client < 0:
        p.error("--size and --threads must be at least 1, --pool, --warm-starts and --seats-per-client at least 0")
    args.pool = min(args.pool, args.size)  # a pool larger than the class would only hold memory
    if args.unconnected_seconds < 1:
        p.error("--unconnected-seconds must be at least 1")
    if (args.idle_seconds if args.idle_seconds is not None else args.idle_minutes * 60) < 1:
        p.error("the idle time must be at least a second")
    try:
        args.memory_bytes = parse_memory(args.memory)
    except ValueError as exc:
        p.error(str(exc))
    if not os.path.isabs(args.python):
        p.error("--python must be an absolute path")
    return args


def print_teacher_url(args) -> None:
    """A fresh teacher's token for this start, kept in --data (the server reads it there) and printed."""
    from record_local import TOKEN_FILE, fresh_teacher_token

    token = fresh_teacher_token(Path(args.data))
    host = "127.0.0.1" if args.host in ("0.0.0.0", "::", "") else args.host
    where = " (or this machine's address on the class network)" if host != args.host else ""
    print(f"class: the teacher's page{where}: http://{host}:{args.port}/teacher?token={token}", flush=True)
    print(f"class: the record is kept in {Path(args.data).absolute()}; the token in its {TOKEN_FILE}", flush=True)


def main(argv=None):
    args = parse_args(argv)
    argv = voila_argv(args)
    if args.print_argv:
        print(json.dumps(argv, indent=1))
        return
    spec = write_kernelspec(Path(args.kernel_dir), args.python, args.memory_bytes, args.threads,
                            fork=args.fork == "on")
    print(f"class: kernel spec {spec}: {' '.join(json.loads(spec.read_text())['argv'])}", flush=True)
    print("class: voila " + " ".join(argv), flush=True)
    if not args.no_record:
        print_teacher_url(args)
    if args.fork == "on":
        import atexit

        import zygote_provisioner

        zygote_provisioner.register()
        atexit.register(zygote_provisioner.stop_zygotes)
        print("class: kernels are forked from one warmed parent (class/zygote.py)", flush=True)
    os.chdir(ROOT)  # the notebook imports core/ and widgets/ from its folder; Voila reads voila.json here
    make_app().launch_instance(argv)


if __name__ == "__main__":
    main()
