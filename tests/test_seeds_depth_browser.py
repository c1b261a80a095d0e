"""Issue 16's Seeds sections in Chromium: resume and the butterfly run from the page, and the yes/no marks
are drawn without any symbol font (dingbats showed as empty boxes)."""
import pytest

from test_browser import LOAD_TIMEOUT_MS, open_app

pytestmark = pytest.mark.browser


def wait_text(page, selector, text):
    page.wait_for_function("([s, t]) => (document.querySelector(s) || {innerText: ''}).innerText.includes(t)",
                           arg=[selector, text], timeout=LOAD_TIMEOUT_MS)


def test_resume_and_butterfly_from_the_page_and_marks_without_symbol_fonts(browser, server):
    page = open_app(browser, server)
    seeds = ".tp-panel-seeds"
    page.click(f"{seeds} .tp-seeds-resume")
    wait_text(page, f"{seeds} .tp-seeds-resume-verdict", "IDENTICAL")
    page.click(f"{seeds} .tp-resume-position input")  # untick: the rest of the epoch gets reshuffled
    page.click(f"{seeds} .tp-seeds-resume")
    wait_text(page, f"{seeds} .tp-seeds-resume-verdict", "DIFFERENT from step 40")
    assert "Not saved: position in the epoch" in page.inner_text(f"{seeds} .tp-seeds-resume-verdict")
    page.click(f"{seeds} .tp-seeds-butterfly")
    wait_text(page, ".tp-status", "The twins have trained.")
    bits = page.inner_html(f"{seeds} .tp-seeds-butterfly-bits")
    assert bits.count("<b style") == 2 and "→" in bits
    # every mark's drawn content is empty (a shape drawn with borders) or Latin-1, which every text font has
    contents = page.evaluate("""() => ['yes', 'no', 'warning', 'info'].map(kind => {
        const span = document.createElement('span');
        span.className = 'tp-mark tp-mark-' + kind;
        document.body.appendChild(span);
        const content = getComputedStyle(span, '::before').content;
        const width = span.getBoundingClientRect().width;
        span.remove();
        return [content, width];
    })""")
    for content, width in contents:
        text = content.strip('"') if content not in ("none", "normal") else ""
        assert all(ord(c) <= 0xFF for c in text), content
        assert width > 0
    for name, selector in (("16-seeds-butterfly", ".tp-seeds-butterfly-bits"),
                           ("16-seeds-resume", ".tp-seeds-resume-verdict")):
        page.locator(f"{seeds} {selector}").scroll_into_view_if_needed()
        page.screenshot(path=str(shot_path(name)))
    page.close()


def shot_path(name):
    from servers import ARTIFACTS

    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / f"{name}.png"
