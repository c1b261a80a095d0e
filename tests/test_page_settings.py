"""Settings in the page URL reach the panels, whether the kernel started with the page or waited in a pool."""
import pytest

from widgets.shell.app import App, url_settings


def test_query_values_are_parsed_as_numbers_where_they_are_numbers():
    assert url_settings("lr=0.05&seed=7&lang=zh&init=xavier_uniform") == {
        "lr": 0.05, "seed": 7, "lang": "zh", "init": "xavier_uniform"}
    assert url_settings("") == {}


def test_a_kernel_started_for_the_page_reads_the_query_from_its_environment(monkeypatch):
    monkeypatch.delenv("VOILA_PREHEAT", raising=False)
    monkeypatch.setenv("QUERY_STRING", "seed=7&lang=zh")
    app = App()
    assert app.lang.value == "zh" and app.seeds.seed.value == "7"


def test_a_preheated_kernel_builds_with_defaults_and_takes_the_query_when_its_page_arrives(monkeypatch):
    monkeypatch.setenv("VOILA_PREHEAT", "True")  # the notebook ran before any page asked
    app = App()
    lr, seeds = app.lr, app.seeds
    assert app.lang.value == "en" and seeds.seed.value == "0" and lr.base.epochs == 2
    app.apply_page_settings("seed=7&epochs=3&lang=zh&init=xavier_uniform")
    assert app.lang.value == "zh" and seeds.seed.value == "7"
    assert lr.base.seed == 7 and lr.base.epochs == 3
    assert app.init.settings()["init"] == "xavier_uniform"  # a panel built later takes them too
    assert app.train.controls.config().epochs == 3


def test_a_bad_value_in_the_url_is_reported_and_the_rest_still_apply(monkeypatch):
    monkeypatch.delenv("VOILA_PREHEAT", raising=False)
    app = App(query="seed=7&depth=999")
    init = app.init
    assert app.status.kind == "error"
    assert init.settings()["depth"] != 999 and init.settings()["seed"] == "0"  # refused as a whole, defaults kept
    assert app.seeds.seed.value == "7"  # a panel without a depth took its part


@pytest.mark.parametrize("query", ["", "lang=fr", "nonsense"])
def test_queries_without_settings_change_nothing(query, monkeypatch):
    monkeypatch.delenv("VOILA_PREHEAT", raising=False)
    app = App(query="")
    before = app.seeds.settings()
    app.apply_page_settings(query)
    assert app.seeds.settings() == before and app.lang.value == "en"
