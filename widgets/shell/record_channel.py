"""The kernel's side of the class record (issue 26): answers, finished runs and the display name, posted to the
class server (or the hub's service) that started this kernel.

Only where the server gave this kernel a channel: TP_RECORD_URL plus a key (TP_RECORD_KEY from the class server,
or the hub's JUPYTERHUB_API_TOKEN). Posting never slows or breaks a run: posts wait in a bounded queue for one
background thread, each with a short timeout; a failure is logged (the app's log), never shown to the learner.
"""
from __future__ import annotations

import json
import os
import queue
import threading
import urllib.error
import urllib.request

from core import History, run_summary

from .status import log

# class/record_local.py's ENV_URL and ENV_KEY (the server sets them; tests/test_record_channel.py checks they agree)
ENV_URL, ENV_KEY, HUB_KEY = "TP_RECORD_URL", "TP_RECORD_KEY", "JUPYTERHUB_API_TOKEN"
TIMEOUT_S = 2.0  # a server that takes longer is busy or gone: the record misses this post, the run goes on
QUEUE_SIZE = 256  # posts waiting at most; past it a post is dropped (and logged) rather than held in memory
NAME_CHARS = 40  # class/record.py's LIMITS["name_chars"] (checked equal by the same test)


def finished_histories(result) -> list:
    """The finished runs in what a panel's background work returned: a History, a Run that is done, or a list,
    tuple or dict of those (one level). Stopped or paused runs are not the runs a learner finished."""
    items = result if isinstance(result, (list, tuple)) else list(result.values()) if isinstance(result, dict) \
        else [result]
    found = []
    for item in items:
        if isinstance(item, History):
            history = item
        elif getattr(item, "done", False) and isinstance(getattr(item, "history", None), History):
            history = item.history
        else:
            continue
        if not history.stopped:
            found.append(history)
    return found


class RecordChannel:
    """Posts to one record URL with one key, from a daemon thread started on the first post."""

    def __init__(self, url: str, key: str, timeout: float = TIMEOUT_S):
        self.url, self.key, self.timeout = url, key, timeout
        self.queue = queue.Queue(QUEUE_SIZE)
        self.thread = None
        self.lock = threading.Lock()

    @classmethod
    def from_env(cls, env=None):
        """The channel this kernel was given, or None (JupyterLab, Colab, plain Voila: no record)."""
        env = os.environ if env is None else env
        url, key = env.get(ENV_URL), env.get(ENV_KEY) or env.get(HUB_KEY)
        return cls(url, key) if url and key else None

    # -- what the app posts --------------------------------------------------------------------------------
    def answer(self, record: dict) -> None:
        self._post({"kind": "answer", "record": record})

    def runs(self, lesson: str, result) -> None:
        for history in finished_histories(result):
            self._post({"kind": "run", "record": run_summary(lesson, history)})

    def name(self, name: str) -> None:
        self._post({"kind": "name", "name": name})

    # -- the background thread -----------------------------------------------------------------------------
    def _post(self, body: dict) -> None:
        try:
            data = json.dumps(body, allow_nan=False).encode()
            self.queue.put_nowait(data)
        except (ValueError, TypeError, queue.Full) as exc:
            log.warning("class record: %s post dropped (%s)", body.get("kind"), type(exc).__name__)
            return
        with self.lock:
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._send_forever, name="tp-record", daemon=True)
                self.thread.start()

    def _send_forever(self) -> None:
        while True:
            data = self.queue.get()
            try:
                self.send(data)
            except urllib.error.HTTPError as exc:  # a refusal (a bound reached): its short message, for the log
                log.warning("class record: post refused (%s): %s", exc.code, exc.read(300).decode(errors="replace"))
            except Exception as exc:  # never the learner's problem: the record misses this one
                log.warning("class record: post failed: %s", exc)
            finally:
                self.queue.task_done()

    def send(self, data: bytes) -> None:
        request = urllib.request.Request(self.url, data=data, method="POST", headers={
            "Content-Type": "application/json", "Authorization": f"token {self.key}"})
        with urllib.request.urlopen(request, timeout=self.timeout) as reply:
            reply.read()

    def wait(self, timeout: float | None = None) -> bool:
        """Tests: True once every queued post has been sent (or has failed)."""
        done = threading.Event()
        threading.Thread(target=lambda: (self.queue.join(), done.set()), daemon=True).start()
        return done.wait(timeout)
