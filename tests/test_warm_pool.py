"""The class's warm pool (class/warm_pool.py): `make class` preheats one kernel per seat, says when they are
ready, and never holds more kernels than the class has seats: a page taking a pooled kernel starts no
replacement once the class is spoken for, and a seat freed is warmed again."""
from __future__ import annotations

import asyncio
import re
import sys

import pytest

from bench.class_load import Learner
from classroom import SEATS_READY, class_server, log_text, wait_for_log
from servers import ROOT, command_line, descendant_pids

sys.path.insert(0, str(ROOT / "class"))
import serve  # noqa: E402

pytestmark = pytest.mark.server  # a websockets client's keepalive ping draws from `random` (conftest.py)
SIZE = 3
KERNEL_FILE = re.compile(r"kernel-([0-9a-f-]{36})\.json")


def kernels(server) -> set:
    """The kernels running under the server, by the id in each kernel process's connection file name."""
    found = (KERNEL_FILE.search(command_line(pid).decode(errors="replace")) for pid in descendant_pids(server.proc.pid))
    return {match.group(1) for match in found if match}


def test_the_pool_is_the_class_size_unless_told_and_never_larger():
    assert serve.parse_args(["--size=12"]).pool == 12
    assert serve.parse_args(["--size=12", "--pool=4"]).pool == 4
    assert serve.parse_args(["--size=12", "--pool=40"]).pool == 12
    args = serve.parse_args(["--size=12", "--warm-starts=3"])
    assert "--pool_size=12" in serve.voila_argv(args) and "--Classroom.warm_starts=3" in serve.voila_argv(args)
    with pytest.raises(SystemExit):
        serve.parse_args(["--warm-starts=-1"])


@pytest.mark.server
def test_a_warm_class_holds_its_seats_and_no_more(tmp_path):
    with class_server(tmp_path, size=SIZE, pool=None, warm_starts=2, name="warm-pool") as server:
        wait_for_log(server, SEATS_READY)
        assert re.findall(SEATS_READY, log_text(server)) == [(str(SIZE), "")]  # every seat, none taken yet
        assert len(kernels(server)) == SIZE

        learners = [Learner(server.url) for _ in range(SIZE)]

        async def take_every_seat_then_free_one():
            await asyncio.gather(*(learner.load() for learner in learners))  # the whole class at once
            await learners[0].leave()  # a seat freed: the pool warms one kernel for it
            await asyncio.to_thread(wait_for_log, server, SEATS_READY, 2)
            running = kernels(server)
            for learner in learners[1:]:
                learner.disconnect()
            return running

        running = asyncio.run(take_every_seat_then_free_one())
        # Voila alone would have started a kernel for each page taken (three) and the line would count
        # three seats ready: here one kernel, for the one seat left.
        assert re.findall(SEATS_READY, log_text(server))[1] == ("1", str(SIZE - 1))
        assert len(running) == SIZE and {learner.kernel_id for learner in learners} - running == {learners[0].kernel_id}
        assert log_text(server).count("Kernel started") == SIZE + 1
