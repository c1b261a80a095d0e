"""class/record_handlers.py with the class server's own authorities (record_local.py), on a real tornado server
and a real SQLite file, without Voila: who may post, who may read, and what a refusal looks like."""
from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path

import tornado.web
from tornado.testing import AsyncHTTPTestCase

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "class"))

from record import LIMITS, ClassRecord  # noqa: E402
from record_handlers import record_routes  # noqa: E402
from record_local import KernelSeats, SeatCookies, TeacherToken, fresh_teacher_token  # noqa: E402

SEAT = "s" * 32


class RecordServerTest(AsyncHTTPTestCase):
    def get_app(self):
        import tempfile
        self.folder = Path(tempfile.mkdtemp(prefix="tp-record-"))
        self.record = ClassRecord(self.folder / "class.sqlite")
        self.token = fresh_teacher_token(self.folder)
        self.seats = KernelSeats()
        self.key = self.seats.new_kernel("kernel-1")
        self.seats.forget({"kernel-1"})
        self.seats.seat_kernel("kernel-1", SEAT)
        routes = record_routes("/", lambda: self.record, self.seats, TeacherToken(self.token),
                               connected=lambda: {SEAT})
        return tornado.web.Application(routes, xsrf_cookies=True)  # as Jupyter's: the kernel's post is exempt

    def tearDown(self):
        super().tearDown()
        self.record.close()

    def post(self, body, key=None, path="/class/record", **headers):
        if key is not None:
            headers["Authorization"] = f"token {key}"
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        return self.fetch(path, method="POST", body=data, headers=headers)

    # -- learners' kernels ----------------------------------------------------------------------------
    def test_a_seated_kernel_s_posts_are_kept_under_its_seat(self):
        assert self.post({"kind": "name", "name": "Ana"}, self.key).code == 204
        run = {"lesson": "lr", "config": {"lr": 0.1}, "seed": 1, "fingerprint": "f", "final_loss": 0.2}
        assert self.post({"kind": "run", "record": run}, self.key).code == 204
        with sqlite3.connect(self.record.path) as db:
            assert db.execute("SELECT s.name, r.fingerprint FROM runs r JOIN seats s USING (seat)").fetchall() == [
                ("Ana", "f")]
            assert db.execute("SELECT seat FROM seats").fetchall() == [(SEAT,)]

    def test_no_key_a_made_up_key_or_an_unseated_kernel_s_key_is_403_with_nothing_else(self):
        unseated = self.seats.new_kernel("kernel-2")  # started, its page not sent yet: no seat to post for
        for key in (None, "made-up", unseated, self.key + "x", ""):
            reply = self.post({"kind": "name", "name": "forged"}, key)
            assert (reply.code, reply.body) == (403, b""), key
        reply = self.post({"kind": "name", "name": "forged"}, None, Authorization=f"Bearer {self.key}")
        assert (reply.code, reply.body) == (403, b"")
        with sqlite3.connect(self.record.path) as db:
            assert db.execute("SELECT COUNT(*) FROM seats").fetchone() == (0,)

    def test_a_gone_kernel_s_key_posts_nothing(self):
        self.seats.forget(set())  # kernel-1 was running, now it is not
        assert self.post({"kind": "name", "name": "Ana"}, self.key).code == 403

    def test_refusals_are_short_and_say_why(self):
        big = self.post({"kind": "name", "name": "x" * LIMITS["body_bytes"]}, self.key)
        assert big.code == 413 and json.loads(big.body)["error"] == "too_big"
        for body, code in (({"kind": "upload"}, "kind"), (b"{not json", "json"), ([1, 2], "kind"),
                           ({"kind": "name", "name": "x" * (LIMITS["name_chars"] + 1)}, "name"),
                           ({"kind": "answer", "record": "text"}, "field")):
            reply = self.post(body, self.key)
            assert reply.code == 400 and json.loads(reply.body)["error"] == code, body
            assert len(json.loads(reply.body)["message"]) < 100 and b"Traceback" not in reply.body

    # -- the teacher --------------------------------------------------------------------------------------
    def test_the_teacher_s_routes_refuse_a_wrong_or_missing_token_the_same_way(self):
        wrong = ("", "?token=", "?token=wrong", f"?token={self.token[:-1]}", f"?token={self.token}x")
        for route in ("/teacher", "/teacher/api/state", "/teacher/api/record.csv"):
            for query in wrong:
                reply = self.fetch(route + query)
                assert (reply.code, reply.body) == (403, b""), (route, query)
            assert self.fetch(route, headers={"Authorization": "token nope"}).code == 403
        reply = self.post(b"", path=f"/teacher/api/new-class?token=wrong")
        assert (reply.code, reply.body) == (403, b"")
        assert self.post(b"", self.key, path="/teacher/api/new-class").code == 403  # a kernel's key is not a token

    def test_with_the_token_the_teacher_reads_the_snapshot_the_csv_and_plotly(self):
        self.post({"kind": "name", "name": "<b>Ana</b>"}, self.key)
        reply = self.fetch(f"/teacher/api/state?token={self.token}")
        assert reply.code == 200 and reply.headers["Cache-Control"] == "no-store"
        assert reply.headers["Referrer-Policy"] == "no-referrer"
        snap = json.loads(reply.body)
        assert snap["seats"] == {"connected": 1, "total": 1} and snap["learners"][0]["name"] == "<b>Ana</b>"
        assert SEAT not in reply.body.decode()
        by_header = self.fetch("/teacher/api/record.csv", headers={"Authorization": f"token {self.token}"})
        assert by_header.code == 200 and by_header.headers["Content-Type"].startswith("text/csv")
        import plotly
        served = self.fetch("/teacher/static/plotly.min.js")  # public code: the page's <script src> has no token
        assert served.body == (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").read_bytes()
        for name in ("secret.txt", "..%2Fclass.sqlite", "teacher-token", "record.py"):
            assert self.fetch(f"/teacher/static/{name}").code == 404, name  # three files, no folder

    def test_new_class_archives_and_the_record_starts_empty(self):
        self.post({"kind": "name", "name": "Ana"}, self.key)
        reply = self.post(b"", path=f"/teacher/api/new-class?token={self.token}")
        archived = self.folder / json.loads(reply.body)["archived"]
        with sqlite3.connect(archived) as db:
            assert db.execute("SELECT name FROM seats").fetchall() == [("Ana",)]
        assert json.loads(self.fetch(f"/teacher/api/state?token={self.token}").body)["seats"]["total"] == 0


def test_a_seat_cookie_is_taken_only_as_this_server_signed_it(tmp_path):
    cookies = SeatCookies(tmp_path)
    seat = cookies.new_seat()
    value = cookies.cookie_for(seat)
    assert cookies.seat_of(value) == seat
    assert SeatCookies(tmp_path).seat_of(value) == seat  # the secret is kept: a restart keeps the seats
    forged = [f"{seat}.{'0' * 32}", seat, f"{'x' * 32}.{value.split('.')[1]}", "", None, value + "0"]
    assert [cookies.seat_of(v) for v in forged] == [None] * len(forged)
    (tmp_path / "other").mkdir()
    assert SeatCookies(tmp_path / "other").seat_of(value) is None
    assert (tmp_path / "seat-secret").stat().st_mode & 0o077 == 0


def test_the_teacher_token_is_fresh_each_start_and_private(tmp_path):
    first, second = fresh_teacher_token(tmp_path), fresh_teacher_token(tmp_path)
    assert first != second and len(first) >= 32
    path = tmp_path / "teacher-token"
    assert path.read_text().strip() == second and path.stat().st_mode & 0o077 == 0


def test_a_starting_kernel_keeps_its_key_until_it_has_been_seen_running():
    seats = KernelSeats()
    key = seats.new_kernel("k")
    seats.forget(set())  # not running yet: still starting
    seats.seat_kernel("k", SEAT)
    request = type("R", (), {"headers": {"Authorization": f"token {key}"}})()
    assert seats.seat_for(request) == SEAT
    seats.forget({"k"})
    seats.forget(set())
    assert seats.seat_for(request) is None


def test_the_server_keeps_the_record_in_its_data_folder_and_make_passes_class_data(tmp_path):
    import os
    import subprocess

    import serve
    from record_server import loopback_url

    argv = serve.voila_argv(serve.parse_args([f"--data={tmp_path}"]))
    assert f"--Classroom.record_data={tmp_path}" in argv
    assert "--Classroom.record_data=" in serve.voila_argv(serve.parse_args(["--no-record"]))
    assert serve.parse_args([]).data == str(ROOT / "class" / "data")
    ignored = subprocess.run(["git", "check-ignore", "-q", "class/data/class.sqlite"], cwd=ROOT)
    assert ignored.returncode == 0  # the default folder is never committed
    env = {k: v for k, v in os.environ.items() if k != "CLASS_DATA"}
    for target in ("class", "app"):
        dry = subprocess.run(["make", "-n", target, "CLASS_DATA=/srv/class-7"], cwd=ROOT, env=env,
                             capture_output=True, text=True, check=True).stdout
        assert "--data=/srv/class-7" in dry, target
    assert loopback_url("0.0.0.0", 8866, "/") == "http://127.0.0.1:8866/class/record"
    assert loopback_url("10.0.0.5", 8866, "/class/") == "http://10.0.0.5:8866/class/class/record"
    assert loopback_url("::", 1, "") == "http://127.0.0.1:1/class/record"
