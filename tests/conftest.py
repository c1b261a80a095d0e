"""Shared fixtures: the repo root on sys.path (core and widgets are imported from the checkout), and one
headless Chromium shared by every browser test of the session."""
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, driven by Playwright (imported here only when a browser test asks)."""
    from playwright.sync_api import sync_playwright

    from servers import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()
