"""The same notebook in JupyterLab: Run All executes it and the widgets render (plots included)."""
import pytest

from jupyter_pages import lesson_title, opened, run_all_cells, train_lr_presets
from servers import ARTIFACTS, jupyterlab

pytestmark = pytest.mark.browser


def test_notebook_runs_and_renders_in_jupyterlab():
    with jupyterlab() as lab, opened(lab, "/lab/tree/app.ipynb") as page:
        title = lesson_title(page)
        title.screenshot(path=str(ARTIFACTS / "07-jupyterlab-title.png"))
        run_all_cells(page)
        # an output cannot be fixed to Lab's window: the status line stays in flow, under the language switch
        assert page.evaluate("getComputedStyle(document.querySelector('.tp-status')).position") != "fixed"
        train_lr_presets(page, "07-jupyterlab-lr.png")
