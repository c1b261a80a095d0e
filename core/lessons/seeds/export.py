"""export_script(cfg): a standalone plain-PyTorch script that reproduces train(cfg) and prints its fingerprint.

The script embeds core/plain.py (and core/data/toy.py for a toy set) verbatim, so it runs the very code
the engine runs; around it stand the run's settings, its data and the course's flat training loop.
"""
from __future__ import annotations

import base64
import inspect
import io
import re
import textwrap

import numpy as np

from ... import plain, plain_loop
from ...data import mnist
from ...data import toy as toy_data
from ...engine.config import RunConfig
from ...data.datasets import input_shape_of, pool_arrays
from ...engine.errors import ConfigError
from ...engine.messages import error_messages
from ...engine.optimizers import torch_optim_code
from ..loop.script import loop_code, needs_loop_pieces

HEADER = '''#!/usr/bin/env python3
"""{summary}

Run it from any folder, with no file of the app:  python {filename}
{needs}Its last line is the run's fingerprint; {expected}
"""
{imports}
'''
DETERMINISTIC = '''\
# deterministic algorithms, as the app's "deterministic" switch sets them (cuBLAS needs a fixed workspace)
os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
torch.use_deterministic_algorithms(True)
torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark = True, False
'''
EMBEDDED_DATA = '''\
# ---- data: the rows of the run's data set, embedded as a compressed numpy .npz in base64 ---------
DATA = """
{blob}
"""
with np.load(io.BytesIO(base64.b64decode(DATA))) as arrays:
    pool = as_tensors(arrays["x"], arrays["y"])
# one generator seeded with SEED draws the train/val/test split
splits = split_pool(*pool, torch.Generator().manual_seed(SEED), VAL_FRACTION)
'''
TOY_DATA = '''\
# ---- data: one generator seeded with SEED draws the toy points, then the train/val/test split -----
g = torch.Generator().manual_seed(SEED)
splits = split_pool(*make_toy({name!r}, g), g, VAL_FRACTION)
'''
FILE_DATA = '''\
# ---- data: the four {title} files, read from the folder named on the command line ------------------
FOLDER = sys.argv[1] if len(sys.argv) > 1 else "."
FILES = {files!r}
missing = [name for name in FILES if not os.path.isfile(os.path.join(FOLDER, name))]
if missing:
    sys.exit(f"This run trains on {title}: put {{', '.join(missing)}} (from {url}) "
             f"in the folder {{os.path.abspath(FOLDER)}}, or name their folder: python {filename} FOLDER")
train_x, train_y, test_x, test_y = (parse_idx(gzip.decompress(pathlib.Path(FOLDER, name).read_bytes()), name)
                                    for name in FILES)
# the official test file is the test split; one generator seeded with SEED draws val from the train file
splits = split_files(*as_tensors(train_x[:, None], train_y), *as_tensors(test_x[:, None], test_y),
                     torch.Generator().manual_seed(SEED), VAL_FRACTION)
'''
def _embedded(module) -> str:
    """A core module's whole source under a banner naming it."""
    name = f"core/{module.__name__.rsplit('.', 1)[-1]}.py"
    banner = f"# ==== Training Playground's {name}, verbatim: the code the app itself runs "
    return banner.ljust(100, "=") + "\n" + inspect.getsource(module)


def _messages(module) -> str:
    """The English sentences of the ConfigErrors a module raises: the script has no locales/ to read them from."""
    codes = sorted(set(re.findall(r'ConfigError\(\s*"(\w+)"', inspect.getsource(module))))
    english = error_messages()
    lines = "".join(f"    {code!r}: {english[code]!r},\n" for code in codes)
    return f"ConfigError.MESSAGES.update({{  # from the app's locales/en.json\n{lines}}})\n"


def _npz_base64(x, y) -> str:
    """Arrays x and y as a compressed .npz, in base64 lines of 100 characters."""
    buffer = io.BytesIO()
    np.savez_compressed(buffer, x=x, y=y)
    return "\n".join(textwrap.wrap(base64.b64encode(buffer.getvalue()).decode(), 100))


def _data_code(cfg: RunConfig, filename: str):
    """(the data section, extra imports, what the script needs beyond torch and numpy, number of classes)."""
    name = cfg.dataset
    if name in toy_data.TOY_SETS:
        return TOY_DATA.format(name=name), [], "", input_shape_of(name)[1]
    if name in mnist.SIZES:
        title = mnist.TITLES[name]
        needs = textwrap.fill(f"It needs the four {title} files ({', '.join(mnist.FILES.values())}) in the "
                              "folder named on the command line (default: the current folder):", 100,
                              break_on_hyphens=False)
        needs += f"\n    python {filename} FOLDER\n"
        code = FILE_DATA.format(title=title, files=tuple(mnist.FILES.values()), url=mnist.MIRRORS[name][0],
                                filename=filename)
        return code, ["gzip", "os", "pathlib", "sys"], needs, input_shape_of(name)[1]
    x, y, class_names = pool_arrays(name)
    code = EMBEDDED_DATA.format(blob=_npz_base64(x, y))
    return code, ["base64", "io"], "", len(class_names)


def export_script(cfg: RunConfig, expected: str = "", filename: str = "reproduce.py", save_epoch=None) -> str:
    """Plain torch + numpy source that re-runs cfg exactly, from any folder (a fixed seed in every part);
    with `save_epoch`, `--save` stops after that epoch with a checkpoint and `--resume` goes on from it."""
    cfg = cfg.validate()
    if save_epoch is not None and (isinstance(save_epoch, bool) or not isinstance(save_epoch, int)
                                   or not 1 <= save_epoch < int(cfg.epochs)):
        raise ConfigError("save_epoch", limit=int(cfg.epochs) - 1)
    if cfg.seed is None or cfg.unseeded:
        raise ConfigError("export_unseeded")
    if cfg.schedule != "constant":  # the script trains at one rate; a schedule would need its own code there
        raise ConfigError("export_schedule")
    data_code, imports, needs, n_classes = _data_code(cfg, filename)
    if cfg.deterministic and "os" not in imports:
        imports.append("os")
    if save_epoch is not None and "sys" not in imports:
        imports.append("sys")
    hidden = tuple(int(h) for h in cfg.hidden)
    # A learner's text never enters the script as code: a CSV is not named at all (its file name is theirs),
    # every other name is one of the app's own choices (validate() refused anything else).
    dataset = cfg.dataset if input_shape_of(cfg.dataset) is not None else "a CSV table"
    summary = textwrap.fill(f"Reproduce a Training Playground run with plain PyTorch and numpy: "
                            f"{dataset}, {cfg.model} {hidden}, {cfg.activation}, "
                            f"init {cfg.init}, {cfg.optimizer} lr={float(cfg.lr)!r}, seed {cfg.seed}.", 100)
    device = '"cuda" if torch.cuda.is_available() else "cpu"' if cfg.device == "auto" else repr(cfg.device)
    settings = "\n".join([
        "# ==== this run " + "=" * 85,
        f"SEED = {int(cfg.seed)}", f"MODEL = {cfg.model!r}", f"HIDDEN = {hidden!r}",
        f"ACTIVATION = {cfg.activation!r}", f"INIT = {cfg.init!r}", f"N_CLASSES = {n_classes}",
        f"VAL_FRACTION = {float(cfg.val_fraction)!r}", f"LR = {float(cfg.lr)!r}",
        f"BATCH_SIZE = {int(cfg.batch_size)}", f"EPOCHS = {int(cfg.epochs)}", f"DEVICE = torch.device({device})",
        f"NORM = {cfg.norm!r}", f"DROPOUT = {float(cfg.dropout)!r}",
    ] + ([f"INIT_RULES = {cfg.init_rules!r}"] if cfg.init_rules is not None else [])) + "\n"
    if not re.fullmatch(r"[0-9a-f]{0,64}", str(expected)) or not re.fullmatch(r"[\w.-]+\.py", filename):
        raise ValueError("expected must be a hex fingerprint and filename a plain .py name")
    parts = [HEADER.format(summary=summary, filename=filename, needs=needs, expected=f"the app showed {expected}." if expected else "compare it with the app's.",
                           imports="".join(f"import {m}\n" for m in sorted(imports))),
             _embedded(plain), _messages(plain)]
    if cfg.dataset in toy_data.TOY_SETS:
        parts.append(_embedded(toy_data))
    if needs_loop_pieces(cfg):
        parts.append(_embedded(plain_loop))
    parts += [settings, DETERMINISTIC if cfg.deterministic else "", data_code,
              loop_code(cfg, torch_optim_code(cfg.optimizer), save_epoch, filename)]
    return "\n\n".join(part.rstrip("\n") for part in parts if part) + "\n"
