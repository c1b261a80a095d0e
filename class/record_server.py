"""The class server's side of the class record: serve.py's Classroom mixes this in.

It opens the record in the data folder, gives every kernel it starts (pool kernels too) a key and the
loopback URL in its environment, maps a kernel to the seat of the page it is sent with (page_handlers.py
calls seat_page and page_kernel), and adds record_handlers.py's routes with the local authorities.
"""
from __future__ import annotations

import os
from pathlib import Path

from record import FILE_NAME, ClassRecord
from record_handlers import record_routes
from record_local import ENV_KEY, ENV_URL, SEAT_COOKIE, TOKEN_FILE, KernelSeats, SeatCookies, TeacherToken, \
    fresh_teacher_token
from record_summary import load_catalogue

ROOT = Path(__file__).resolve().parents[1]
SEAT_COOKIE_SECONDS = 12 * 3600  # a class day: a reload, or the browser reopened, keeps the seat


def loopback_url(host: str, port: int, base_url: str) -> str:
    """Where this server's kernels post: loopback, unless the server listens on one address only."""
    if host in ("", "0.0.0.0", "::", "localhost"):
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}/" + "/".join(part for part in (base_url.strip("/"), "class/record") if part)


class RecordServer:
    """Mixed into the Voila app (Classroom); its record_data traitlet names the folder ('' = no record)."""

    record = kernel_seats = seat_cookies = teacher = None

    def init_record(self, km) -> None:
        if not self.record_data:
            return
        folder = Path(self.record_data)
        self.record = ClassRecord(folder / FILE_NAME, load_catalogue(ROOT / "exercises"))
        self.seat_cookies, self.kernel_seats = SeatCookies(folder), KernelSeats()
        token_file = folder / TOKEN_FILE  # serve.main wrote this start's token; Voila run by hand gets one here
        token = token_file.read_text().strip() if token_file.exists() else fresh_teacher_token(folder)
        self.teacher = TeacherToken(token)
        url, seats = loopback_url(self.ip, self.port, self.base_url), self.kernel_seats
        self.log.info("class: the class record is %s; kernels post to %s", self.record.path, url)
        pre_start = km.pre_start_kernel  # every start goes through it: the page handler's and the pool's

        def pre_start_kernel(kernel_name, kwargs):
            manager, name, kernel_id = pre_start(kernel_name, kwargs)
            env = dict(kwargs.get("env") or os.environ)  # jupyter_client's own default when none is given
            kwargs["env"] = {**env, ENV_URL: url, ENV_KEY: seats.new_kernel(kernel_id)}
            return manager, name, kernel_id

        km.pre_start_kernel = pre_start_kernel

    def forget_record_kernels(self, running) -> None:
        if self.kernel_seats is not None:
            self.kernel_seats.forget(running)

    def connected_seats(self) -> set:
        """Seats whose page is connected to its kernel now."""
        connections = self.kernel_manager._kernel_connections
        return {seat for kernel, seat in list(self.kernel_seats.seat_of_kernel.items()) if connections.get(kernel, 0)}

    def record_routes(self) -> list:
        if self.record is None:
            return []
        return record_routes(self.base_url, lambda: self.record, self.kernel_seats, self.teacher,
                             connected=self.connected_seats)

    # -- the page handler's part -------------------------------------------------------------------------
    def seat_page(self, handler) -> str | None:
        """The seat of the learner asking for a page: from their signed cookie, or a new one (cookie set)."""
        if self.record is None:
            return None
        seat = self.seat_cookies.seat_of(handler.get_cookie(SEAT_COOKIE))
        if seat is None:
            seat = self.seat_cookies.new_seat()
        # set again on each page: the 12 h start from the last page the learner opened
        handler.set_cookie(SEAT_COOKIE, self.seat_cookies.cookie_for(seat), httponly=True, samesite="Lax",
                           secure=handler.request.protocol == "https", max_age=SEAT_COOKIE_SECONDS,
                           path="/" + self.base_url.strip("/"))
        return seat

    def page_kernel(self, kernel_id: str, seat: str | None) -> None:
        """The page sent for `seat` runs in `kernel_id`: that kernel's posts are this seat's."""
        if seat is not None:
            self.kernel_seats.seat_kernel(kernel_id, seat)
            self.record.seat(seat)
