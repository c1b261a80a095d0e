"""A class kernel steps back for the server (widgets/shell/priority.py): a process leading its own session, as every
kernel does, raises its session's autogroup nice value to TP_KERNEL_NICE when it builds the App; one that shares
its session (it would lower the server's priority too) lowers only its own thread; without the variable, nothing."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from servers import ROOT

AUTOGROUP = Path("/proc/self/autogroup")
pytestmark = pytest.mark.skipif(not AUTOGROUP.exists(), reason="Linux without autogroups (CONFIG_SCHED_AUTOGROUP)")
# "/autogroup-7 nice 0"; empty for a process in the root group (one whose session began before any setsid, as a CI
# runner's may), whose nice value cannot be changed: reported as "root".
REPORT = ("import os; from pathlib import Path; print((Path('/proc/self/autogroup').read_text().split() or ['root'])[-1], "
          "os.getpriority(os.PRIO_PROCESS, 0))")


def group_nice(reported: str) -> int | str:
    return reported if reported == "root" else int(reported)


def this_group() -> int | str:
    """The test runner's own group's nice value, as REPORT gives it."""
    return group_nice((AUTOGROUP.read_text().split() or ["root"])[-1])


def run(code: str, nice: str | None, own_session: bool) -> tuple:
    """(autogroup nice, thread nice) that a fresh interpreter reports after `code`."""
    env = {key: value for key, value in os.environ.items() if key != "TP_KERNEL_NICE"}
    if nice is not None:
        env["TP_KERNEL_NICE"] = nice
    done = subprocess.run([sys.executable, "-c", f"{code}\n{REPORT}"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120, start_new_session=own_session, check=True)
    group, thread = done.stdout.split()[-2:]
    return group_nice(group), int(thread)


STEP_BACK = "from widgets.shell.priority import step_back_for_the_server; step_back_for_the_server()"


def test_a_class_kernel_building_the_app_lowers_its_sessions_priority():
    """What a class kernel does: its own session (setsid), the class's variable, the notebook's App()."""
    group, thread = run("from widgets.shell.app import App; App()", "10", own_session=True)
    assert (group, thread) == (10, 0)


def test_without_the_variable_nothing_changes():
    assert run(STEP_BACK, None, own_session=True) == (0, 0)
    assert run(STEP_BACK, "ten", own_session=True) == (0, 0)  # not a number: left alone


def test_a_kernel_already_lower_stays_as_low():
    code = f"from pathlib import Path; Path('/proc/self/autogroup').write_text('15'); {STEP_BACK}"
    assert run(code, "10", own_session=True) == (15, 0)


def test_where_linux_has_no_autogroups_the_kernel_lowers_its_own_thread():
    code = ("from pathlib import Path; from widgets.shell import priority; "
            "priority.AUTOGROUP = Path('/nonexistent/autogroup'); priority.step_back_for_the_server()")
    assert run(code, "10", own_session=True) == (0, 10)


def test_a_process_sharing_its_session_lowers_only_itself():
    """Lowering a shared session's group would lower the server's (or this test runner's) priority with it."""
    before = this_group()
    group, thread = run(STEP_BACK, "10", own_session=False)
    assert group == before and thread == 10
    assert this_group() == before
