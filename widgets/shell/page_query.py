"""The page URL's query string, read in the kernel: from the environment Voila starts a page's kernel with,
or, in a kernel Voila preheated before any page asked, from Voila once a page takes that kernel."""
from __future__ import annotations

import asyncio
import json
import os
import threading


def page_query() -> str:
    """The page's query (?lr=0.05&lang=zh); "" where there is none (JupyterLab, Colab, a script)."""
    if os.environ.get("VOILA_PREHEAT") == "True":
        os.environ.update(preheated_request_info())  # as voila.utils.get_query_string does
    return os.environ.get("QUERY_STRING", "")


def preheated_request_info() -> dict:
    """What Voila tells a preheated kernel once a page has taken it: the page request's variables (QUERY_STRING
    among them), sent over Voila's query websocket, ws://<app ip>:<app port><ws base url>voila/query/<kernel id>.

    voila.utils.get_query_string speaks this protocol too, but importing voila.utils imports Voila's server
    (jupyter_server and its event schemas): 1.8 CPU-s in every kernel of a class pool. Here it is spoken with
    the websockets library Voila brings, in a thread with an event loop of its own (the kernel's is running)."""
    from websockets.asyncio.client import connect
    from websockets.exceptions import WebSocketException

    env = os.environ
    base = env.get("VOILA_WS_BASE_URL", env.get("VOILA_SERVER_URL", "/"))
    url = (f"{env.get('VOILA_WS_PROTOCOL', 'ws')}://{env.get('VOILA_APP_IP', '127.0.0.1')}:"
           f"{env.get('VOILA_APP_PORT', '8866')}{base}voila/query/{env.get('VOILA_KERNEL_ID')}")
    info = {}

    async def first_message():
        async with connect(url, open_timeout=5, max_size=None) as websocket:
            return await websocket.recv()  # sent once a page takes this kernel: the pool waits till then

    def receive():
        try:
            info.update(json.loads(asyncio.run(first_message())))
        except (OSError, TimeoutError, ValueError, WebSocketException):  # no Voila to ask: no settings
            pass

    thread = threading.Thread(target=receive, name="tp-page-query")
    thread.start()
    thread.join()
    return info
