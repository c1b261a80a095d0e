"""End to end: a learner exports the Seeds panel's run in the browser, downloads reproduce.py and runs it
alone, in an empty folder, in a fresh isolated Python: it prints the fingerprint the page showed."""
import subprocess
import sys

import pytest

from servers import voila

pytestmark = pytest.mark.browser
LOAD_TIMEOUT_MS = 180_000


def test_the_downloaded_script_prints_the_fingerprint_the_page_shows(browser, tmp_path):
    with voila() as server:
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        page.goto(server.url + "/", timeout=LOAD_TIMEOUT_MS)
        page.wait_for_selector(".tp-panel-gpu", timeout=LOAD_TIMEOUT_MS)  # the last panel: the page is built
        page.click(".tp-panel-seeds .tp-export")
        link = page.wait_for_selector(".tp-panel-seeds a[download='reproduce.py']", timeout=LOAD_TIMEOUT_MS)
        shown = page.inner_text(".tp-panel-seeds .tp-export-copy >> xpath=preceding-sibling::p[1]//code")
        with page.expect_download() as download:
            link.click()
        folder = tmp_path / "downloads"
        folder.mkdir()
        download.value.save_as(folder / "reproduce.py")
        page.close()
    out = subprocess.run([sys.executable, "-I", "reproduce.py"], cwd=folder, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr
    assert len(shown) == 64 and out.stdout.strip().splitlines()[-1] == shown
