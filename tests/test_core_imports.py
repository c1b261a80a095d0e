"""core has no import circle: a module never needs, by any path of imports, a module that needs it.
Imports inside functions count too (they only hide a circle until the function runs)."""
import ast
import pathlib

CORE = pathlib.Path(__file__).resolve().parent.parent / "core"


def module_name(path: pathlib.Path) -> str:
    parts = path.relative_to(CORE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(source: str, here: str, is_package: bool, modules: set) -> set:
    """The modules of `modules` that the module `here` imports, at its top or inside a function;
    `from .x import name` counts `.x`, or `.x.name` where that is a module itself."""
    package = here if is_package else here.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module
            submodules = {f"{target}.{alias.name}" for alias in node.names} & modules
            # `from .. import plain` needs core.plain; `from .config import X` needs core.engine.config
            found |= submodules if len(submodules) == len(node.names) else submodules | {target}
    return {m for m in found if m in modules and m != here}


def import_graph() -> dict:
    paths = sorted(CORE.rglob("*.py"))
    modules = {module_name(p) for p in paths}
    return {module_name(p): imported_modules(p.read_text(), module_name(p), p.name == "__init__.py", modules)
            for p in paths}


def cycles(graph: dict) -> list:
    """Every circle, found by a depth-first walk (each reported once, from where the walk first met it).
    The package `core` itself is left out: its __init__ is the public face that imports everything."""
    found, state = [], {}

    def visit(node, trail):
        state[node] = "open"
        for nxt in sorted(graph[node]):
            if nxt == "core":
                continue
            if state.get(nxt) == "open":
                found.append(trail[trail.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, trail + [nxt])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    return found


def test_the_walk_sees_imports_inside_functions_and_finds_a_circle():
    source = "import torch\nfrom . import errors\n\ndef validate():\n    from ..data.datasets import split_sizes\n"
    modules = {"core.engine.errors", "core.data.datasets", "core.data"}
    found = imported_modules(source, "core.engine.config", False, modules)
    assert found == {"core.engine.errors", "core.data.datasets"}
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c", "a"]]
    assert "core.engine.config" in import_graph()["core.engine.run"]


def test_no_import_circle_in_core():
    assert cycles(import_graph()) == []


def test_no_module_in_core_imports_the_public_face():
    """A module that imports `core` itself depends on every other module: a circle waiting to happen."""
    assert [m for m, needs in import_graph().items() if "core" in needs and m != "core"] == []
