"""Seeds panel: "reproduce this run" as a plain-PyTorch script, and the GPU experiments (run live where a GPU is)."""
from __future__ import annotations

import base64
import html

import ipywidgets as W
import torch

from core import atomic_sums, cpu_vs_gpu, export_script, generator_streams, no_deterministic_version, train



def _numbers(values):
    return ", ".join(f"{v:.4f}" for v in values) if values else "—"


class ReproduceExport:
    """The Export button, the script with Copy and Download, and the GPU section."""

    def __init__(self, panel):
        self.panel = panel
        self.button = panel.button("export.button", "tp-export")
        self.text = W.Textarea(layout=W.Layout(width="100%", height="220px", display="none"))
        self.text.add_class("tp-export-text")
        self.links = W.HTML()
        self.expected = None
        panel.on_click(self.button, self.export)
        self.gpu_button = panel.button("gpu.button", "tp-gpu-experiments")
        self.gpu_button.layout.display = None if torch.cuda.is_available() else "none"
        self.gpu_result = W.HTML()
        self.live = None
        panel.on_click(self.gpu_button, self.run_gpu)
        panel.i18n.call(lambda _: self.render())
        self.widget = W.VBox([self.button, self.text, self.links,
                              panel.label(W.HTML(), "gpu.title", "value"), self.gpu_button, self.gpu_result])

    def export(self):
        """Train the panel's config once for its fingerprint, then show the script that reproduces it."""
        cfg = self.panel.config()
        self.text.value = export_script(cfg)  # refuses an unseeded config before any training
        p = self.panel

        def done(history):
            self.expected = history.fingerprint
            self.text.value = export_script(cfg, history.fingerprint)
            self.text.layout.display = None
            self.render()
            p.status.show("export.done", "ok", fp=history.fingerprint[:16])

        p.start(lambda emit, stop: train(cfg, stop=stop), lambda records: None, done, [p.run, self.button],
                p.stop_button)

    def run_gpu(self):
        """All GPU experiments on this machine's GPU."""
        cfg = self.panel.config().replace(epochs=1, unseeded=())
        p = self.panel

        def work(emit, stop):
            return {"device": torch.cuda.get_device_name(0), "torch": torch.__version__,
                    "streams": generator_streams(), "cpu_vs_gpu": cpu_vs_gpu(cfg),
                    "atomic": atomic_sums(), "atomic_deterministic": atomic_sums(deterministic=True),
                    "refuses": no_deterministic_version()}

        def done(result):
            self.live = result
            self.render()
            p.status.show("status.ready", "ok")

        p.start(work, lambda records: None, done, [p.run, self.gpu_button], p.stop_button)

    def render(self):
        t = self.panel.t
        if self.expected:
            source = base64.b64encode(self.text.value.encode()).decode()
            copy = ("navigator.clipboard.writeText(this.closest('.tp-panel').querySelector("
                    "'.tp-export-text textarea').value)")
            self.links.value = (f"<p>{t('export.help')} <code>{self.expected}</code></p>"
                                f"<button class='tp-export-copy' onclick=\"{copy}\">{t('export.copy')}</button> "
                                f"<a download='reproduce.py' href='data:text/x-python;base64,{source}'>"
                                f"{t('export.download')}</a>")
        self.gpu_result.value = self._gpu_html(t)

    def _gpu_html(self, t) -> str:
        result = self.live
        if result is None:
            return f"<p>{t('gpu.none')}</p>"
        head = t("gpu.live", device=html.escape(result["device"]))
        s, g = result["streams"], result["cpu_vs_gpu"]
        lines = [head, t("gpu.streams", cpu=_numbers(s["cpu"]), cuda=_numbers(s["cuda"]),
                         moved=_numbers(s["cuda_from_cpu"]))]
        if g.get("available"):
            lines.append(t("gpu.gap", same=g["same_init"], n=len(g["max_param_diff"]) - 1,
                           gap=max(g["max_param_diff"])))
        lines.append(t("gpu.atomic", plain=len(set(result["atomic"]["fingerprints"])),
                       det=len(set(result["atomic_deterministic"]["fingerprints"]))))
        refuses = result.get("refuses") or {}
        if refuses.get("error"):
            lines.append(t("gpu.refuses", op=html.escape(refuses["op"]), error=html.escape(refuses["error"])))
        return "<p>" + "</p><p>".join(lines) + "</p>"
