"""Every panel's settings come from its schema: they round-trip, and an unknown key is refused in pastes and URLs."""
import json

import pytest

from widgets.shell.app import PANELS, App

# Fixed, non-default values for every panel (each differs from what a fresh panel shows).
VALUES = {
    "lr": {"lr": 0.05, "epochs": 3, "seed": 5, "custom_lr": "0.2", "surface_lr": 0.5},
    "init": {"init": "xavier_normal", "activation": "tanh", "depth": 5, "width": 32, "seed": "11", "lr": 0.05,
             "epochs": 3, "matmul_depth": 20, "matmul_scale": "0.01", "matmul_relu": True},
    "seeds": {"seed": 11, "unseeded": ["split"], "deterministic": True, "benchmark": True},
    "train": {"dataset": "moons", "hidden": [8, 4], "lr": 0.05, "seed": 7, "optimizer": "adam", "k": 4},
    "losses": {"scale": 100.0, "target": 2, "p": 0.3},
    "gpu": {"fraction": 0.5, "megabytes": "256"},
    "loop": {"dropout": 0.5, "norm": "none", "mistakes": ["no_shuffle", "sum_reduction"], "seed": 3, "epochs": 2},
}


def shared(panel) -> dict:
    """settings() as a learner copies them: through JSON."""
    return json.loads(json.dumps(panel.settings()))


def test_every_panel_has_fixed_values_here():
    assert set(VALUES) == set(PANELS)


@pytest.mark.parametrize("name", list(PANELS))
def test_the_schema_names_exactly_the_keys_settings_gives(name):
    panel = App(query="").panel(name)
    assert panel.settings_keys() == tuple(panel.settings())


@pytest.mark.parametrize("name", list(PANELS))
def test_settings_round_trip_through_apply_settings(name):
    panel = App(query="").panel(name)
    assert all(shared(panel)[key] != value for key, value in VALUES[name].items())  # fresh panels differ
    panel.apply_settings(VALUES[name])
    saved = shared(panel)
    assert {key: saved[key] for key in VALUES[name]} == VALUES[name]
    other = App(query="").panel(name)
    other.apply_settings(saved)
    assert shared(other) == saved


@pytest.mark.parametrize("name", list(PANELS))
def test_a_pasted_key_unknown_to_the_panel_is_refused_with_a_short_message(name):
    app = App(query="")
    panel = app.panel(name)
    before = shared(panel)
    # a known key beside the unknown one is not taken either: the paste is refused as a whole
    panel.share_text.value = json.dumps({**VALUES[name], "colour": "red"})
    panel.share_apply.click()
    assert app.status.kind == "error" and app.status.text.endswith("Unknown setting(s): colour.")
    assert "\n" not in app.status.text and shared(panel) == before


def test_a_pasted_key_of_another_panel_is_unknown_to_this_one():
    app = App(query="")
    app.losses.share_text.value = json.dumps({"matmul_depth": 5})
    app.losses.share_apply.click()
    assert app.status.kind == "error" and app.status.text.endswith("Unknown setting(s): matmul_depth.")


def test_a_url_key_no_panel_knows_is_refused_and_the_rest_still_apply():
    app = App(query="colour=red&seed=7&matmul_depth=5")
    assert app.status.kind == "error" and app.status.text.endswith("Unknown setting(s): colour.")
    assert "\n" not in app.status.text
    assert app.seeds.seed.value == "7" and app.init.matmul.depth.value == 5  # built after the refusal


def test_url_keys_that_each_belong_to_some_panel_are_not_refused():
    app = App(query="")
    lr = app.lr
    app.apply_page_settings("matmul_depth=5&scale=100&fraction=0.5&k=4&lang=en")
    assert app.status.kind != "error" and lr.settings()["epochs"] == 2  # none of them is the LR panel's
    assert app.init.matmul.depth.value == 5 and app.losses.scale.value == 100.0
    assert app.gpu.fraction.value == 0.5 and app.train.controls.kfold.value == 4


def test_applied_settings_redraw_what_the_panel_showed():
    app = App(query="")
    panel = app.init
    panel.run.click()  # look at init: the bars show the 8-layer network
    shown = len(panel.report.names)
    panel.apply_settings({"depth": 3})
    assert len(panel.report.names) == shown - 5 and len(panel.bars.act_fig.data[0].y) == shown - 5


def test_a_key_left_out_of_a_paste_leaves_its_control_as_it_is():
    app = App(query="")
    app.train.controls.kfold.value, app.seeds.benchmark.value = 4, True
    app.train.apply_settings({"seed": 3})
    app.seeds.apply_settings({"seed": 3})
    assert app.train.controls.kfold.value == 4 and app.train.controls.seed.value == "3"
    assert app.seeds.benchmark.value is True and app.seeds.seed.value == "3"
