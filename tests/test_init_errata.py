"""The course's init errata shown where a learner meets the claim: the ReLU 'std 0.5' (a mean of squares), the
gain formula's brackets, and the deep-matmul sandbox naming the layer its chart shows."""
import math
import re

from core import calculate_gain, product_moments
from widgets.shell.app import App


def find(widget, css):
    """The first widget under `widget` carrying the CSS class `css`."""
    if css in getattr(widget, "_dom_classes", ()):
        return widget
    for child in getattr(widget, "children", ()):
        found = find(child, css)
        if found is not None:
            return found
    return None


def test_the_gain_table_measures_the_relu_slip_and_brackets_the_leaky_gain():
    text = find(App().panel("init").root, "tp-init-gains").value
    m = product_moments(relu=True)
    assert f"E[y²] = {m.mean_sq:.3f}" in text and f"= {math.sqrt(m.mean_sq - m.mean ** 2):.3f}" in text
    assert abs(math.sqrt(0.5 - 1 / math.pi**2) - 0.631) < 5e-4  # the exact std the sentence quotes
    assert "√(2 / (1 + slope²))" in text
    assert math.isclose(calculate_gain("leaky_relu", 0.2), math.sqrt(2 / (1 + 0.2**2)))


def test_the_matmul_sentence_names_the_layer_where_the_chart_breaks():
    panel = App().panel("init")
    mm = panel.matmul
    mm.scale.value = "1"
    mm.run.click()
    layer = int(re.search(r"NaN/inf at layer (\d+)", mm.sentence.value).group(1))
    ys = list(mm.fig.data[0].y)
    assert ys[layer - 2] is not None and ys[layer - 1] is None  # the chart's first gap is the named layer
    assert f"x itself holds inf only from layer {mm.result.vector_nonfinite}" in mm.sentence.value
