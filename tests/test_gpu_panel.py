"""GPU panel, headless: the no-GPU explanation, a fake GPU standing in for core.engine.devices, and a real GPU when present."""
import json

import pytest
import torch

import core.engine.devices
from widgets.shell.app import App

OOM = ("CUDA out of memory. Tried to allocate 12.00 GiB. GPU 0 has a total capacity of 15.77 GiB of which "
       "14.9 GiB is free. Process has 1.58 GiB memory in use. <allowed: 10% of memory>")


class FakeGPU:
    """core.engine.devices' answers for one 16 GB GPU: it keeps a reserved cache and a memory fraction."""

    def __init__(self):
        self.fraction, self.reserved, self.calls = 1.0, 512.0, []

    def device_info(self):
        return {"torch": "2.x", "cuda_available": True, "cuda_version": "12.4", "cudnn_version": 90100,
                "device_count": 1, "cpu_threads": 8,
                "gpus": [{"index": 0, "name": "Tesla T4", "capability": "7.5", "total_mb": 15095.0,
                          "multiprocessors": 40}]}

    def memory_report(self, device=0):
        return {"available": True, "allocated_mb": 128.0, "reserved_mb": self.reserved, "peak_mb": 300.0,
                "total_mb": 15095.0, "free_mb": 14000.0}

    def empty_cache(self):
        before, self.reserved = self.reserved, 128.0
        return {"reserved_before_mb": before, "reserved_after_mb": self.reserved}

    def set_memory_fraction(self, fraction, device=0):
        self.fraction = fraction
        return True

    def try_allocate(self, megabytes, device=0):
        self.calls.append(megabytes)
        return "ok" if megabytes <= self.fraction * 15095.0 else OOM


@pytest.fixture
def no_gpu(monkeypatch):
    """This machine as it is, or any machine made to look GPU-less (so the test runs everywhere)."""
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    app = App()
    return app, app.panel("gpu")


@pytest.fixture
def fake(monkeypatch):
    gpu = FakeGPU()
    for name in ("device_info", "memory_report", "empty_cache", "set_memory_fraction", "try_allocate"):
        monkeypatch.setattr(core.engine.devices, name, getattr(gpu, name))
    app = App()
    return app, app.panel("gpu"), gpu


def test_without_a_gpu_the_panel_explains_itself_and_disables_gpu_controls(no_gpu):
    app, panel = no_gpu
    assert {"tp-panel", "tp-panel-gpu"} <= set(panel.root._dom_classes)
    assert panel.explain.layout.display is None and panel.explain in first_section(panel).children
    text = panel.explain.value
    assert "No GPU here" in text and "Runtime &gt; Change runtime type &gt; GPU" in text
    for words in ("compute capability", "reserved", "empty_cache", "set_per_process_memory_fraction", "out-of-memory"):
        assert words in text
    assert all(c.disabled for c in panel.gpu_controls)
    assert not hasattr(panel, "stop_button")  # nothing here runs long: no Stop to offer
    assert "<b>no</b>" in panel.info_table.value and torch.__version__ in panel.info_table.value
    assert "No GPU memory to report" in panel.memory_table.value


def test_refresh_works_without_a_gpu(no_gpu):
    app, panel = no_gpu
    assert "tp-run" in panel.run._dom_classes and not panel.run.disabled
    panel.run.click()
    assert app.status.text == "Read again: still no GPU on this machine." and app.status.kind == "ok"
    assert all(c.disabled for c in panel.gpu_controls)


def test_chinese_explanation_and_labels(no_gpu):
    app, panel = no_gpu
    app.lang.value = "zh"
    assert "这里没有 GPU" in panel.explain.value and "更改运行时类型" in panel.explain.value
    assert panel.run.description == "刷新" and "<b>否</b>" in panel.info_table.value
    panel.run.click()
    assert app.status.text == "已重新读取：本机仍然没有 GPU。"
    app.lang.value = "en"
    assert panel.run.description == "Refresh"


def test_fake_gpu_fills_the_tables_and_enables_the_controls(fake):
    app, panel, _ = fake
    assert panel.explain.layout.display == "none"
    assert not any(c.disabled for c in panel.gpu_controls)
    for words in ("Tesla T4", "7.5", "15,095 MB", "90100", "<b>yes</b>", "40"):
        assert words in panel.info_table.value
    for words in ("512.0 MB", "128.0 MB", "300.0 MB", "14,000.0 MB", "torch.cuda.memory_reserved()"):
        assert words in panel.memory_table.value
    panel.run.click()
    assert app.status.text == "Device facts and memory read again."


def test_empty_cache_shows_reserved_before_and_after(fake):
    app, panel, _ = fake
    panel.empty.click()
    assert "512.0 MB before, 128.0 MB after" in panel.result.value
    assert "<b>128.0 MB</b>" in panel.memory_table.value.split("reserved")[1]  # the table re-read memory
    assert app.status.text == "Cache emptied."


def test_memory_fraction_then_allocation_shows_the_oom_message(fake):
    app, panel, gpu = fake
    panel.megabytes.value = "2000"
    panel.allocate.click()
    assert app.status.text == "2,000 MB allocated and freed." and "freed it again" in panel.result.value
    panel.fraction.value = 0.1
    panel.apply_fraction.click()
    assert gpu.fraction == 0.1 and "at most 10% of the GPU's 15,095 MB" in panel.result.value
    panel.allocate.click()
    assert gpu.calls == [2000.0, 2000.0]
    assert "CUDA out of memory. Tried to allocate 12.00 GiB" in panel.result.value
    assert "&lt;allowed: 10% of memory&gt;" in panel.result.value  # torch's text is escaped, not markup
    assert app.status.kind == "error" and "Out of memory asking for 2,000 MB" in app.status.text
    app.lang.value = "zh"
    assert "申请 2,000 MB 失败" in panel.result.value and "CUDA out of memory" in panel.result.value


@pytest.mark.parametrize("text, words", [("abc", "must be a number"), ("nan", "must be a number"),
                                         ("-5", "more than 0"), ("0", "more than 0"), ("1e12", "at most"),
                                         ("inf", "at most")])
def test_bad_sizes_get_a_message_and_nothing_is_allocated(fake, text, words):
    app, panel, gpu = fake
    panel.megabytes.value = text
    panel.allocate.click()
    assert words in app.status.text and app.status.kind == "error" and gpu.calls == []
    panel.megabytes.value = "10"
    panel.allocate.click()
    assert gpu.calls == [10.0]


def test_settings_round_trip_and_bad_settings(fake):
    app, panel, _ = fake
    panel.fraction.value, panel.megabytes.value = 0.25, "4096"
    saved = json.loads(json.dumps(panel.settings()))
    other = App().panel("gpu")
    other.apply_settings(saved)
    assert (other.fraction.value, other.megabytes.value) == (0.25, "4096")
    for bad, words in (({"fraction": 2}, "from 0.05 to 1"), ({"fraction": "half"}, "must be a number"),
                       ({"megabytes": "-1"}, "more than 0"), ({"device": 3}, "Unknown setting")):
        app.status.guard(panel.apply_settings)(bad)
        assert words in app.status.text and app.status.kind == "error"
        assert panel.settings() == saved
    app.lang.value = "zh"
    app.status.guard(panel.apply_settings)({"fraction": 2})
    assert app.status.text == "设置无法使用：显存比例必须在 0.05 到 1 之间。"


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU; this machine has none")
def test_real_gpu_allocation_and_oom():
    app = App()
    panel = app.panel("gpu")
    assert torch.cuda.get_device_name(0) in panel.info_table.value and not panel.allocate.disabled
    panel.megabytes.value = "16"
    panel.allocate.click()
    assert app.status.text == "16 MB allocated and freed."
    total_mb = torch.cuda.mem_get_info(0)[1] / 2**20
    try:
        panel.fraction.value = 0.05
        panel.apply_fraction.click()
        panel.megabytes.value = str(int(total_mb * 0.5))
        panel.allocate.click()
        assert "out of memory" in panel.result.value.lower() and app.status.kind == "error"
    finally:
        torch.cuda.set_per_process_memory_fraction(1.0, 0)
    panel.empty.click()
    assert "MB before" in panel.result.value and app.status.text == "Cache emptied."


def first_section(panel):
    return next(box for box in panel.root.children if "tp-section" in box._dom_classes)
