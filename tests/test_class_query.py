"""The class server's own doors (class/page_handlers.py), probed without a browser: Voila's query socket
answers only this server's running kernels, only the app's template is served, and a learner's kernel no
page is connected to is culled after the idle time (issue 23, items 1 and 7)."""
from __future__ import annotations

import asyncio
import json
import re
import urllib.request
import uuid

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from classroom import class_server, http_status, wait_for_log

pytestmark = pytest.mark.server  # a websockets client's keepalive ping draws from `random` (conftest.py)
IDLE_SECONDS = 6
KERNEL_ID = re.compile(r'"kernelId": "([0-9a-f-]{36})"')


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with class_server(tmp_path_factory.mktemp("class-query"), size=3, pool=1, idle_seconds=IDLE_SECONDS,
                      name="class-query") as srv:
        wait_for_log(srv, r"Kernel started")  # the pooled kernel, soon waiting on its query socket
        yield srv


def whole_page(url: str) -> str:
    with urllib.request.urlopen(url, timeout=120) as r:
        return r.read().decode(errors="replace")


async def open_and_close_two(url):
    """The review's probe: two sockets to one id, closed second then first; the HTTP status each got."""
    statuses = []
    sockets = []
    for _ in range(2):
        try:
            sockets.append(await connect(url, open_timeout=30))
            statuses.append(101)
        except InvalidStatus as refused:
            statuses.append(refused.response.status_code)
    for websocket in reversed(sockets):
        await websocket.close()
    return statuses


def test_the_query_socket_refuses_a_made_up_kernel_and_the_next_page_gets_its_query(server):
    """Before the fix both sockets were accepted, and closing them unhooked the pooled kernel's waiter:
    its last cell never ended, so the next page never finished loading (the read below timed out)."""
    pooled = re.search(r"Kernel started: ([0-9a-f-]{36})", server.log_path.read_text(errors="replace")).group(1)
    ws = server.url.replace("http://", "ws://") + f"/voila/query/{uuid.uuid4()}"
    assert asyncio.run(open_and_close_two(ws)) == [404, 404]
    page = whole_page(server.url + "/?lr=0.0123")
    assert KERNEL_ID.search(page).group(1) == pooled  # taken from the pool: it waited for this page's query
    assert page.rstrip().endswith("</script>") and "setTimeout(check" in page  # rendered to its end


@pytest.mark.parametrize("template", ["reveal", "classic", "../lab"])
def test_another_template_is_refused_before_any_kernel_starts(server, template):
    started = len(re.findall(r"Kernel started", server.log_path.read_text(errors="replace")))
    status, body, _ = http_status(f"{server.url}/?template={template}")
    assert status == 400 and "Traceback" not in body
    assert len(re.findall(r"Kernel started", server.log_path.read_text(errors="replace"))) == started


def test_a_kernel_whose_page_left_is_culled_after_the_idle_time(server):
    page = whole_page(server.url + "/")
    kernel = KERNEL_ID.search(page).group(1)

    async def visit():
        url = server.url.replace("http://", "ws://") + f"/api/kernels/{kernel}/channels?session_id={uuid.uuid4()}"
        async with connect(url, open_timeout=60):
            pass

    asyncio.run(visit())
    # An idle kernel is taken by whichever cull looks first after the idle time: the class server's own (which
    # also takes a busy or still-drawing one) or Jupyter's idle cull; both say which kernel and why.
    wait_for_log(server, rf"(class: culling kernel {kernel}: no page connected to it for {IDLE_SECONDS}"
                         rf"|Culling 'idle' kernel '\w+' \({kernel}\) with 0 connections due to {IDLE_SECONDS} s)")
    wait_for_log(server, rf"Kernel shutdown: {kernel}")


def test_a_malformed_widget_update_gets_an_error_without_a_traceback_and_the_page_goes_on(server):
    """Issue 23.5 on the class server: the error reaches the page with its traceback replaced (not dropped
    with the page's message stream stalled behind it), and the kernel answers after it."""
    from test_plain_voila_tracebacks import MODEL_ID, replies

    page = whole_page(server.url + "/")
    kernel = KERNEL_ID.search(page).group(1)
    url = server.url.replace("http://", "ws://") + f"/api/kernels/{kernel}/channels?session_id={uuid.uuid4()}"
    seen = asyncio.run(replies(url, sorted(set(MODEL_ID.findall(page)))[:12]))
    errors = [m for m in seen if m["msg_type"] == "error"]
    assert errors and all(m["content"]["ename"] == "ExecutionError" for m in errors)
    assert "Traceback" not in json.dumps(seen) and "site-packages" not in json.dumps(seen)
