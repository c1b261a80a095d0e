"""Readable for a beginner, headless: before any run every chart says which button fills it (never empty axes);
log axes never label every digit; every drawn mark has a legend entry."""
import math

import pytest

from widgets.shell.app import PANELS, App
from widgets.shell.figures import LOG_TICKS
from widgets.shell.plot import LiveFigure


def figures(obj, seen=None, depth=0):
    """Every LiveFigure reachable from a panel through its attributes (sections, lists of figures)."""
    seen = set() if seen is None else seen
    if id(obj) in seen or depth > 4:
        return []
    seen.add(id(obj))
    if isinstance(obj, LiveFigure):
        return [obj]
    if isinstance(obj, (list, tuple)):
        return [f for item in obj for f in figures(item, seen, depth + 1)]
    if type(obj).__module__.startswith("widgets.") and hasattr(obj, "__dict__"):
        return [f for value in vars(obj).values() for f in figures(value, seen, depth + 1)]
    return []


def has_points(fig):
    return any(len(getattr(t, "y", None) or ()) or len(getattr(t, "z", None) or ()) for t in fig.data)


@pytest.fixture(scope="module")
def app():
    return App()


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("name", [n for n in PANELS if n != "gpu"])
def test_before_any_run_each_chart_shows_a_press_hint_not_empty_axes(app, name, lang):
    app.i18n.lang = lang
    try:
        every = figures(app.panel(name))
        assert every, name  # the walk finds the panel's figures
        for fig in (f for f in every if not has_points(f)):
            hints = [a.text for a in fig.layout.annotations if a.name == "hint"]
            assert len(hints) == 1, fig.layout.title.text
            assert ("Press" in hints[0] or "press" in hints[0]) if lang == "en" else "按" in hints[0]
            assert fig.layout.yaxis.visible is False
    finally:
        app.i18n.lang = "en"


def test_the_hint_gives_way_to_the_axes_once_a_chart_has_points(app):
    mm = app.panel("init").matmul
    mm.depth.value = 5
    mm.run.click()
    assert [a for a in mm.fig.layout.annotations if a.name == "hint"] == []
    assert mm.fig.layout.yaxis.visible is not False


def log_span(fig, name, axis):
    """The decades a log axis shows: its set range, else (plotly's autorange) its drawn points' span; None if neither."""
    if axis.range is not None:
        return abs(axis.range[1] - axis.range[0])
    letter = name[0]
    ref = letter if name in ("xaxis", "yaxis") else letter + name[5:]
    values = [v for t in fig.data if t.visible is not False and (getattr(t, f"{letter}axis", None) or letter) == ref
              for v in (getattr(t, letter, None) or ()) if v is not None and math.isfinite(v) and v > 0]
    return math.log10(max(values) / min(values)) if values else None


def log_axis_problems(fig):
    """plotly.js's tick rule for a log axis (axes.autoTicks, plotly.js 4.1): with rough = span ÷ nticks decades,
    rough > 0.7 labels every ceil(rough) decades, else from one decade up it labels 2 and 5 (rough > 0.3) or every
    digit (rough ≤ 0.3). Every digit, or skipped decades on an axis of at most 11 decades, is a problem."""
    problems = []
    for name in ("xaxis", "yaxis", "yaxis2"):
        axis = getattr(fig.layout, name, None)
        if axis is None or axis.type != "log" or axis.dtick is not None:
            continue
        span = log_span(fig, name, axis)
        if span is None or span < 1:
            continue
        rough = span / axis.nticks if axis.nticks else 0
        if rough <= 0.3 or (span <= 11 and math.ceil(rough) > 1 and rough > 0.7):
            problems.append((fig.layout.title.text, name, round(span, 2), axis.nticks))
    return problems


@pytest.mark.parametrize("name", [n for n in PANELS if n != "gpu"])
def test_log_axes_label_each_decade_and_never_every_digit_before_a_run(app, name):
    assert [p for fig in figures(app.panel(name)) for p in log_axis_problems(fig)] == []


def test_log_axes_label_each_decade_after_the_matmul_finder_and_race_runs():
    from core import RunConfig

    app = App()
    mm = app.panel("init").matmul
    for scale, depth in (("1/√512", 100), ("0.01", 10), ("√(2/512)", 30)):  # ~1, 20 and ~1.5 decades
        mm.scale.value, mm.depth.value = scale, depth
        mm.run.click()
        assert log_axis_problems(mm.fig) == [], scale
    lr = app.panel("lr")
    lr.base = RunConfig(epochs=1, hidden=(16,))
    lr.run.click()
    lr.finder.click()
    assert log_axis_problems(lr.loss_fig) == [] and log_axis_problems(lr.finder_fig) == []
    assert lr.loss_fig.layout.yaxis.range is not None


def unlabelled(fig):
    """Names of drawn traces that have no legend entry of their own or of their legend group."""
    if fig.layout.showlegend is False and sum(1 for t in fig.data if len(t.y or ())) > 1:
        return ["(legend hidden)"]
    shown_groups = {t.legendgroup for t in fig.data if t.showlegend is not False and t.legendgroup}
    return [t.name or t.type for t in fig.data
            if len(getattr(t, "y", None) or ()) and t.type not in ("heatmap", "contour") and t.visible is not False
            and not (t.name and t.showlegend is not False) and t.legendgroup not in shown_groups]


@pytest.mark.parametrize("name", [n for n in PANELS if n != "gpu"])
def test_every_drawn_mark_has_a_legend_entry_before_and_after_the_quick_actions(app, name):
    panel = app.panel(name)
    if name == "init":
        panel.depth.value = 3
        panel.run.click()
        panel.matmul.run.click()
    for fig in figures(panel):
        assert unlabelled(fig) == [], fig.layout.title.text


def test_the_grids_dashed_line_is_in_the_legend_as_linear_scaling():
    from core import RunConfig

    panel = App().panel("lr")
    panel.base = RunConfig(epochs=1, hidden=(16,))
    grid = panel.grid
    grid.batches.value, grid.rates.value = "16, 64", "0.05, 0.2"
    grid.run.click()
    line = grid.fig.data[2]
    assert len(line.x) > 0 and line.line.dash == "dash"
    assert grid.fig.layout.showlegend is not False and line.showlegend is not False
    assert line.name.startswith("linear scaling")
    assert grid.fig.data[0].colorbar.title.text == "final val loss"
    assert unlabelled(grid.fig) == []


def texts_in(app, lang, read):
    """read() with the page in `lang` (the language switched back afterwards)."""
    app.i18n.lang = lang
    try:
        return read()
    finally:
        app.i18n.lang = "en"


def test_jargon_is_explained_where_it_appears_in_both_languages():
    from core import RunConfig

    app = App()
    lr = app.panel("lr")
    lr.base = RunConfig(epochs=1, hidden=(16,))
    lr.run.click()
    lr.band.seeds.value = 2
    lr.band.run.click()
    en = lr.summary.value + lr.band.table.value + lr.band.restored.value
    zh = texts_in(app, "zh", lambda: lr.summary.value + lr.band.table.value + lr.band.restored.value)
    for words in (("Fingerprint", "SHA-256", "bitwise identical"), ("Spread (max ÷ min)", "divided by"),
                  ("digests (short SHA-256",)):
        assert all(w in en for w in words), words
    for words in (("指纹", "SHA-256", "逐位相同"), ("离散度（最大 ÷ 最小）", "除以"), ("摘要（",)):
        assert all(w in zh for w in words), words


def test_the_course_slips_say_which_text_they_are_in():
    app = App()
    found = []

    def walk(w):
        for child in getattr(w, "children", ()):
            walk(child)
        if "tp-init-errata" in str(getattr(w, "value", "")):
            found.append(w)

    walk(app.panel("init").root)
    assert len(found) == 1
    assert "course's initialisation notes (its Monte-Carlo check and its table of gains)" in found[0].value
    assert "课程初始化讲义" in texts_in(app, "zh", lambda: found[0].value)


def test_the_logit_scale_steps_by_one_through_the_range_where_only_the_smallest_class_fails():
    import torch

    from core import BASE_LOGITS

    panel = App().panel("losses")
    panel.scale_text.value = "34"
    seen = []
    for _ in range(11):
        panel.up.click()
        z = torch.tensor(BASE_LOGITS, dtype=torch.float32) * panel.scale.value
        naive = torch.log(torch.exp(z) / torch.exp(z).sum())  # the textbook formula, by torch itself
        bad = [not math.isfinite(v) for v in panel.result["naive"]]
        assert bad == [not math.isfinite(v) for v in naive.tolist()]
        seen.append((panel.scale.value, sum(bad), any(math.isnan(v) for v in naive.tolist())))
    assert [s for s, _, _ in seen] == list(range(35, 46))
    # the learner lands in the range at every step from 35 to 44: only the smallest class is -inf, no NaN yet
    assert [s for s, bad, nan in seen if bad == 1 and not nan] == list(range(35, 45))
    panel.down.click()
    assert panel.scale.value == 44 and panel.scale_text.value == "44"


def option_labels(widget):
    return [label for label, _ in widget.options]


def test_in_chinese_the_option_labels_are_translated_or_glossed_and_the_values_stay_cores_names():
    from core import ACTIVATIONS, INIT_SCHEMES, NORMS, OPTIMIZERS

    app = App()
    init, train, lr, loop = (app.panel(n) for n in ("init", "train", "lr", "loop"))
    init.depth.value = 2
    init.run.click()
    init.scheme.value = "kaiming_normal"
    before = init.bars.earlier.count
    app.i18n.lang = "zh"
    try:
        assert init.bars.earlier.count == before  # a language switch is not a new look (no kept run added)
        assert init.scheme.value == "kaiming_normal" and init.activation.value == "relu"
        controls = [(init.scheme, INIT_SCHEMES), (init.activation, ACTIVATIONS), (train.controls.init, INIT_SCHEMES),
                    (train.controls.activation, ACTIVATIONS), (train.controls.optimizer, OPTIMIZERS),
                    (lr.surface.optimizer, OPTIMIZERS), (loop.norm, NORMS)]
        for widget, names in controls:
            assert [v for _, v in widget.options] == list(names)
            for (label, value) in widget.options:
                # translated or glossed: Chinese characters in every label except a bare proper name (Adam)
                assert any("\u4e00" <= ch <= "\u9fff" for ch in label) or label == "Adam", (label, value)
        assert option_labels(loop.dropout)[0] == "0（关闭）" and loop.dropout.value == 0.3
        assert "随机失活" in loop.dropout.description
    finally:
        app.i18n.lang = "en"
    assert option_labels(init.scheme) == list(INIT_SCHEMES) and init.scheme.value == "kaiming_normal"


def buttons(widget):
    import ipywidgets as W

    own = [widget] if isinstance(widget, W.Button) else []
    return own + [b for child in getattr(widget, "children", ()) for b in buttons(child)]


@pytest.mark.parametrize("name", list(PANELS))
def test_buttons_share_one_style_run_blue_stop_orange_the_rest_plain(app, name):
    panel = app.panel(name)
    for b in buttons(panel.root):
        classes = set(b._dom_classes)
        if "tp-stop" in classes:
            assert b.button_style == "warning"
        elif {"tp-run", "tp-init-train"} & classes:
            assert b.button_style == "primary", b.description
        else:
            assert b.button_style == "", b.description
