"""export_script(cfg): a standalone plain-PyTorch script that reproduces train(cfg) and prints its fingerprint."""
from __future__ import annotations

import inspect
import textwrap
from string import Template

from . import toy_data
from .activations import LEAKY_SLOPE
from .config import RunConfig
from .errors import ConfigError
from .export_template import SCRIPT
from .gains import (CONSTANT_VALUE, SPARSE_STD, SPARSITY, TRUNC_BOUND, TRUNC_STD, UNIFORM_BOUND,
                    calculate_gain)

ACTIVATION_CODE = {"relu": "nn.ReLU()", "leaky_relu": f"nn.LeakyReLU({LEAKY_SLOPE!r})", "tanh": "nn.Tanh()",
                   "sigmoid": "nn.Sigmoid()", "linear": "nn.Identity()", "gelu": "nn.GELU()", "selu": "nn.SELU()"}
# foreach=False: torch.optim's single-tensor arithmetic, which the app's own optimizers (core/optimizers.py)
# follow step for step; on a GPU torch.optim would otherwise pick its multi-tensor code.
OPTIMIZER_CODE = {"sgd": "torch.optim.SGD(model.parameters(), lr=LR, foreach=False)",
                  "momentum": "torch.optim.SGD(model.parameters(), lr=LR, momentum=0.9, foreach=False)",
                  "adam": "torch.optim.Adam(model.parameters(), lr=LR, foreach=False)"}
MLP_CODE = """\
    width = int(np.prod(input_shape))
    blocks.append(("flatten", nn.Flatten()))
    for i, out in enumerate(HIDDEN, 1):
        blocks.append((f"layer{i}", nn.Sequential(nn.Linear(width, out), activation())))
        width = out
    blocks.append(("out", nn.Linear(width, n_classes)))"""
CNN_CODE = """\
    channels, height, width = input_shape
    for i, out in enumerate(HIDDEN, 1):
        conv = nn.Conv2d(channels, out, kernel_size=3, stride=2, padding=1)
        blocks.append((f"layer{i}", nn.Sequential(conv, activation())))
        channels, height, width = out, (height + 1) // 2, (width + 1) // 2
    blocks.append(("flatten", nn.Flatten()))
    blocks.append(("out", nn.Linear(channels * height * width, n_classes)))"""
LSUV_CODE = """\
# LSUV: rescale each layer in turn until its output std on a batch of training data is 1
sample = x_train[:256]
model.eval()
for layer in layers:
    seen = {}
    handle = layer.register_forward_hook(lambda mod, inp, out: seen.__setitem__("std", out.std().item()))
    for _ in range(10):
        with torch.no_grad():
            model(sample)
        std = seen.get("std", 1.0)
        if abs(std - 1) < 0.05 or not math.isfinite(std) or std == 0:
            break
        with torch.no_grad():
            layer.weight.div_(std)
    handle.remove()
model.train()"""
SPARSE_CODE = f"""\
w2 = weight.view(weight.shape[0], -1)
rows, cols = w2.shape
w2.normal_(0, {SPARSE_STD!r}, generator=g)
zero_rows = torch.rand(rows, cols, generator=g, device=weight.device).argsort(dim=0)
w2.scatter_(0, zero_rows[: math.ceil({SPARSITY!r} * rows)], 0.0)"""
DEFAULT_CODE = """\
nn.init.kaiming_uniform_(weight, a=math.sqrt(5), generator=g)  # what nn.Linear/nn.Conv2d do by default
if bias is not None:
    fan_in = weight.shape[1] * weight[0][0].numel()
    bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
    nn.init.uniform_(bias, -bound, bound, generator=g)"""


def _weight_code(scheme: str, activation: str) -> str:
    gain = calculate_gain(activation)
    name = {"gelu": "relu", "identity": "linear"}.get(activation, activation)
    slope = LEAKY_SLOPE if name == "leaky_relu" else 0
    kaiming = f"(weight, a={slope!r}, mode='fan_in', nonlinearity={name!r}, generator=g)"
    return {
        "zeros": "nn.init.zeros_(weight)",
        "normal_0.01": "nn.init.normal_(weight, 0.0, 0.01, generator=g)",
        "xavier_uniform": f"nn.init.xavier_uniform_(weight, {gain!r}, generator=g)",
        "xavier_normal": f"nn.init.xavier_normal_(weight, {gain!r}, generator=g)",
        "kaiming_uniform": "nn.init.kaiming_uniform_" + kaiming,
        "kaiming_normal": "nn.init.kaiming_normal_" + kaiming,
        "orthogonal": f"nn.init.orthogonal_(weight, gain={gain!r}, generator=g)",
        "lsuv": f"nn.init.orthogonal_(weight, gain={gain!r}, generator=g)",
        "uniform": f"nn.init.uniform_(weight, {-UNIFORM_BOUND!r}, {UNIFORM_BOUND!r}, generator=g)",
        "normal": "nn.init.normal_(weight, 0.0, 1.0, generator=g)",
        "ones": "nn.init.ones_(weight)",
        "constant": f"nn.init.constant_(weight, {CONSTANT_VALUE!r})",
        "eye": "nn.init.eye_(weight) if weight.dim() == 2 else nn.init.dirac_(weight)",
        "dirac": "nn.init.eye_(weight) if weight.dim() == 2 else nn.init.dirac_(weight)",
        "sparse": SPARSE_CODE,
        "trunc_normal": f"nn.init.trunc_normal_(weight, 0.0, {TRUNC_STD!r}, {-TRUNC_BOUND!r}, {TRUNC_BOUND!r}, "
                        "generator=g)",
    }[scheme]


def _init_code(scheme: str, activation: str) -> str:
    if scheme == "pytorch_default":
        return textwrap.indent(DEFAULT_CODE, "    ")
    body = _weight_code(scheme, activation) + "\nif bias is not None:\n    bias.zero_()  # biases start at zero"
    return textwrap.indent(body, "    ")


def _toy_source(dataset: str) -> str:
    if dataset not in toy_data.TOY_SETS:
        return "TOY_SETS = {}"
    source = inspect.getsource(toy_data)
    return source.split("\n", 1)[1].replace("import math\n\nimport torch\n", "")  # imports are at the top already


def export_script(cfg: RunConfig, expected: str = "", filename: str = "reproduce.py") -> str:
    """Plain torch + numpy source that re-runs cfg exactly (built-in data sets, a fixed seed)."""
    cfg = cfg.validate()
    if cfg.seed is None or cfg.unseeded:
        raise ConfigError("Only a fully seeded run can be reproduced: set a seed and seed every part.",
                          "export_unseeded")
    if cfg.dataset.lower().endswith(".csv"):
        raise ConfigError("Export works for the built-in data sets; a CSV file stays on your machine.",
                          "export_csv")
    device = '"cuda" if torch.cuda.is_available() else "cpu"' if cfg.device == "auto" else repr(cfg.device)
    fields = dict(
        summary=f"{cfg.dataset}, {cfg.model} {tuple(int(h) for h in cfg.hidden)}, {cfg.activation}, "
                f"init {cfg.init}, {cfg.optimizer} lr={float(cfg.lr)!r}, seed {cfg.seed}.",
        filename=filename, expected=expected or "(see the app)", seed=int(cfg.seed),
        dataset=repr(cfg.dataset), val_fraction=repr(float(cfg.val_fraction)),
        hidden=repr(tuple(int(h) for h in cfg.hidden)), lr=repr(float(cfg.lr)),
        batch_size=int(cfg.batch_size), epochs=int(cfg.epochs), device=device,
        deterministic=bool(cfg.deterministic), toy_source=_toy_source(cfg.dataset),
        activation=ACTIVATION_CODE[cfg.activation], model_code=CNN_CODE if cfg.model == "cnn" else MLP_CODE,
        init=cfg.init, init_code=_init_code(cfg.init, cfg.activation),
        lsuv_code=LSUV_CODE if cfg.init == "lsuv" else "", optimizer=OPTIMIZER_CODE[cfg.optimizer],
    )
    return Template(SCRIPT).substitute(fields)
