"""Writes app.ipynb: one cell for the app, one per lesson (shown when on the path); no logic lives in the notebook.
Run from the repo root: .venv/bin/python tools/make_notebook.py"""
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from core import LESSONS  # noqa: E402
from widgets.shell.page_guard import page_script  # noqa: E402

# The lessons' headings and texts live in the catalogues (locales/*.json) and show inside each panel, in the chosen
# language, and only when the lesson is on the page's path (?lesson=lr,loop): a Markdown cell could do neither.


def main(path="app.ipynb"):
    # The page's own script rides in the first (and only) Markdown cell: Voila writes it into the page before its
    # JavaScript. The title and the lessons' texts are the app's, in the chosen language.
    cells = [new_markdown_cell(page_script()), new_code_cell("from widgets.shell.app import App\n\napp = App()\napp")]
    cells += [new_code_cell(f'app.show("{lesson}")') for lesson in LESSONS]
    # Last, so that a kernel from Voila's preheated pool builds everything before it waits for its page.
    cells.append(new_code_cell("app.apply_page_settings()  # settings in the page URL, e.g. ?lr=0.05&lang=zh"))
    nb = new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    })
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i}"  # stable ids keep the file's diff quiet when it is regenerated
    nbformat.write(nb, path)


if __name__ == "__main__":
    main()
