"""Seeds panel: "reproduce this run" as a plain-PyTorch script, and the GPU experiments (run live where a GPU is)."""
from __future__ import annotations

import base64
import html

import ipywidgets as W
import torch

from core import atomic_sums, cpu_vs_gpu, export_script, generator_streams, no_deterministic_version, train

from ..shell.i18n import register

register({
    "export.button": ("Export a script that reproduces this run", "导出能复现这次运行的脚本"),
    "export.help": ("The script needs only torch and numpy: it carries the app's own training code and the "
                    "run's data, runs from any folder and prints the run's fingerprint on its last line. "
                    "Run it in a fresh Python to check it matches:",
                    "脚本只需要 torch 和 numpy：它自带本应用的训练代码和这次运行的数据，可以在任何文件夹里运行，"
                    "并在最后一行打印这次运行的指纹。在全新的 Python 里运行它，检查指纹是否一致："),
    "export.copy": ("Copy", "复制"),
    "export.resume": ("with a save/resume step: run it with --save (stops after epoch 1 with checkpoint.pt), "
                      "then with --resume", "带保存/恢复步骤：先用 --save 运行（第 1 轮后停下并写出 checkpoint.pt），再用 --resume 运行"),
    "export.download": ("Download reproduce.py", "下载 reproduce.py"),
    "export.done": ("Script ready: it should print {fp}…", "脚本已生成：它应当打印 {fp}…"),
    "gpu.title": ("<b>CPU vs GPU, and atomic adds</b>", "<b>CPU 与 GPU 的差异，以及原子加法</b>"),
    "gpu.button": ("Run the GPU experiments", "运行 GPU 实验"),
    "gpu.none": ("No GPU here, and this copy ships no results recorded on one. On a GPU this section shows: the "
                 "same seed giving different numbers on the CPU and the CUDA generator (and equal ones when drawn on "
                 "the CPU and moved); the largest parameter gap between a CPU and a GPU run of one config, step by "
                 "step; and <code>index_add_</code> sums that differ run to run until "
                 "<code>torch.use_deterministic_algorithms(True)</code>.",
                 "这里没有 GPU，这个副本也没有附带在 GPU 上记录的结果。在 GPU 上，这一节会展示：同一个种子在 CPU 和 CUDA "
                 "生成器上给出不同的数（在 CPU 上生成再移到 GPU 上则相同）；同一配置在 CPU 和 GPU 上训练时，每一步参数的最大差距；"
                 "以及 <code>index_add_</code> 的求和结果每次运行都不同，直到开启 "
                 "<code>torch.use_deterministic_algorithms(True)</code>。"),
    "gpu.live": ("Measured now on {device}:", "刚刚在 {device} 上测得："),
    "gpu.streams": ("seed 0 on the CPU generator: {cpu}<br>seed 0 on the CUDA generator: {cuda}<br>"
                    "drawn on the CPU, moved to the GPU: {moved}",
                    "CPU 生成器、种子 0：{cpu}<br>CUDA 生成器、种子 0：{cuda}<br>在 CPU 上生成再移到 GPU：{moved}"),
    "gpu.gap": ("CPU vs GPU run: same initial weights: {same}; largest parameter gap after {n} steps: {gap:.3g}",
                "CPU 与 GPU 训练：初始权重相同：{same}；{n} 步后参数的最大差距：{gap:.3g}"),
    "gpu.atomic": ("index_add_ five times: {plain} distinct sums; with deterministic algorithms: {det}",
                   "index_add_ 运行五次：得到 {plain} 种不同的和；开启确定性算法后：{det} 种"),
    "gpu.refuses": ("With deterministic algorithms on, {op} refuses: “{error}”",
                    "开启确定性算法后，{op} 拒绝运行：“{error}”"),
})


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
        self.resume = panel.label(W.Checkbox(value=False, indent=False, layout=W.Layout(width="auto")), "export.resume")
        self.resume.add_class("tp-export-resume")
        self.expected = None
        panel.on_click(self.button, self.export)
        self.gpu_button = panel.button("gpu.button", "tp-gpu-experiments")
        self.gpu_button.layout.display = None if torch.cuda.is_available() else "none"
        self.gpu_result = W.HTML()
        self.live = None
        panel.on_click(self.gpu_button, self.run_gpu)
        panel.i18n.call(lambda _: self.render())
        self.widget = W.VBox([W.HBox([self.button, self.resume]), self.text, self.links,
                              panel.label(W.HTML(), "gpu.title", "value"), self.gpu_button, self.gpu_result])

    def export(self):
        """Train the panel's config once for its fingerprint, then show the script that reproduces it."""
        cfg = self.panel.config()
        save_epoch = 1 if self.resume.value else None
        self.text.value = export_script(cfg, save_epoch=save_epoch)  # refuses an unseeded config before any training
        p = self.panel

        def done(history):
            self.expected = history.fingerprint
            self.text.value = export_script(cfg, history.fingerprint, save_epoch=save_epoch)
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
