"""The same notebook in Notebook 7: it opens, Run All executes every cell, and a panel trains and draws."""
import pytest

from jupyter_pages import lesson_title, opened, run_all_cells, train_lr_presets
from servers import notebook7

pytestmark = pytest.mark.browser


def test_notebook_runs_and_a_panel_trains_in_notebook_7():
    with notebook7() as server, opened(server, "/notebooks/app.ipynb") as page:
        lesson_title(page)
        run_all_cells(page)
        train_lr_presets(page, "08-notebook7-lr.png")
