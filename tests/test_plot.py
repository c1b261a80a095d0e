"""The live figure's kernel side: every redraw bumps a version, and a view that missed updates gets them again."""
import plotly.graph_objects as go

from widgets.plot import LiveFigure


class SentStates:
    """Records the states a widget sends to the browser."""

    def __init__(self, widget):
        self.states = []
        original = widget.send_state

        def record(key=None):
            self.states.append(widget.get_state(key))
            return original(key)

        widget.send_state = record


def test_model_id_is_what_the_view_is_told_to_look_up():
    fig = LiveFigure([go.Scatter(x=[0], y=[1])])
    assert fig.widget.view_id == fig.widget.model_id


def test_each_change_is_one_redraw_with_a_new_version():
    fig = LiveFigure([go.Scatter(x=[0], y=[1])])
    before = fig.widget.version
    with fig.batch_update():
        fig.data[0].x = [0, 1, 2]
        fig.data[0].y = [1, 2, 3]
    assert fig.widget.version == before + 1
    assert fig.widget.plot_data[0]["y"] == [1, 2, 3]


def test_a_view_that_missed_updates_gets_the_latest_state_again():
    fig = LiveFigure([go.Scatter(x=[0], y=[1])])
    fig.data[0].y = [5]
    sent = SentStates(fig.widget)
    fig.widget._handle_custom_msg({"event": "resync", "version": fig.widget.version - 1}, [])
    assert len(sent.states) == 1 and sent.states[0]["plot_data"][0]["y"] == [5]


def test_a_view_that_is_up_to_date_gets_nothing_resent():
    fig = LiveFigure([go.Scatter(x=[0], y=[1])])
    sent = SentStates(fig.widget)
    fig.widget._handle_custom_msg({"event": "resync", "version": fig.widget.version}, [])
    fig.widget._handle_custom_msg({"event": "something else"}, [])
    assert sent.states == []


def test_the_shipped_plotly_js_is_the_version_plotly_py_draws_for():
    """widgets/assets carries plotly.js's cartesian bundle; it must be the version plotly.py's figures are
    written for (the one plotly.py bundles), and the bundle the loader sends."""
    import pathlib
    import re

    import plotly

    from widgets.plot import PLOTLY_JS, PlotlyLoader

    def version(path):
        return re.search(r"plotly\.js \(?[a-z -]*\)? ?v(\d+\.\d+\.\d+)", path.read_text(encoding="utf-8")[:400]).group(1)

    bundled = pathlib.Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    assert version(PLOTLY_JS) == version(bundled) and PLOTLY_JS.name == f"plotly-cartesian-{version(bundled)}.min.js"
    assert PlotlyLoader()._esm.startswith(PLOTLY_JS.read_text(encoding="utf-8")[:200])
