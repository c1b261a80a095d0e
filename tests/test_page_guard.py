"""The page guard's grace before it says panels did not arrive: the product default, and the setting a
browser test uses to see the banner without waiting the default out."""
from widgets.shell.page_guard import PageGuard


def test_the_grace_is_twenty_seconds_unless_set(monkeypatch):
    monkeypatch.delenv("TP_PANELS_GRACE_MS", raising=False)
    assert PageGuard(panels=["tp-panel-lr"]).grace_ms == 20_000


def test_tp_panels_grace_ms_sets_the_grace(monkeypatch):
    monkeypatch.setenv("TP_PANELS_GRACE_MS", "1500")
    assert PageGuard(panels=["tp-panel-lr"]).grace_ms == 1500
