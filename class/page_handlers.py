"""The class server's request handlers (class/serve.py installs them in Voila's place).

- ClassHandler: the dashboard page; a seat per learner (its cookie and the record's kernel -> seat map:
  record_server.py), a seat limit per address, the app's own template only.
- QuerySocket: Voila's /voila/query/<kernel id> socket, over which a preheated kernel learns its page's query.
  Voila's own handler (voila/request_info_handler.py) lets any peer register a waiter for any id, and on close
  removes the *last* waiter registered when the closing socket is not one: two sockets to a made-up id, closed
  second then first, unhook a pooled kernel's waiter and leave its next page loading forever.

Imported by serve.make_app once Voila is wanted (it imports Voila's server).
"""
from __future__ import annotations

import ipaddress
import re
import time
from collections import Counter
from contextvars import ContextVar
from pathlib import Path

import tornado.web
from voila.request_info_handler import RequestInfoSocketHandler
from voila.tornado.handler import TornadoVoilaHandler

HERE = Path(__file__).resolve().parent
FULL_PAGE = HERE / "full.html"
FULL_FOR_YOU_PAGE = HERE / "full-for-you.html"
WATCHDOG = HERE / "watchdog.html"
REFUSAL_STYLE = HERE / "refusal.css"  # one look for both refusal pages
KERNEL_ID = re.compile(r'"kernelId": "([0-9a-f-]{36})"')  # in the page's jupyter-config-data


class Admission:
    """A page being let in: one seat in ClassHandler.admitting until its kernel is a seat of its own
    (`seated()`, called where the kernel joins learner_kernels), so that no page counts twice."""

    def __init__(self):
        self.counting = True
        ClassHandler.admitting += 1

    def seated(self) -> None:
        if self.counting:
            self.counting = False
            ClassHandler.admitting -= 1


# the page being let in by the request this task serves: the kernel manager, called from Voila's page
# generator in that task, ends its admission the moment the page's kernel becomes a seat
ADMISSION: ContextVar = ContextVar("tp_admission", default=None)


def page_seated() -> None:
    """The kernel of the page this task lets in is now one of the class's seats (serve.py calls this)."""
    admission = ADMISSION.get()
    if admission is not None:
        admission.seated()


def is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:  # a unix socket's peer, or no address at all
        return False


class ClassHandler(TornadoVoilaHandler):
    admitting = 0  # pages let in whose kernel is not yet started or taken from the pool
    admitting_from = Counter()  # remote address -> its pages let in whose kernel id is not yet sent

    def learners(self) -> int:
        """Seats taken: running kernels handed to a page (not those waiting in the pool), plus pages
        being let in right now."""
        km = self.kernel_manager
        km.learner_kernels &= set(km.list_kernel_ids())  # forget kernels culled, closed or dead
        return len(km.learner_kernels) + ClassHandler.admitting

    def client_address(self) -> str:
        """The learner's address: the peer's, or, from a proxy on this machine, the one it forwards
        (the last X-Forwarded-For entry: the one the proxy added)."""
        peer, forwarded = self.request.remote_ip, self.request.headers.get("X-Forwarded-For", "")
        if forwarded and is_loopback(peer):
            return forwarded.split(",")[-1].strip()
        return peer

    def seats_of(self, address: str) -> int:
        """Seats taken by one remote address: its pages' running kernels, plus its pages being let in."""
        km = self.kernel_manager
        return (sum(owner == address and kid in km.learner_kernels for kid, owner in km.kernel_owners.items())
                + ClassHandler.admitting_from[address])

    def refuse(self, page: Path, why: str):
        self.settings["voila"].log.warning("class: %s; sent %s", why, page.name)
        self.set_status(503)
        self.set_header("Retry-After", "60")
        self.set_header("Cache-Control", "no-store")
        self.set_header("Content-Type", "text/html; charset=utf-8")
        style = REFUSAL_STYLE.read_text(encoding="utf-8")
        return self.finish(page.read_text(encoding="utf-8").replace("/* refusal.css */", style))

    def foreign_template(self) -> bool:
        """?template=… naming another template than the app's: Voila would render the notebook with it in a
        kernel of its own, outside the pool and the seat count."""
        asked = self.get_argument("template", None)
        return asked is not None and asked != self.voila_configuration.template

    @tornado.web.authenticated
    async def get(self, path=None):
        if self.foreign_template():
            raise tornado.web.HTTPError(400, reason="This page has one template")
        if path:  # not the dashboard itself: Voila redirects to the file
            return await super().get(path)
        taken, size = self.learners(), self.settings["voila"].class_size
        self.settings["voila"].log.info("class: %d of %d seats taken", taken, size)
        if taken >= size:
            return self.refuse(FULL_PAGE, "full")
        address, per_client = self.client_address(), self.settings["voila"].seats_per_client
        if per_client and self.seats_of(address) >= per_client:
            return self.refuse(FULL_FOR_YOU_PAGE, f"{address} holds {per_client} seats")
        # Sets the _xsrf cookie. The page's "close tab -> shut my kernel down" beacon sends it back;
        # stock Voila never sets it, so that beacon gets a 403 and a closed tab's kernel lingers until
        # culled (voila-dashboards/voila#1458).
        self.xsrf_token  # noqa: B018 (a property with a side effect)
        app = self.settings["voila"]
        seat = app.seat_page(self)  # the learner's seat cookie, set before the page's first byte
        admission = Admission()
        ADMISSION.set(admission)
        ClassHandler.admitting_from[address] += 1
        kernel, head = None, ""
        km = self.kernel_manager
        try:
            async for html in self.get_generator(path=path):
                admission.seated()  # the first piece comes once this page's kernel is in learner_kernels
                if kernel is None:  # the page names its kernel near the top
                    head += html
                    if match := KERNEL_ID.search(head):
                        kernel, head = match.group(1), ""
                        km.kernel_owners[kernel] = address
                        app.page_kernel(kernel, seat)
                        ClassHandler.admitting_from[address] -= 1
                self.write(html)
                self.flush()
            self.write(WATCHDOG.read_text())  # after </html>: browsers still run it, in <body>
        finally:
            admission.seated()
            if kernel is None:
                ClassHandler.admitting_from[address] -= 1
            elif kernel not in km.connected_kernels:  # sent, or the client left: the clock starts
                km.pages_sent[kernel] = time.monotonic()


class QuerySocket(RequestInfoSocketHandler):
    """Voila's query socket, for this server's own kernels only: a peer on this machine (kernels connect
    over loopback) naming a running kernel. Shares Voila's waiters and cache (class attributes), so Voila's
    page handler still sends each query through RequestInfoSocketHandler.send_updates."""

    def prepare(self):
        kernel_id = self.path_kwargs.get("kernel_id") or (self.path_args or [""])[0]
        if not is_loopback(self.request.remote_ip):
            raise tornado.web.HTTPError(403)
        if kernel_id not in self.settings["kernel_manager"].list_kernel_ids():
            raise tornado.web.HTTPError(404)

    def open(self, kernel_id: str) -> None:
        self.kernel_id = kernel_id
        waiting = getattr(self.settings["kernel_manager"], "waiting_for_page", None)
        if waiting is not None:  # the warm pool (warm_pool.py) counts this kernel as ready for a page
            waiting(kernel_id)
        super().open(kernel_id)

    def on_close(self) -> None:
        """Remove this socket's own waiter, and only while it is still the one registered."""
        waiters = RequestInfoSocketHandler._waiters
        if waiters.get(getattr(self, "kernel_id", None)) is self:
            del waiters[self.kernel_id]


def forget_queries(running) -> None:
    """Drop the waiters and cached queries of kernels no longer running (Voila keeps them forever)."""
    for table in (RequestInfoSocketHandler._waiters, RequestInfoSocketHandler._cache):
        for kernel_id in set(table) - set(running):
            table.pop(kernel_id, None)


def keep_every_query() -> None:
    """Cache each page's query even when its kernel's waiter is there: a kernel whose wait timed out while
    the query was on its way gets it again when it reconnects (QuerySocket.open sends the cached one)."""
    send = RequestInfoSocketHandler.send_updates
    if getattr(send, "keeps_queries", False):
        return

    def send_updates(msg):
        RequestInfoSocketHandler._cache[msg["kernel_id"]] = msg["payload"]
        send(msg)

    send_updates.keeps_queries = True
    RequestInfoSocketHandler.send_updates = staticmethod(send_updates)
