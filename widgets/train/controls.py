"""Training panel controls: data set (built-in or an uploaded CSV), model and optimiser, numbers -> RunConfig."""
from __future__ import annotations

import ipywidgets as W

from core import (ACTIVATIONS, DATASETS, DEVICES, INIT_SCHEMES, MODELS, OPTIMIZERS, ConfigError, RunConfig,
                  device_info)

from ..shell.options import option_pairs
from ..shell.parse import parse_float, parse_int, parse_seed, parse_widths
from ..shell.upload_guard import UploadGuard
from ..shell.uploads import MAX_UPLOAD_BYTES, UPLOADS, refuse_size

KFOLD_CHOICES = (0, *range(2, 11))
STYLE = {"description_width": "7.5em"}
WIDTH = W.Layout(width="24em")  # room for the longest option after its 7.5em description ("MLP (fully connected)")
DATASET_WIDTH = W.Layout(width="42em", max_width="100%")  # data-set options are sentences


def offered_devices() -> list:
    """Devices to offer: "cuda" only where torch sees a GPU ("auto" picks one when there is one)."""
    gpu = device_info()["cuda_available"]
    return [d for d in DEVICES if d != "cuda" or gpu]


def uploaded_files(value) -> list:
    """(name, content) pairs from FileUpload.value: ipywidgets 8 gives a tuple of dicts, 7 a dict name -> {content}.
    The content is passed on as sent, unconverted: `uploads.checked_content` decides whether it is a file."""
    if isinstance(value, dict):
        return [(name, item.get("content") if isinstance(item, dict) else None) for name, item in value.items()]
    return [(item.get("name", ""), item.get("content")) if isinstance(item, dict) else ("", None)
            for item in value or ()]


def check_kfold(k) -> int:
    """k for k-fold cross-validation as shared: 0 (off) or 2 to 10."""
    if k not in KFOLD_CHOICES:
        raise ConfigError("kfold_range")
    return k


class TrainControls:
    """The panel's inputs; `config()` reads them into a validated RunConfig, `kfolds()` gives k (0 = off)."""

    def __init__(self, panel, base: RunConfig):
        self.panel, self.base = panel, base
        self.csv_path = None  # this kernel's uploaded CSV (uploads.UPLOADS holds it), once there is one
        drop = lambda key: panel.label(W.Dropdown(style=STYLE, layout=WIDTH), key)
        text = lambda key, css: self._css(panel.label(W.Text(style=STYLE, layout=WIDTH), key), css)
        self.dataset = self._css(panel.label(W.Dropdown(style=STYLE, layout=DATASET_WIDTH), "train.dataset"),
                                 "tp-train-dataset")
        self.devices = offered_devices()
        self.upload = self._css(panel.label(W.FileUpload(accept=".csv", multiple=False), "train.upload"),
                                "tp-train-upload")
        self.upload_limit = panel.label(W.HTML(), "train.upload_limit", "value", mb=MAX_UPLOAD_BYTES // 2**20)
        self.upload_limit.add_class("tp-train-upload-limit")
        self.upload_guard = UploadGuard(MAX_UPLOAD_BYTES, "tp-train-upload",
                                        panel.guard(lambda size: refuse_size(size)))
        self.model, self.activation = drop("train.model"), drop("train.activation")
        self.init, self.optimizer = drop("train.init"), drop("train.optimizer")
        self.device, self.kfold = drop("train.device"), self._css(drop("train.kfold"), "tp-train-kfold")
        self.hidden, self.lr = text("train.hidden", "tp-train-hidden"), text("train.lr", "tp-train-lr")
        self.batch, self.epochs = text("train.batch", "tp-train-batch"), text("train.epochs", "tp-train-epochs")
        self.seed = text("train.seed", "tp-seed")
        panel.i18n.call(self._relabel_options)
        self.set_config(base)
        self.kfold.value = KFOLD_CHOICES[0]  # off
        self.on_upload = panel.guard(lambda change: self.load_upload(change["new"]))
        self.upload.observe(self.on_upload, "value")
        column = lambda *ws: W.VBox(list(ws))
        self.widget = W.VBox([
            W.HBox([self.dataset, self.upload, self.upload_limit], layout=W.Layout(flex_flow="row wrap")),
            self.upload_guard,
            W.HBox([column(self.model, self.hidden, self.activation, self.init),
                    column(self.optimizer, self.lr, self.batch, self.epochs),
                    column(self.seed, self.device, self.kfold)], layout=W.Layout(flex_flow="row wrap")),
        ])

    @staticmethod
    def _css(widget, css):
        widget.add_class(css)
        return widget

    def _relabel_options(self, i18n):
        """Translated option labels; reassigning options resets the value, so keep it."""
        def relabel(dropdown, pairs):
            value = dropdown.value
            dropdown.options = pairs
            if value in [v for _, v in pairs]:
                dropdown.value = value

        datasets = [(i18n.t(f"train.ds.{n}"), n) for n in DATASETS]
        if self.csv_path:
            datasets.append((i18n.t("train.ds.csv", name=UPLOADS.name), self.csv_path))
        relabel(self.dataset, datasets)
        relabel(self.model, [(i18n.t(f"train.model.{m}"), m) for m in MODELS])
        relabel(self.optimizer, [(i18n.t(f"train.opt.{o}"), o) for o in OPTIMIZERS])
        relabel(self.activation, option_pairs(i18n.t, "act", ACTIVATIONS))
        relabel(self.init, option_pairs(i18n.t, "init", INIT_SCHEMES))
        relabel(self.device, [(i18n.t(f"train.dev.{d}"), d) for d in self.devices])
        relabel(self.kfold, [(i18n.t("train.kfold.off") if k == 0 else str(k), k) for k in KFOLD_CHOICES])

    def config(self) -> RunConfig:
        """The controls as a validated RunConfig (a ConfigError names the first unusable box)."""
        return self.base.replace(
            dataset=self.dataset.value, model=self.model.value, hidden=parse_widths(self.hidden.value),
            activation=self.activation.value, init=self.init.value, optimizer=self.optimizer.value,
            lr=parse_float(self.lr.value, "learning rate"), batch_size=parse_int(self.batch.value, "batch size"),
            epochs=parse_int(self.epochs.value, "epochs"), seed=parse_seed(self.seed.value),
            device=self.device.value).validate()

    def kfolds(self) -> int:
        return self.kfold.value

    def set_config(self, cfg: RunConfig) -> None:
        """Show cfg in the controls; cfg's other fields (val_fraction, …) become the base."""
        self.base = cfg
        if cfg.dataset not in DATASETS:  # this kernel's own upload (config_from resolved its handle)
            self.csv_path = str(cfg.dataset)
            self._relabel_options(self.panel.i18n)
        self.dataset.value, self.model.value = cfg.dataset, cfg.model
        self.activation.value, self.init.value = cfg.activation, cfg.init
        self.optimizer.value, self.device.value = cfg.optimizer, cfg.device
        self.hidden.value = ", ".join(str(w) for w in cfg.hidden)
        self.lr.value, self.batch.value, self.epochs.value = f"{cfg.lr:g}", str(cfg.batch_size), str(cfg.epochs)
        self.seed.value = "" if cfg.seed is None else str(cfg.seed)

    def load_upload(self, value) -> None:
        """Check an uploaded CSV before it touches the disk, keep it as this kernel's upload, and select it."""
        files = uploaded_files(value)
        if not files:
            return
        name, content = files[-1]
        path, (x, _, classes) = UPLOADS.store(name, content)  # refuses non-files, oversize, bad names, bad CSVs
        self.csv_path = path
        self._relabel_options(self.panel.i18n)
        self.dataset.value = path
        self.panel.status.show("train.csv_loaded", "ok", name=UPLOADS.name, rows=len(x), features=x.shape[1],
                               classes=len(classes))
