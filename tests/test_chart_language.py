"""In 中文 mode no chart says an English word: titles, axis titles, legend names and annotations of every figure."""
import re

import pytest

from core import INIT_SCHEMES
from widgets.shell.app import App

# Words that are the same in both languages: code names, units, formulas, numbers' words.
KEPT = {"lr", "NaN", "inf", "log", "softmax", "MSE", "CNN", "MLP", "ReLU", "relu", "exp", "max", "float32", "std",
        "nll", "sigmoid", "tanh", "cuda", "GPU", "CPU", "z0", "z1", "z2", "z3", "logit"}
WORD = re.compile(r"[A-Za-z][A-Za-z_0-9]+")


def figures_of(obj, depth=0):
    """Every figure reachable from a panel through its attributes (sections included)."""
    found = []
    for value in vars(obj).values():
        if hasattr(value, "layout") and hasattr(value, "data") and hasattr(value, "batch_update"):
            found.append(value)
        elif depth < 1 and (hasattr(value, "panel") or hasattr(value, "i18n")):
            found += figures_of(value, depth + 1)
    return found


def chart_texts(fig):
    layout = fig.layout
    texts = [layout.title.text, layout.xaxis.title.text, layout.yaxis.title.text]
    texts += [a.text for a in layout.annotations] + [t.name for t in fig.data]
    texts += list(layout.xaxis.ticktext or ())
    return [t for t in texts if t]


@pytest.fixture(scope="module")
def app():
    app = App("epochs=1")
    lr, init, losses = app.panel("lr"), app.panel("init"), app.panel("losses")
    lr.run.click()
    lr.finder.click()
    lr.surface_lr.value = 1.05
    init.depth.value = 2
    init.run.click()
    init.symmetry.run.click()
    losses.scale_text.value = "1000"
    seeds = app.panel("seeds")
    seeds.base = seeds.base.replace(hidden=(16,), batch_size=128)
    seeds.parts["order"].value = False
    seeds.run.click()
    app.lang.value = "zh"
    return app


@pytest.mark.parametrize("name", ["lr", "init", "seeds", "train", "losses"])
def test_no_chart_text_is_english_in_chinese_mode(app, name):
    panel = app.panel(name)
    figures = figures_of(panel)
    assert figures
    english = {w for fig in figures for text in chart_texts(fig) for w in WORD.findall(text.replace("<br>", " "))
               if w not in KEPT and w not in INIT_SCHEMES and not w.startswith("layer")}
    assert not english, english
