"""Pages opened at once on plain `voila app.ipynb`, with the cores kept busy: how long until every page has its
status line, how many pages fell back to asking the kernel for each widget model one by one (Voila's widget
manager does that when the kernel's answer to "every widget's state" takes longer than it waits), and how many
the page script reloaded. `.venv/bin/python bench/ten_pages.py [--pages 10] [--busy 2] [--rounds 2]`."""
from __future__ import annotations

import argparse
import json
import multiprocessing
import pathlib
import struct
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT)]

from playwright.sync_api import sync_playwright  # noqa: E402

import servers  # noqa: E402


def busy(seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass


def msg_type(frame) -> str:
    """The msg_type of a kernel websocket frame in Jupyter's binary protocol (v1.kernel.websocket.jupyter.org)."""
    if not isinstance(frame, bytes):
        return ""
    count = struct.unpack_from("<Q", frame, 0)[0]
    offsets = struct.unpack_from(f"<{count}Q", frame, 8)
    return json.loads(frame[offsets[1]:offsets[2]]).get("msg_type", "")


def one_round(browser, pages: int) -> dict:
    with servers.voila() as server:
        contexts = [browser.new_context() for _ in range(pages)]
        tabs = [c.new_page() for c in contexts]
        loads, slow = [0] * pages, set()
        for i, tab in enumerate(tabs):
            tab.on("load", lambda _tab, i=i: loads.__setitem__(i, loads[i] + 1))
            tab.on("websocket", lambda ws, i=i: ws.on(
                "framesent", lambda frame: slow.add(i) if msg_type(frame) == "comm_info_request" else None))
        started = time.monotonic()
        for tab in tabs:
            tab.goto(server.url + "/", wait_until="commit", timeout=300_000)
        for tab in tabs:
            tab.wait_for_selector(".tp-status", timeout=300_000)
        seconds = time.monotonic() - started
        for context in contexts:
            context.close()
    return {"seconds": round(seconds, 1), "slow_path": len(slow), "reloaded": sum(n > 1 for n in loads)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=10)
    parser.add_argument("--busy", type=int, default=2, help="processes that keep a core busy meanwhile")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    burners = [multiprocessing.Process(target=busy, args=(3600,), daemon=True) for _ in range(args.busy)]
    for burner in burners:
        burner.start()
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=servers.CHROMIUM, args=servers.CHROMIUM_ARGS)
            for n in range(args.rounds):
                print(f"round {n}: {args.pages} pages, {args.busy} busy processes:", one_round(browser, args.pages),
                      flush=True)
    finally:
        for burner in burners:
            burner.terminate()


if __name__ == "__main__":
    main()
