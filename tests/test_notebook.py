"""app.ipynb runs top to bottom in a real kernel with no error output, and every panel cell shows a widget."""
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from core import LESSONS

ROOT = Path(__file__).resolve().parents[1]
WIDGET = "application/vnd.jupyter.widget-view+json"


def test_notebook_executes_without_errors_and_shows_every_panel():
    nb = nbformat.read(ROOT / "app.ipynb", as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}).execute()
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    assert [c.source.strip().splitlines()[-1] for c in code_cells[:-1]] == [
        "app", *(f'app.show("{name}")' for name in LESSONS)]
    # the lessons' texts are the app's (in the chosen language, on the path): one Markdown cell, the page's script
    assert [c.source.lstrip()[:7] for c in nb.cells if c.cell_type == "markdown"] == ["<style>"]
    *panel_cells, last = code_cells
    assert last.source.startswith("app.apply_page_settings()") and not last.outputs  # the URL's settings, silently
    for cell in panel_cells:
        assert not [o for o in cell.outputs if o.output_type == "error" or o.get("name") == "stderr"], cell.source
        assert any(WIDGET in o.get("data", {}) for o in cell.outputs), cell.source
    text = "".join(str(o.get("data", {}).get("text/plain", "")) for c in code_cells for o in c.outputs)
    assert "Traceback" not in text and "could not start" not in text
