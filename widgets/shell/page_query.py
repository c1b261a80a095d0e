"""The page URL's query string, read in the kernel: from the environment Voila starts a page's kernel with,
or, in a kernel Voila preheated before any page asked, from Voila once a page takes that kernel."""
from __future__ import annotations

import asyncio
import json
import os
import threading

QUERY_WAIT_SECONDS = 20  # one connection's wait for the query before asking again on a new one


def preheated() -> bool:
    """True in a kernel Voila preheated before any page asked for it (its page, and the query, come later)."""
    return os.environ.get("VOILA_PREHEAT") == "True"


def page_query() -> str:
    """The page's query (?lr=0.05&lang=zh); "" where there is none (JupyterLab, Colab, a script)."""
    if preheated():
        os.environ.update(preheated_request_info())  # as voila.utils.get_query_string does
    return os.environ.get("QUERY_STRING", "")


def preheated_request_info(wait_seconds: float = QUERY_WAIT_SECONDS) -> dict:
    """What Voila tells a preheated kernel once a page has taken it: the page request's variables (QUERY_STRING
    among them), sent over Voila's query websocket, ws://<app ip>:<app port><ws base url>voila/query/<kernel id>.

    voila.utils.get_query_string speaks this protocol too, but importing voila.utils imports Voila's server
    (jupyter_server and its event schemas): 1.8 CPU-s in every kernel of a class pool. Here it is spoken with
    the websockets library Voila brings, in a thread with an event loop of its own (the kernel's is running).

    A pooled kernel waits here until a page takes it, which may be long; but each wait on one connection has
    a deadline, after which it connects again: a waiter the server lost (Voila's own handler can drop it)
    costs a page at most `wait_seconds`, as Voila (and the class server always) keeps the query for a new
    connection. Only a refused connection, or no Voila at all, ends the wait: no settings."""
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed, InvalidStatus, WebSocketException

    env = os.environ
    base = env.get("VOILA_WS_BASE_URL", env.get("VOILA_SERVER_URL", "/"))
    url = (f"{env.get('VOILA_WS_PROTOCOL', 'ws')}://{env.get('VOILA_APP_IP', '127.0.0.1')}:"
           f"{env.get('VOILA_APP_PORT', '8866')}{base}voila/query/{env.get('VOILA_KERNEL_ID')}")
    info = {}

    async def first_message():
        while True:
            try:
                async with connect(url, open_timeout=5, max_size=None) as websocket:
                    return await asyncio.wait_for(websocket.recv(), wait_seconds)  # sent once a page takes us
            except (TimeoutError, asyncio.TimeoutError, ConnectionClosed):
                continue  # the server may have lost this waiter: ask again on a new connection
            except InvalidStatus:
                raise  # refused: this is not a kernel the server waits for

    def receive():
        try:
            info.update(json.loads(asyncio.run(first_message())))
        except (OSError, ValueError, WebSocketException):  # no Voila to ask: no settings
            pass

    thread = threading.Thread(target=receive, name="tp-page-query")
    thread.start()
    thread.join()
    return info
