"""The code's shape: imports run one way between the packages, no module circle, no private name
imported from another file."""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("geoplan", "layers", "optimizers", "maps")
#: Which packages each package may import (DESIGN: geoplan → optimizers, maps, layers; both → layers).
ALLOWED = {"layers": {"layers"}, "optimizers": {"optimizers", "layers"}, "maps": {"maps", "layers"},
           "geoplan": set(PACKAGES)}


def _modules() -> dict[str, Path]:
    out = {}
    for pkg in PACKAGES:
        for path in (ROOT / pkg).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            out[name] = path
    return out


def _imports(path: Path, name: str, is_package: bool) -> list[tuple[str, list[str]]]:
    """(module imported, names taken from it) for every import statement of a file that runs."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    base = name if is_package else name.rpartition(".")[0]
    # imports for type checkers only never run
    typing_only = {id(n) for block in ast.walk(tree)
                   if isinstance(block, ast.If) and getattr(block.test, "id", None) == "TYPE_CHECKING"
                   for n in ast.walk(block)}
    out = []
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            out += [(a.name, []) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                anchor = base.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                module = ".".join([*anchor, module] if module else anchor)
            out.append((module, [a.name for a in node.names]))
    return out


MODULES = _modules()


def _resolve(module: str) -> str | None:
    """The project module an import names (the longest known prefix), or None for a library."""
    while module and module not in MODULES:
        module = module.rpartition(".")[0]
    return module or None


def _graph() -> nx.DiGraph:
    g = nx.DiGraph()
    for name, path in MODULES.items():
        g.add_node(name)
        for module, names in _imports(path, name, path.name == "__init__.py"):
            for target in [f"{module}.{n}" for n in names if f"{module}.{n}" in MODULES] or [module]:
                hit = _resolve(target)
                if hit and hit != name:
                    g.add_edge(name, hit)
    return g


def test_packages_import_one_way():
    bad = [(a, b) for a, b in _graph().edges if b.split(".")[0] not in ALLOWED[a.split(".")[0]]]
    assert bad == []


def test_no_module_imports_itself_round_a_circle():
    # a package's __init__ re-exports its modules: edges into an __init__ from its own modules
    # are not an idea split in two, so only module ↔ module circles count
    g = _graph()
    plain = g.subgraph([n for n in g if MODULES[n].name != "__init__.py"])
    assert list(nx.simple_cycles(plain)) == []


@pytest.mark.parametrize("package", PACKAGES)
def test_no_private_name_crosses_a_file(package):
    crossings = []
    for name, path in MODULES.items():
        if name.split(".")[0] != package:
            continue
        for module, names in _imports(path, name, path.name == "__init__.py"):
            hit = _resolve(module)
            if hit is None:
                continue
            # a private module is a package's own business; a private name is its module's
            private = [n for n in names if n.startswith("_") and n != "__version__"]
            crossings += [f"{name} imports {module}.{n}" for n in private if f"{module}.{n}" not in MODULES]
    assert crossings == []
