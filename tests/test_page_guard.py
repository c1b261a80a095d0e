"""The page guard's grace before it says panels did not arrive: the product default, and the setting a
browser test uses to see the banner without waiting the default out."""
from widgets.shell.page_guard import PageGuard


def test_the_grace_is_twenty_seconds_unless_set(monkeypatch):
    monkeypatch.delenv("TP_PANELS_GRACE_MS", raising=False)
    assert PageGuard(panels=["tp-panel-lr"]).grace_ms == 20_000


def test_tp_panels_grace_ms_sets_the_grace(monkeypatch):
    monkeypatch.setenv("TP_PANELS_GRACE_MS", "1500")
    assert PageGuard(panels=["tp-panel-lr"]).grace_ms == 1500


def test_the_notebook_carries_the_page_script_in_its_first_markdown_cell():
    """Voila writes Markdown HTML into the page before its own JavaScript: the script must be in app.ipynb as
    tools/make_notebook.py writes it (run that after changing page_guard.py)."""
    import nbformat

    from servers import ROOT
    from widgets.shell.page_guard import page_script

    first = nbformat.read(ROOT / "app.ipynb", as_version=4).cells[0]
    assert first.cell_type == "markdown" and first.source.endswith(page_script())
    assert "Control comm did not respond" in page_script() and "_xsrf=" in page_script()


def test_the_page_script_survives_voilas_markdown_rendering_whole():
    """Voila renders the cell with nbconvert's Markdown renderer: the script must come out as one HTML block,
    byte for byte (a line of HTML before it once made the block end at the script's first blank line)."""
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    from widgets.shell.page_guard import page_script

    script = page_script()[page_script().index("<script>"):page_script().index("</script>") + len("</script>")]
    assert "\n\n" in script and script in markdown2html_mistune(page_script())
