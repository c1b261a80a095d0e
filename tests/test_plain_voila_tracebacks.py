"""Issue 23.5: plain `voila app.ipynb` (the Docker image's command) reads voila.json, whose kernel manager
setting (MappingKernelManager.allow_tracebacks=false) keeps tracebacks and server paths out of the kernel
messages a page receives, as the class server does. The probe: malformed widget updates over the page's
websocket, as the review's fuzzer sent them."""
from __future__ import annotations

import asyncio
import json
import re
import urllib.request
import uuid

import pytest
from websockets.asyncio.client import connect

from servers import ROOT, voila

pytestmark = pytest.mark.server  # a websockets client's keepalive ping draws from `random` (conftest.py)
MODEL_ID = re.compile(r'"model_id": "([0-9a-f]{32})"')
MALFORMED = [{"value": {"not": "a value"}}, {"layout": "IPY_MODEL_nowhere"}, {"description": [1, [2]]},
             {"options": 5, "index": "x"}, {"value": 10**400 // 10**300}]


def message(session, channel, msg_type, content):
    return {"header": {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "session": session, "username": "",
                       "version": "5.3", "date": ""}, "parent_header": {}, "metadata": {}, "content": content,
            "buffers": [], "channel": channel}


async def replies(url, model_ids):
    """Send every malformed update to every widget, then a kernel_info_request; return what came back up to
    its reply (the kernel handles a session's messages in order, so every update has been handled by then)."""
    session, seen = uuid.uuid4().hex, []
    async with connect(url, open_timeout=120, max_size=None) as ws:
        for model_id in model_ids:
            for state in MALFORMED:
                await ws.send(json.dumps(message(session, "shell", "comm_msg", {
                    "comm_id": model_id, "data": {"method": "update", "state": state, "buffer_paths": []}})))
        await ws.send(json.dumps(message(session, "shell", "kernel_info_request", {})))
        while not seen or seen[-1]["msg_type"] != "kernel_info_reply":
            seen.append(json.loads(await asyncio.wait_for(ws.recv(), 240)))
    return seen


@pytest.fixture(scope="module")
def plain_voila():
    with voila() as server:
        yield server


def test_malformed_widget_updates_send_no_traceback_to_the_page(plain_voila):
    with urllib.request.urlopen(plain_voila.url + "/", timeout=240) as r:
        page = r.read().decode()
    kernel = re.search(r'"kernelId": "([0-9a-f-]{36})"', page).group(1)
    model_ids = sorted(set(MODEL_ID.findall(page)))[:12]
    assert model_ids
    url = plain_voila.url.replace("http://", "ws://") + f"/api/kernels/{kernel}/channels?session_id={uuid.uuid4()}"
    seen = asyncio.run(replies(url, model_ids))
    text = json.dumps(seen)
    assert "Traceback" not in text and str(ROOT) not in text and "site-packages" not in text
