"""Functions taken from other projects' released wheels at test time (fetched by `make test-deps` into
.venv/wheels, never installed): a test compares the app with its authors' own code, not a hand copy."""
import ast
import zipfile
from pathlib import Path

WHEELS = Path(__file__).resolve().parent.parent / ".venv" / "wheels"
FASTAI = ("fastai-2.8.12-py3-none-any.whl", "fastai/callback/schedule.py")
TORCH_LR_FINDER = ("torch_lr_finder-0.2.2-py3-none-any.whl", "torch_lr_finder/lr_finder.py")


def source(wheel_and_module) -> str:
    """The text of one module inside a downloaded wheel."""
    wheel, module = wheel_and_module
    path = WHEELS / wheel
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: run `make test-deps` (it downloads the reference wheels)")
    with zipfile.ZipFile(path) as archive:
        return archive.read(module).decode()


def node(wheel_and_module, *names):
    """The AST of a top-level function, or of a method (`names` = class, method), in a wheel's module."""
    found = ast.parse(source(wheel_and_module))
    for name in names:
        found = next(item for item in found.body
                     if isinstance(item, (ast.FunctionDef, ast.ClassDef)) and item.name == name)
    return found


def function(wheel_and_module, name, namespace=None):
    """A top-level function of a wheel's module, compiled alone (its body must need only `namespace`)."""
    tree = ast.Module(body=[node(wheel_and_module, name)], type_ignores=[])
    scope = dict(namespace or {})
    exec(compile(tree, f"{wheel_and_module[0]}:{name}", "exec"), scope)
    return scope[name]
