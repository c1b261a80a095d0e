"""Panel 6 — GPU: device facts, memory, empty_cache, a memory fraction and its OOM; explains itself on a CPU."""
from __future__ import annotations

import html

import ipywidgets as W

from core import ConfigError
from core import devices  # called as devices.f() so tests can stand in a fake GPU

from .texts import INFO_ROWS, MEMORY_ROWS
from ..shell.panel import Panel
from ..shell.parse import parse_float
from ..shell.settings import control

MAX_MB = 1e7  # 10 TB: more than any GPU holds, so larger requests are typos, not experiments


class GPUPanel(Panel):
    """GPU panel; attributes run (Refresh), empty, fraction, apply_fraction, megabytes, allocate."""

    name = "gpu"
    schema = (control("fraction", "fraction", lambda p, v: p.check_fraction(v)),
              control("megabytes", "megabytes", lambda p, v: p.check_megabytes(v)))

    def __init__(self, ctx):
        super().__init__(ctx)
        self.run = self.button("gpu.refresh", "tp-run", "primary", "refresh")
        self.explain = self.label(W.HTML(), "gpu.no_gpu", "value")
        self.explain.add_class("tp-gpu-nogpu")
        self.info_table, self.memory_table, self.result = W.HTML(), W.HTML(), W.HTML()
        self.info_table.add_class("tp-gpu-info")
        self.memory_table.add_class("tp-gpu-memory")
        self.result.add_class("tp-gpu-result")
        self.empty = self.button("gpu.empty", "tp-gpu-empty", icon="trash")
        self.fraction = W.FloatSlider(value=1.0, min=0.05, max=1.0, step=0.05, continuous_update=False,
                                      readout_format=".2f", style={"description_width": "initial"})
        self.fraction.add_class("tp-gpu-fraction")
        self.label(self.fraction, "gpu.fraction")
        self.apply_fraction = self.button("gpu.apply", "tp-gpu-fraction-apply")
        self.megabytes = W.Text(value="1024", layout=W.Layout(width="16em"), style={"description_width": "initial"})
        self.megabytes.add_class("tp-gpu-mb")
        self.label(self.megabytes, "gpu.mb")
        self.allocate = self.button("gpu.allocate", "tp-gpu-allocate", icon="cube")
        self.gpu_controls = (self.empty, self.fraction, self.apply_fraction, self.megabytes, self.allocate)
        self.on_click(self.run, self.refresh)
        self.on_click(self.empty, self.empty_cache)
        self.on_click(self.apply_fraction, self.set_fraction)
        self.on_click(self.allocate, self.try_allocate)
        self._outcome = None  # (key, params) of the last action, re-rendered on a language switch
        self.refresh(announce=False)
        self.i18n.call(lambda _: self._render())
        help_ = self.label(W.HTML(), "gpu.help", "value")
        self.sections(
            ("device", [help_, self.explain, self.run, W.HBox([self.info_table, self.memory_table])]),
            ("memory", [W.HBox([self.empty, self.fraction, self.apply_fraction]),
                        W.HBox([self.megabytes, self.allocate]), self.result, self.share_box()]),
        )

    @property
    def has_gpu(self) -> bool:
        return bool(self.info["cuda_available"])

    def refresh(self, announce=True):
        """Read device facts and memory again; GPU-only controls follow whether a GPU is there."""
        self.info, self.memory = devices.device_info(), devices.memory_report()
        for widget in self.gpu_controls:
            widget.disabled = not self.has_gpu
        self.explain.layout.display = "none" if self.has_gpu else None
        self._render()
        if announce:
            self.status.show("gpu.refreshed" if self.has_gpu else "gpu.refreshed_cpu", "ok")

    def empty_cache(self):
        """torch.cuda.empty_cache(), then show reserved memory before and after."""
        r = devices.empty_cache()
        self._outcome = ("gpu.emptied", {"before": r["reserved_before_mb"], "after": r["reserved_after_mb"]})
        self.refresh(announce=False)
        self.status.show("gpu.emptied_status", "ok")

    def set_fraction(self):
        """Cap this process at the slider's fraction of GPU memory."""
        devices.set_memory_fraction(self.fraction.value)
        self._outcome = ("gpu.fraction_set", {"fraction": self.fraction.value, "total": self.memory["total_mb"]})
        self._render()
        self.status.show("gpu.fraction_status", "ok", fraction=self.fraction.value)

    def try_allocate(self):
        """Ask for the typed number of MB; show 'ok' or torch's out-of-memory message."""
        mb = self._megabytes(self.megabytes.value)
        answer = devices.try_allocate(mb)
        ok = answer == "ok"
        self._outcome = ("gpu.alloc_ok", {"mb": mb}) if ok else ("gpu.alloc_oom", {"mb": mb, "message": answer})
        self.refresh(announce=False)
        self.status.show("gpu.alloc_ok_status" if ok else "gpu.alloc_oom_status", "ok" if ok else "error", mb=mb)

    def check_fraction(self, value) -> float:
        """A shared memory fraction, within the slider's range."""
        fraction = parse_float(value, self.t("gpu.fraction_what"))
        if not self.fraction.min <= fraction <= self.fraction.max:
            raise ConfigError("fraction_range")
        return fraction

    def check_megabytes(self, value) -> str:
        """A shared allocation size, checked and kept as the box's text."""
        self._megabytes(str(value))
        return str(value)

    def _megabytes(self, text) -> float:
        mb = parse_float(text, self.t("gpu.mb_what"))
        if not 0 < mb <= MAX_MB:
            raise ConfigError("mb_range", limit=MAX_MB)
        return mb

    def _render(self):
        info, t = self.info, self.t
        rows = [(t(key), fmt(info[field], t), call) for key, field, call in INFO_ROWS]
        for gpu in info["gpus"]:
            i = gpu["index"]
            rows += [(t("gpu.row.name", i=i), gpu["name"], f"torch.cuda.get_device_name({i})"),
                     (t("gpu.row.capability", i=i), gpu["capability"], f"torch.cuda.get_device_capability({i})"),
                     (t("gpu.row.total", i=i), f"{gpu['total_mb']:,.0f} MB",
                      f"torch.cuda.get_device_properties({i}).total_memory"),
                     (t("gpu.row.sms", i=i), str(gpu["multiprocessors"]), "….multi_processor_count")]
        self.info_table.value = table(t("gpu.info_title"), rows)
        if self.has_gpu:
            self.memory_table.value = table(t("gpu.memory_title"), [
                (t(key), f"{self.memory[field]:,.1f} MB", call) for key, field, call in MEMORY_ROWS])
        else:
            self.memory_table.value = f"<p><b>{t('gpu.memory_title')}</b><br>{t('gpu.memory_none')}</p>"
        if self._outcome is not None:
            key, params = self._outcome
            params = {k: html.escape(v) if isinstance(v, str) else v for k, v in params.items()}
            self.result.value = t(key, **params)


def fmt(value, t) -> str:
    """A device fact as text: yes/no for booleans, a dash for missing values."""
    if isinstance(value, bool):
        return t("gpu.yes") if value else t("gpu.no")
    return "—" if value is None else str(value)


def table(title, rows) -> str:
    """An HTML table of (label, value, the torch call that gives it)."""
    body = "".join(f"<tr><td>{html.escape(label)}</td><td><b>{html.escape(value)}</b></td>"
                   f"<td><code>{html.escape(call)}</code></td></tr>" for label, value, call in rows)
    return f"<p><b>{html.escape(title)}</b></p><table class='tp-gpu-table'>{body}</table>"
