"""validate() checks a config once per action: the Run a panel starts trusts what the panel checked,
and a config changed since is checked again."""
import pytest

from core import ConfigError, RunConfig, train
from core.engine import work


@pytest.fixture
def checks(monkeypatch):
    """Counts validate's full passes (each builds the model on the meta device to count its parameters, in
    core/engine/work.py's check_work, which Run also calls for a CSV once it is read)."""
    count = []
    build = work.build_model
    monkeypatch.setattr(work, "build_model", lambda *a, **k: count.append(1) or build(*a, **k))
    return count


def test_a_checked_config_is_not_checked_again_by_its_run(checks):
    cfg = RunConfig(epochs=1, hidden=(8,)).validate()
    history = train(cfg)
    assert len(checks) == 1 and history.steps > 0


def test_each_new_config_is_checked(checks):
    base = RunConfig(epochs=1).validate()
    base.replace(lr=0.5).validate()
    assert len(checks) == 2
    with pytest.raises(ConfigError):
        base.replace(lr=-1.0).validate()


def test_a_config_changed_in_place_is_checked_again(checks):
    cfg = RunConfig(hidden=[8]).validate()  # a list: the one way a frozen config can change
    cfg.hidden.append(0)
    with pytest.raises(ConfigError):
        cfg.validate()
    assert len(checks) == 1
