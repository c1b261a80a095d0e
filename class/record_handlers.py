"""The class record over HTTP (tornado): learners' kernels post to it, the teacher's page reads it.

Two authorities are pluggable, so the JupyterHub service reuses these handlers unchanged:
- a SeatAuth: `seat_for(request) -> seat id | None` (or an awaitable of it). The class server's is
  record_local.KernelSeats (a per-kernel secret in the kernel's environment, mapped to the seat its page was sent
  to); the hub's checks the kernel's hub token. None: 403 with an empty body.
- a TeacherAuth: `allows(handler) -> bool` (or an awaitable), given the tornado RequestHandler (HubOAuth reads
  its cookies). The class server's is record_local.TeacherToken (`?token=` or `Authorization: token …`); the
  hub's asks HubOAuth for the `teachers` group. False: 403 with an empty body, the same whatever the reason.

Routes (under the server's base URL):
    POST class/record               {"kind": "answer", "record": ExerciseRecord.to_dict()}
                                    {"kind": "run", "record": {lesson, config, seed, regime, final_loss, …}}
                                    {"kind": "name", "name": "Ana"}            -> 204, or 400/413 {"error", "message"}
    GET  teacher                    the page (class/teacher.html; ?lang=zh)
    GET  teacher/static/<file>      teacher.js, teacher.css, plotly.min.js (from the installed plotly package);
                                    public code, no token: the page's <script src> carries none
    GET  teacher/api/state          the snapshot JSON (schema 1; ?lang=zh for the exercises' texts)
    GET  teacher/api/record.csv     every answer and run
    POST teacher/api/new-class      archive the record, start an empty one -> {"archived": "<file name>"}
"""
from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Callable

import tornado.web

from record import LIMITS, ClassRecord, RecordRefused
from teacher_page import render as render_teacher_page

HERE = Path(__file__).resolve().parent
LANGS = ("en", "zh")


def _plotly_js() -> Path:
    import plotly  # the installed package's own copy: the class machine may have no internet
    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


STATIC = {"teacher.js": (lambda: HERE / "teacher.js", "application/javascript"),
          "teacher.css": (lambda: HERE / "teacher.css", "text/css"),
          "charts.js": (lambda: HERE / "teacher_charts.js", "application/javascript"),
          "plotly.min.js": (_plotly_js, "application/javascript")}


async def _maybe_await(value):
    return await value if inspect.isawaitable(value) else value


class _Base(tornado.web.RequestHandler):
    def initialize(self, record: Callable[[], ClassRecord], **kwargs):
        self.record = record  # a callable: the server may swap its record (new class) while handlers live
        for name, value in kwargs.items():
            setattr(self, name, value)

    def check_xsrf_cookie(self):
        """No cookie authenticates these requests (a header secret or the teacher's token does), so a
        cross-site form cannot act with them; Jupyter's _xsrf check would refuse a kernel's post."""

    def set_default_headers(self):
        self.set_header("Cache-Control", "no-store")
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Referrer-Policy", "no-referrer")  # the teacher's URL holds the token

    def forbid(self):
        """403 and nothing else: the same answer for every reason."""
        self.clear()
        self.set_status(403)
        self.finish()

    def write_error(self, status_code, **kwargs):
        self.finish()  # never a traceback or tornado's HTML page


class RecordPost(_Base):
    """A learner's kernel posts an answer, a run summary or its display name."""

    seat_auth = None

    async def post(self):
        seat = await _maybe_await(self.seat_auth.seat_for(self.request))
        if not seat:
            return self.forbid()
        if len(self.request.body) > LIMITS["body_bytes"]:
            return self.refuse(413, "too_big", f"a post has at most {LIMITS['body_bytes']} bytes")
        try:
            body = json.loads(self.request.body)
            kind = body.get("kind") if isinstance(body, dict) else None
            if kind == "answer":
                self.record().add_answer(seat, body.get("record"))
            elif kind == "run":
                self.record().add_run(seat, body.get("record"))
            elif kind == "name":
                self.record().set_name(seat, body.get("name"))
            else:
                raise RecordRefused("kind", "kind must be answer, run or name")
        except RecordRefused as exc:
            return self.refuse(400, exc.code, str(exc))
        except ValueError:
            return self.refuse(400, "json", "the body must be JSON")
        self.set_status(204)
        self.finish()

    def refuse(self, status: int, code: str, message: str):
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"error": code, "message": message}))


class _Teacher(_Base):
    """Every teacher route: the TeacherAuth decides first."""

    teacher_auth = None

    async def prepare(self):
        if not await _maybe_await(self.teacher_auth.allows(self)):
            self.forbid()

    def lang(self) -> str:
        lang = self.get_argument("lang", "en")
        return lang if lang in LANGS else "en"


class TeacherPage(_Teacher):
    page: Callable[[str], str] | None = None  # lang -> the page's HTML; default: teacher_page.render's

    def get(self):
        if self.page is not None:
            html = self.page(self.lang())
        else:  # class/teacher.html with its texts and colours, its static files relative to this URL
            html = render_teacher_page(self.request.path, self.lang())
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; "
                        "script-src 'self' 'unsafe-eval'; img-src 'self' data: blob:; frame-ancestors 'none'")
        self.finish(html)


class TeacherStatic(_Base):
    def get(self, name):
        if name not in STATIC:
            raise tornado.web.HTTPError(404)
        where, content_type = STATIC[name]
        path = where()
        if not path.exists():
            raise tornado.web.HTTPError(404)
        self.set_header("Content-Type", content_type)
        self.finish(path.read_bytes())


class TeacherState(_Teacher):
    connected: Callable[[], set] = staticmethod(set)  # the seat ids whose page is connected now

    def get(self):
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(self.record().snapshot(self.connected(), self.lang())))


class TeacherCSV(_Teacher):
    def get(self):
        self.set_header("Content-Type", "text/csv; charset=utf-8")
        self.set_header("Content-Disposition", 'attachment; filename="class-record.csv"')
        self.finish(self.record().csv())


class TeacherNewClass(_Teacher):
    def post(self):
        archive = self.record().new_class()
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"archived": archive.name}))


def record_routes(base_url: str, record: Callable[[], ClassRecord], seat_auth, teacher_auth,
                  connected: Callable[[], set] = set, page: Callable[[str], str] | None = None) -> list:
    """The tornado routes of the record and the teacher's page, under base_url ('/' or '/services/x/')."""
    base = "/" + base_url.strip("/") + "/" if base_url.strip("/") else "/"
    learner = {"record": record, "seat_auth": seat_auth}
    teacher = {"record": record, "teacher_auth": teacher_auth}
    return [
        (f"{base}class/record", RecordPost, learner),
        (f"{base}teacher", TeacherPage, {**teacher, "page": page}),
        (rf"{base}teacher/static/([a-z.]+)", TeacherStatic, {"record": record}),
        (f"{base}teacher/api/state", TeacherState, {**teacher, "connected": connected}),
        (f"{base}teacher/api/record.csv", TeacherCSV, teacher),
        (f"{base}teacher/api/new-class", TeacherNewClass, teacher),
    ]
