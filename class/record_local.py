"""The class server's own authorities for the record (record_handlers.py): who a post speaks for, who the teacher is.

- A seat is a random id in an HttpOnly cookie the page handler sets, signed with a secret kept in the class's
  data folder: a reload (or a server restart) keeps the seat and its record; a made-up cookie gets a fresh seat.
- Each kernel the server starts (pool kernels too) gets its own random key in its environment (TP_RECORD_KEY),
  with the server's loopback URL (TP_RECORD_URL). When a page is sent, its kernel is mapped to the page's seat.
  A kernel posts with `Authorization: token <key>`; a learner cannot run code (Voila forwards only widget
  messages), so the key never reaches a browser, and no page can post for another seat.
- The teacher's token: fresh at each start, written to <data>/teacher-token (mode 0600), compared in constant time.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from pathlib import Path

SEAT_COOKIE = "tp_seat"
SEAT_ID = re.compile(r"[A-Za-z0-9_-]{32}")
TOKEN_FILE, SECRET_FILE = "teacher-token", "seat-secret"
ENV_URL, ENV_KEY = "TP_RECORD_URL", "TP_RECORD_KEY"


def _private_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text + "\n")
    os.chmod(path, 0o600)


def fresh_teacher_token(folder: Path) -> str:
    """A new token for this start of the server, kept in folder/teacher-token."""
    token = secrets.token_urlsafe(24)
    _private_write(Path(folder) / TOKEN_FILE, token)
    return token


class SeatCookies:
    """Seat ids carried in a signed cookie value `<seat>.<hmac>`; the secret lives in the data folder."""

    def __init__(self, folder: Path):
        path = Path(folder) / SECRET_FILE
        if not path.exists():
            _private_write(path, secrets.token_hex(32))
        self.secret = bytes.fromhex(path.read_text().strip())

    def _sign(self, seat: str) -> str:
        return hmac.new(self.secret, seat.encode(), hashlib.sha256).hexdigest()[:32]

    def cookie_for(self, seat: str) -> str:
        return f"{seat}.{self._sign(seat)}"

    def seat_of(self, cookie: str | None) -> str | None:
        """The seat a cookie value names, when this server signed it; None otherwise."""
        seat, _, mac = (cookie or "").partition(".")
        if SEAT_ID.fullmatch(seat) and hmac.compare_digest(mac, self._sign(seat)):
            return seat
        return None

    @staticmethod
    def new_seat() -> str:
        return secrets.token_urlsafe(24)  # 32 characters of [A-Za-z0-9_-]


class KernelSeats:
    """SeatAuth of the class server: kernel keys -> kernels -> seats."""

    def __init__(self):
        self.kernel_of_key = {}  # sha256(key) -> kernel id (hashed: a dict lookup by the secret itself leaks timing)
        self.seat_of_kernel = {}  # kernel id -> seat id, once its page is sent
        self.was_running = set()  # kernels seen running: a key is dropped when its kernel is gone, not while it starts

    @staticmethod
    def _digest(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    def new_kernel(self, kernel_id: str) -> str:
        """A fresh key for a kernel about to start (it goes into the kernel's environment)."""
        key = secrets.token_urlsafe(32)
        self.kernel_of_key[self._digest(key)] = kernel_id
        return key

    def seat_kernel(self, kernel_id: str, seat: str) -> None:
        self.seat_of_kernel[kernel_id] = seat

    def forget(self, running) -> None:
        """Drop the keys and seats of kernels no longer running: a dead kernel's key posts nothing."""
        running = set(running)
        gone = self.was_running - running
        for digest, kernel_id in list(self.kernel_of_key.items()):
            if kernel_id in gone:
                del self.kernel_of_key[digest]
        for kernel_id in gone:
            self.seat_of_kernel.pop(kernel_id, None)
        self.was_running = running & set(self.kernel_of_key.values())

    def seat_for(self, request) -> str | None:
        scheme, _, key = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "token" or not key:
            return None
        kernel_id = self.kernel_of_key.get(self._digest(key.strip()))
        return self.seat_of_kernel.get(kernel_id) if kernel_id else None


class TeacherToken:
    """TeacherAuth of the class server: the token from `?token=` or `Authorization: token …`."""

    def __init__(self, token: str):
        self.token = token.encode()

    def allows(self, handler) -> bool:
        request = handler.request
        given = request.query_arguments.get("token", [b""])[-1]
        scheme, _, header = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "token" and header:
            given = header.strip().encode()
        return bool(given) and hmac.compare_digest(given, self.token)
