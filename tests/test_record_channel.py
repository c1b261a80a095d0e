"""The kernel's side of the class record (widgets/shell/record_channel.py): what the app posts and when, to a
small HTTP server in this process; and that a slow, refusing or absent server never reaches the learner."""
from __future__ import annotations

import dataclasses
import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from widgets.shell import record_channel
from widgets.shell.app import App
from widgets.shell.record_channel import RecordChannel, finished_histories


class FakeRecord:
    """Takes posts on a free loopback port; `gate` (when set) holds each answer until released."""

    def __init__(self, status=204, reply=b"", gate: threading.Event | None = None):
        self.posts, self.got = [], threading.Condition()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with outer.got:
                    outer.posts.append((self.path, self.headers["Authorization"], json.loads(body)))
                    outer.got.notify_all()
                if gate is not None:
                    gate.wait(30)
                self.send_response(status)
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/class/record"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def wait_for(self, count: int) -> list:
        with self.got:
            assert self.got.wait_for(lambda: len(self.posts) >= count, timeout=60), self.posts
            return list(self.posts)


def test_a_channel_only_where_the_server_gave_one():
    assert RecordChannel.from_env({}) is None
    assert RecordChannel.from_env({"TP_RECORD_URL": "http://x"}) is None
    local = RecordChannel.from_env({"TP_RECORD_URL": "http://x/class/record", "TP_RECORD_KEY": "k"})
    hub = RecordChannel.from_env({"TP_RECORD_URL": "http://svc/class/record", "JUPYTERHUB_API_TOKEN": "h"})
    assert (local.url, local.key, hub.key) == ("http://x/class/record", "k", "h")


def test_a_finished_lr_run_posts_each_run_s_summary_and_the_answered_exercise(monkeypatch):
    monkeypatch.delenv("TP_RECORD_URL", raising=False)
    with FakeRecord() as fake:
        app = App(query="")
        app.ctx.record = RecordChannel(fake.url, "the-key")
        panel = app.panel("lr")
        panel.base = dataclasses.replace(panel.base, epochs=1, batch_size=128)  # a short run says as much here
        panel.exercises.predict("lr-diverges", 1)
        panel.run.click()  # headless: runs inline; the posts go from the channel's thread
        posts = fake.wait_for(5)
    assert {path for path, _, _ in posts} == {"/class/record"}
    assert {auth for _, auth, _ in posts} == {"token the-key"}
    runs = [body["record"] for *_, body in posts if body["kind"] == "run"]
    (answer,) = [body["record"] for *_, body in posts if body["kind"] == "answer"]
    histories = [h for _slot, h in sorted(panel.results.items())]
    assert sorted(r["fingerprint"] for r in runs) == sorted(h.fingerprint for h in histories)
    assert sorted(r["config"]["lr"] for r in runs) == sorted(h.config.lr for h in histories)
    assert {r["lesson"] for r in runs} == {"lr"} and all(r["regime"] for r in runs)
    assert answer == panel.exercises.records[-1].to_dict()


def test_a_slow_server_holds_no_run_and_a_refusal_or_no_server_is_only_logged(caplog):
    gate = threading.Event()
    with FakeRecord(gate=gate) as slow:
        channel = RecordChannel(slow.url, "k", timeout=30)
        channel.name("Ana")  # returns at once: the server has not answered (gate closed) …
        slow.wait_for(1)
        assert not gate.is_set() and channel.queue.unfinished_tasks == 1  # … and still holds the post
        gate.set()
        assert channel.wait(60)
    with caplog.at_level(logging.WARNING, logger="training_playground"):
        with FakeRecord(status=400, reply=b'{"error": "runs", "message": "this seat has 2000 runs"}') as refusing:
            channel = RecordChannel(refusing.url, "k")
            channel.name("Ana")
            assert channel.wait(60)
        nowhere = RecordChannel(refusing.url, "k", timeout=1)  # the server is gone now
        nowhere.name("Ana")
        assert nowhere.wait(60)
    logged = caplog.text
    assert "this seat has 2000 runs" in logged and "post failed" in logged


def test_only_finished_runs_are_summaries():
    from core import RunConfig, train

    done = train(RunConfig(epochs=1, batch_size=256, hidden=(8,)))
    stopped_event = threading.Event()
    stopped_event.set()
    stopped = train(RunConfig(epochs=1, batch_size=256, hidden=(8,)), stop=stopped_event)
    paused = type("Run", (), {"done": False, "history": done})()
    finished = type("Run", (), {"done": True, "history": done})()
    assert stopped.stopped
    assert finished_histories([done, stopped]) == [done]
    assert finished_histories(paused) == [] and finished_histories(finished) == [done]
    assert finished_histories({"a": done}) == [done] and finished_histories(None) == []


def test_the_name_box_is_there_only_with_a_channel_and_sends_what_the_learner_typed(monkeypatch):
    monkeypatch.delenv("TP_RECORD_URL", raising=False)
    assert App(query="").name_box is None
    with FakeRecord() as fake:
        monkeypatch.setenv("TP_RECORD_URL", fake.url)
        monkeypatch.setenv("TP_RECORD_KEY", "k")
        app = App(query="")
        assert app.name_box.widget in app.header.children
        app.name_box.text.value = "x" * (record_channel.NAME_CHARS + 1)  # refused here, with the reason
        assert app.status.kind == "error" and str(record_channel.NAME_CHARS) in app.status.text
        app.name_box.text.value = "  <img src=x onerror=alert(1)>  "
        ((_, _, body),) = fake.wait_for(1)
        assert body == {"kind": "name", "name": "<img src=x onerror=alert(1)>"}
        assert app.status.kind == "ok"
