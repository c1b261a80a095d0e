"""Comparisons keep their "before": the schedule, deep-matmul, init and learning-rate charts keep earlier runs as
faded, labelled traces (at most KEEP), and Clear removes them. Read from the figures' data after real runs."""
import pytest

from core import RunConfig
from widgets.shell.app import App
from widgets.shell.overlays import FADED, KEEP

SMALL = RunConfig(epochs=1, hidden=(16,))  # a few dozen steps: the file stays fast


@pytest.fixture(scope="module")
def app():
    return App()


def kept(fig):
    """(name, opacity, y) of each faded trace the figure shows."""
    return [(t.name, t.opacity, tuple(t.y)) for t in fig.data if t.visible is not False and t.opacity == FADED]


def test_deep_matmul_keeps_the_scale_1_run_beside_the_0_01_run_until_clear(app):
    mm = app.panel("init").matmul
    mm.earlier.clear()
    mm.depth.value, mm.relu.value = 30, False
    mm.scale.value = "1"
    mm.run.click()
    before = tuple(mm.fig.data[0].y)
    assert kept(mm.fig) == [] and mm.earlier.clear_button.disabled
    mm.scale.value = "0.01"
    mm.run.click()
    assert kept(mm.fig) == [("earlier #1 · scale 1", FADED, before)]
    assert mm.fig.data[0].name == "scale 0.01" and tuple(mm.fig.data[0].y) != before
    assert not mm.earlier.clear_button.disabled
    mm.earlier.clear_button.click()
    assert kept(mm.fig) == [] and mm.earlier.clear_button.disabled


def test_only_the_last_few_runs_are_kept_oldest_first_out(app):
    mm = app.panel("init").matmul
    mm.earlier.clear()
    mm.depth.value = 10
    for label in ("1", "0.01", "1/√512", "√(2/512)", "1"):
        mm.scale.value = label
        mm.run.click()
    names = [name for name, _, _ in kept(mm.fig)]
    assert len(names) == KEEP
    assert names == [f"earlier #{n} · scale {s}" for n, s in zip(range(mm.earlier.count - KEEP + 1, mm.earlier.count + 1),
                                                                   ("0.01", "1/√512", "√(2/512)"))]


def test_init_bars_keep_the_default_look_when_kaiming_is_looked_at(app):
    panel = app.panel("init")
    panel.depth.value, panel.width.value = 3, 16
    panel.scheme.value = "pytorch_default"
    panel.run.click()
    default_act = tuple(panel.bars.act_fig.data[0].y)
    panel.scheme.value = "kaiming_normal"  # a looked-at network redraws on a change: the default one stays
    for fig in (panel.bars.act_fig, panel.bars.grad_fig):
        names = [name for name, _, _ in kept(fig)]
        assert names == [f"earlier #{panel.bars.earlier.count} · pytorch_default · relu · 3 layers"]
        assert fig.data[0].name == "kaiming_normal · relu · 3 layers"
    assert kept(panel.bars.act_fig)[0][2] == default_act
    panel.bars.earlier.clear_button.click()
    assert kept(panel.bars.act_fig) == [] and kept(panel.bars.grad_fig) == []


def test_the_schedule_chart_keeps_the_last_schedules_loss_and_rates(app):
    lr = app.panel("lr")
    lr.base = SMALL
    sched = lr.schedule
    sched.pick.value, sched.peak.value = "constant", "0.1"
    sched.run.click()
    loss, rates = tuple(sched.fig.data[0].y), tuple(sched.fig.data[1].y)
    sched.pick.value = "cosine"
    sched.run.click()
    faded = {t.name: t for t in sched.fig.data[2:] if t.visible is not False}
    assert set(faded) == {f"earlier #{sched.earlier.count} · loss constant, peak 0.1",
                          f"earlier #{sched.earlier.count} · rate constant, peak 0.1"}
    by_axis = {t.yaxis: t for t in faded.values()}
    assert tuple(by_axis["y"].y) == loss and tuple(by_axis["y2"].y) == rates
    assert all(t.opacity == FADED and t.line.dash == "dot" for t in faded.values())
    assert sched.fig.data[0].name == "loss cosine, peak 0.1"
    sched.earlier.clear_button.click()
    assert all(t.visible is False for t in sched.fig.data[2:])


def test_running_the_presets_again_keeps_an_added_curve_and_fades_the_last_presets():
    app = App()
    panel = app.panel("lr")
    panel.base = SMALL
    panel.run.click()
    first = [tuple(t.y) for t in panel.loss_fig.data[:4]]
    panel.lr_input.value = "0.03"
    panel.add.click()
    added = tuple(panel.loss_fig.data[4].y)
    panel.run.click()
    assert panel.loss_fig.data[4].visible is not False and tuple(panel.loss_fig.data[4].y) == added
    assert panel.loss_fig.data[4].name.startswith("lr=0.03")
    faded = [t for t in panel.loss_fig.data[7:] if t.visible is not False]
    assert [t.name.split(" · ")[:2] for t in faded] == [["earlier #1", f"lr={r}"] for r in ("0.001", "0.1", "1", "100000")]
    assert [tuple(t.y) for t in faded] == first and all(t.opacity == FADED for t in faded)
    assert [t.line.color for t in faded] == [t.line.color for t in panel.loss_fig.data[:4]]
    panel.earlier.clear_button.click()
    assert all(t.visible is False for t in panel.loss_fig.data[7:])
    assert panel.loss_fig.data[4].visible is not False  # Clear forgets earlier runs, never the current ones


def test_each_charts_clear_button_is_on_the_page_beside_it(app):
    import ipywidgets as W

    def widgets_in(w):
        return [w] + [x for child in getattr(w, "children", ()) for x in widgets_in(child)]

    for panel, overlays in ((app.panel("lr"), app.panel("lr").earlier), (app.panel("lr"), app.panel("lr").schedule.earlier),
                            (app.panel("init"), app.panel("init").matmul.earlier),
                            (app.panel("init"), app.panel("init").bars.earlier)):
        shown = widgets_in(panel.root)
        assert isinstance(overlays.clear_button, W.Button) and overlays.clear_button in shown
