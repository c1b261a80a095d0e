"""The teacher's view on JupyterHub: a hub-managed service at /services/teacher/.

The class server's record and teacher routes (class/record_handlers.py) run here unchanged; only the two
authorities differ:
- a learner's seat is the hub user who owns the token the kernel posts with (the kernel's
  JUPYTERHUB_API_TOKEN, checked with the hub by HubAuth): a kernel writes only its own user's record;
- a teacher is a hub user in the group `teachers`, logged in here through the hub's OAuth (HubOAuth), the
  group asked of the hub at most GROUP_CACHE_SECONDS before.
"Connected" seats are the users whose server is running now, asked of the hub every CONNECTED_SECONDS.

The hub starts it (deploy/z2jh-config.yaml, hub.services.teacher) with JUPYTERHUB_SERVICE_URL,
JUPYTERHUB_SERVICE_PREFIX, JUPYTERHUB_API_URL, JUPYTERHUB_API_TOKEN and JUPYTERHUB_CLIENT_ID set:

    python deploy/teacher_service.py --class-data /srv/teacher-view [--ip 0.0.0.0]
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import tornado.ioloop
import tornado.web
from jupyterhub.services.auth import HubOAuth, HubOAuthCallbackHandler
from jupyterhub.utils import url_path_join
from tornado.httpclient import AsyncHTTPClient, HTTPRequest
from tornado.httputil import url_concat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "class"))  # `class` is a keyword: its modules are imported as the class server does

import record_handlers  # noqa: E402
from record import FILE_NAME, ClassRecord  # noqa: E402
from record_summary import load_catalogue  # noqa: E402

SERVICE_PREFIX = "/services/teacher/"  # when the hub does not say (JUPYTERHUB_SERVICE_PREFIX)
TEACHERS_GROUP = "teachers"
GROUP_CACHE_SECONDS = 5  # a teacher removed from the group loses the view this long after, at most
CONNECTED_SECONDS = 2  # the page polls every second and may be 2 s behind
TOKEN_HEADER = "Authorization"
READ_ONLY = {"GET", "HEAD"}


def _request(obj):
    """The tornado request, given it or a handler (record_handlers passes the request)."""
    return getattr(obj, "request", obj)


def header_token(request) -> str | None:
    """`Authorization: token …` (or `bearer …`): a kernel's channel. Never a token in the URL."""
    match = HubOAuth.auth_header_pat.match(request.headers.get(TOKEN_HEADER, ""))
    return match.group(1) if match else None


class Hub:
    """This service's view of the hub: who owns a token, who is in a group, whose server runs."""

    def __init__(self, hub_auth: HubOAuth):
        self.hub_auth = hub_auth

    async def user_for_token(self, token: str) -> str | None:
        model = await self.hub_auth.user_for_token(token, sync=False)  # cached: the hub is not asked per post
        return model["name"] if model and model.get("kind", "user") == "user" else None  # a service holds no seat

    async def api(self, path: str):
        """GET the hub's API with the service's own token; None when refused (missing scope, no such group)."""
        response = await AsyncHTTPClient().fetch(HTTPRequest(
            url_path_join(self.hub_auth.api_url, path),
            headers={"Authorization": f"token {self.hub_auth.api_token}"}), raise_error=False)
        return json.loads(response.body) if response.code == 200 else None


class HubSeats:
    """SeatAuth on the hub: the seat is the name of the hub user whose token the post carries."""

    def __init__(self, hub: Hub):
        self.hub = hub

    async def seat_for(self, request) -> str | None:
        token = header_token(_request(request))
        return await self.hub.user_for_token(token) if token else None


class HubTeachers:
    """TeacherAuth on the hub: a user in the group `teachers`, by this service's OAuth cookie (a browser) or
    by a hub token in the Authorization header (a script)."""

    def __init__(self, hub: Hub, cookie_secret: bytes, group: str = TEACHERS_GROUP):
        self.hub, self.cookie_secret, self.group = hub, cookie_secret, group
        self._members, self._members_at = frozenset(), -float("inf")

    async def members(self) -> frozenset:
        if time.monotonic() - self._members_at > GROUP_CACHE_SECONDS:
            group = await self.hub.api(f"groups/{self.group}")  # scope read:groups!group=teachers
            self._members = frozenset(group["users"] if group else ())  # refused: nobody, the safe failure
            self._members_at = time.monotonic()
        return self._members

    def cookie_token(self, request) -> str | None:
        """The hub token HubOAuthCallbackHandler signed into this service's cookie after the OAuth login."""
        name = self.hub.hub_auth.cookie_name
        cookie = request.cookies.get(name)
        token = cookie and tornado.web.decode_signed_value(self.cookie_secret, name, cookie.value)
        return token.decode("ascii", "replace") if token else None

    async def user(self, request) -> str | None:
        """The hub user the request speaks for: a token in its header, else this service's login cookie."""
        request = _request(request)
        token = header_token(request)
        if not token:
            token = self.cookie_token(request)
            # a cookie rides along with any request the browser makes: a change must come from this origin
            if token and request.method not in READ_ONLY and not same_origin(request):
                return None
        return await self.hub.user_for_token(token) if token else None

    async def allows(self, request) -> bool:
        name = await self.user(request)
        return name is not None and name in await self.members()

    def login_url(self, handler) -> str:
        """The hub's OAuth authorisation, which brings the browser back to the page it asked for."""
        state = self.hub.hub_auth.set_state_cookie(handler, next_url=handler.request.uri)
        return url_concat(self.hub.hub_auth.login_url, {"state": state})


def same_origin(request) -> bool:
    """Whether the browser says the request comes from a page of this origin (Sec-Fetch-Site, else Origin)."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site == "same-origin"
    origin = request.headers.get("Origin")
    return origin is not None and urlparse(origin).netloc == request.host


class ConnectedSeats:
    """The users whose server is running: asked of the hub in the background (scopes list:users, read:servers)."""

    def __init__(self, hub: Hub):
        self.hub, self.names = hub, frozenset()

    async def refresh(self) -> None:
        users = await self.hub.api("users?state=ready")
        if users is not None:
            self.names = frozenset(u["name"] for u in users)

    def __call__(self) -> set:
        return set(self.names)


def make_app(class_data: Path) -> tornado.web.Application:
    """The service's routes: the record's and the teacher's (from record_handlers), and the OAuth callback."""
    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", SERVICE_PREFIX)
    # the one HubOAuth of this process: HubOAuthCallbackHandler finds it as the singleton
    hub = Hub(HubOAuth.instance(cache_max_age=60))
    cookie_secret = os.urandom(32)  # a new one per start only means teachers log in again
    teachers = HubTeachers(hub, cookie_secret)
    connected = ConnectedSeats(hub)
    record = ClassRecord(class_data / FILE_NAME, load_catalogue(ROOT / "exercises"))  # the exercises' texts

    class TeacherPage(record_handlers.TeacherPage):
        """The page: a browser not logged in here (or whose login the hub no longer knows: revoked, expired, a
        restart's new cookie secret) goes through the hub's login first. The API answers 403 instead."""

        async def prepare(self):
            if not header_token(self.request) and await teachers.user(self.request) is None:
                return self.redirect(teachers.login_url(self))
            await super().prepare()

    routes = [(pattern, TeacherPage if cls is record_handlers.TeacherPage else cls, kwargs)
              for pattern, cls, kwargs in record_handlers.record_routes(
                  prefix, lambda: record, HubSeats(hub), teachers, connected=connected)]
    routes += [(url_path_join(prefix, "oauth_callback"), HubOAuthCallbackHandler),
               # the hub's Services menu links to the service's root: the page is one step further
               (prefix.rstrip("/") + "/?", tornado.web.RedirectHandler,
                {"url": url_path_join(prefix, "teacher"), "permanent": False})]
    app = tornado.web.Application(routes, cookie_secret=cookie_secret)
    app.record, app.connected = record, connected
    return app


def service_address(ip: str | None) -> tuple[str, int]:
    """Where to listen: JUPYTERHUB_SERVICE_URL's port, on its host unless --ip says otherwise (on Kubernetes
    the URL's host is the hub's Service name, which the pod itself cannot bind)."""
    url = urlparse(os.environ["JUPYTERHUB_SERVICE_URL"])
    return ip or url.hostname, url.port or 80


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--class-data", type=Path, default=Path(os.environ.get("CLASS_DATA", "class-data")),
                        help=f"folder of {FILE_NAME} and its archives (on Kubernetes: the service's own volume)")
    parser.add_argument("--ip", default=None, help="address to listen on (default: JUPYTERHUB_SERVICE_URL's host)")
    args = parser.parse_args(argv)
    ip, port = service_address(args.ip)
    app = make_app(args.class_data)
    app.listen(port, ip)
    tornado.ioloop.PeriodicCallback(app.connected.refresh, CONNECTED_SECONDS * 1000).start()
    print(f"teacher service: {os.environ.get('JUPYTERHUB_SERVICE_PREFIX')} on {ip}:{port}, "
          f"record in {args.class_data.absolute()}", flush=True)
    tornado.ioloop.IOLoop.current().start()


if __name__ == "__main__":
    main()
