"""Settings in the page URL reach the panels, whether the kernel started with the page or waited in a pool."""
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from widgets.shell.app import App, url_settings

ROOT = Path(__file__).resolve().parents[1]


def test_query_values_are_parsed_as_numbers_where_they_are_numbers():
    assert url_settings("lr=0.05&seed=7&lang=zh&init=xavier_uniform") == {
        "lr": 0.05, "seed": 7, "lang": "zh", "init": "xavier_uniform"}
    assert url_settings("") == {}


def test_a_kernel_started_for_the_page_reads_the_query_from_its_environment(monkeypatch):
    monkeypatch.delenv("VOILA_PREHEAT", raising=False)
    monkeypatch.setenv("QUERY_STRING", "seed=7&lang=zh")
    app = App()
    assert app.lang.value == "zh" and app.seeds.seed.value == "7"


def test_a_preheated_kernel_builds_with_defaults_and_takes_the_query_when_its_page_arrives(monkeypatch):
    monkeypatch.setenv("VOILA_PREHEAT", "True")  # the notebook ran before any page asked
    app = App()
    lr, seeds = app.lr, app.seeds
    assert app.lang.value == "en" and seeds.seed.value == "0" and lr.base.epochs == 2
    app.apply_page_settings("seed=7&epochs=3&lang=zh&init=xavier_uniform")
    assert app.lang.value == "zh" and seeds.seed.value == "7"
    assert lr.base.seed == 7 and lr.base.epochs == 3
    assert app.init.settings()["init"] == "xavier_uniform"  # a panel built later takes them too
    assert app.train.controls.config().epochs == 3


def test_a_bad_value_in_the_url_is_reported_and_the_rest_still_apply(monkeypatch):
    monkeypatch.delenv("VOILA_PREHEAT", raising=False)
    app = App(query="seed=7&depth=999")
    init = app.init
    assert app.status.kind == "error"
    assert init.settings()["depth"] != 999 and init.settings()["seed"] == "0"  # refused as a whole, defaults kept
    assert app.seeds.seed.value == "7"  # a panel without a depth took its part


@pytest.mark.parametrize("query", ["", "lang=fr", "nonsense"])
def test_queries_without_settings_change_nothing(query, monkeypatch):
    monkeypatch.delenv("VOILA_PREHEAT", raising=False)
    app = App(query="")
    before = app.seeds.settings()
    app.apply_page_settings(query)
    assert app.seeds.settings() == before and app.lang.value == "en"


def test_a_preheated_kernel_gets_the_query_from_voilas_query_socket_without_importing_voila():
    """Voila sends a preheated kernel its page's request variables over ws://…/voila/query/<kernel id> once a page
    takes it (test_class_faults checks this against the real server); reading them must not import Voila's
    server into the kernel (1.8 CPU-s in every kernel of a class pool)."""
    from websockets.sync.server import serve

    asked = []

    def voila_query_socket(websocket):
        asked.append(websocket.request.path)
        websocket.send(json.dumps({"QUERY_STRING": "seed=7&lang=zh", "SCRIPT_NAME": "/"}))

    code = ("import sys\nfrom widgets.shell.page_query import page_query\n"
            "print(page_query())\nprint([m for m in ('voila', 'jupyter_server') if m in sys.modules])")
    with serve(voila_query_socket, "127.0.0.1", 0) as server:
        thread = threading.Thread(target=server.serve_forever)
        thread.start()
        env = {**os.environ, "VOILA_PREHEAT": "True", "VOILA_APP_IP": "127.0.0.1",
               "VOILA_APP_PORT": str(server.socket.getsockname()[1]), "VOILA_SERVER_URL": "/", "VOILA_KERNEL_ID": "k1"}
        try:
            out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True,
                                 timeout=120, check=True)
        finally:
            server.shutdown()
            thread.join()
    assert out.stdout.splitlines() == ["seed=7&lang=zh", "[]"], out.stderr
    assert asked == ["/voila/query/k1"]


def _query_server(answer):
    """A stand-in for Voila's query socket on a free loopback port; `answer(websocket, n)` handles connection n."""
    from websockets.sync.server import serve

    count = []

    def handler(websocket):
        count.append(websocket.request.path)
        answer(websocket, len(count))

    server = serve(handler, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, count


@pytest.mark.parametrize("first", ["silent", "closed"])
def test_a_preheated_kernel_whose_waiter_was_lost_asks_again_and_gets_its_query(first, monkeypatch):
    """Issue 23.1: a server that lost this kernel's waiter (silent) or dropped the socket (closed) must not
    leave the kernel waiting forever: it connects again and takes the query the server kept."""
    from widgets.shell.page_query import preheated_request_info

    released = threading.Event()

    def answer(websocket, n):
        if n == 1:
            if first == "silent":
                released.wait()  # holds the first connection open and says nothing
            return  # closes it
        websocket.send(json.dumps({"QUERY_STRING": "seed=9"}))

    server, count = _query_server(answer)
    monkeypatch.setenv("VOILA_APP_IP", "127.0.0.1")
    monkeypatch.setenv("VOILA_APP_PORT", str(server.socket.getsockname()[1]))
    monkeypatch.setenv("VOILA_SERVER_URL", "/")
    monkeypatch.setenv("VOILA_KERNEL_ID", "k2")
    try:
        info = preheated_request_info(wait_seconds=0.2)
    finally:
        released.set()
        server.shutdown()
    assert info == {"QUERY_STRING": "seed=9"} and count == ["/voila/query/k2"] * 2


def test_a_refused_query_socket_ends_the_wait_with_no_settings(monkeypatch):
    from websockets.sync.server import serve

    from widgets.shell.page_query import preheated_request_info

    def refuse(connection, request):
        return connection.respond(403, "not a kernel of this server\n")

    server = serve(lambda ws: None, "127.0.0.1", 0, process_request=refuse)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("VOILA_APP_IP", "127.0.0.1")
    monkeypatch.setenv("VOILA_APP_PORT", str(server.socket.getsockname()[1]))
    monkeypatch.setenv("VOILA_KERNEL_ID", "k3")
    try:
        assert preheated_request_info(wait_seconds=0.2) == {}
    finally:
        server.shutdown()
