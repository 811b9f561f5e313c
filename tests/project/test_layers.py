"""The layers of docs/architecture.md, checked on the import graph of the code as it is.

Every `import` and `from ... import` in pymigrate/ counts, wherever it stands (module level, inside a
function, under `if TYPE_CHECKING`), since each one is a dependency someone reading or moving the
code has to know about.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "pymigrate"

LEAVES = ("pymigrate", "pymigrate.abi", "pymigrate.atomic", "pymigrate.config", "pymigrate.control_flow",
          "pymigrate.files", "pymigrate.mutation", "pymigrate.registry", "pymigrate.cachedir", "pymigrate.executor")
"""Shared helpers every stage may use; they import only the standard library and each other."""

LAYERS: dict[str, tuple[str, ...]] = {
    "pymigrate.superset": (),
    "pymigrate.codegen": ("pymigrate.superset",),
    "pymigrate.analyze": ("pymigrate.superset", "pymigrate.codegen"),
    "pymigrate.migrate": ("pymigrate.superset", "pymigrate.codegen", "pymigrate.analyze"),
    "pymigrate.runtime": ("pymigrate.superset", "pymigrate.codegen"),
}
"""Each stage and the stages below it that it may import (besides the leaves and itself)."""

ENTRY_POINTS = ("pymigrate.cli", "pymigrate.__main__", "pymigrate.hooks", "pymigrate.demo", "pymigrate.importer")
"""The top: command lines and entry points, which may import anything and are imported by nothing below."""


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> Iterator[tuple[int, str]]:
    """(line, imported module) for every import of a pymigrate module in `path`."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            # `from pymigrate.x import y` may name a submodule y: count the most precise module
            targets = [f"{module}.{a.name}" if _is_module(f"{module}.{a.name}") else module for a in node.names]
        else:
            continue
        for target in targets:
            if target == "pymigrate" or target.startswith("pymigrate."):
                yield node.lineno, target


def _is_module(name: str) -> bool:
    path = PACKAGE.parent.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def owner(module: str) -> str:
    """The leaf, stage or entry point a module belongs to."""
    for name in (*LEAVES[1:], *ENTRY_POINTS, *LAYERS):
        if module == name or module.startswith(name + "."):
            return name
    assert module == "pymigrate", module
    return module


@functools.cache
def graph() -> dict[str, list[tuple[int, str]]]:
    return {module_name(p): list(imports(p)) for p in sorted(PACKAGE.rglob("*.py"))}


ENTRY_POINT_USES = {("pymigrate.__main__", "pymigrate.cli"), ("pymigrate.hooks", "pymigrate.cli")}
"""`python -m pymigrate` and the pre-commit hooks run the command line itself."""


def allowed(source: str, target: str) -> bool:
    here, there = owner(source), owner(target)
    if here == there or there in LEAVES:
        return True
    if here in LEAVES:
        return False
    if here in ENTRY_POINTS:
        return there not in ENTRY_POINTS or (here, there) in ENTRY_POINT_USES
    return there in LAYERS[here]


def test_every_module_belongs_to_a_layer() -> None:
    for module in graph():
        owner(module)


def test_no_module_reaches_up() -> None:
    wrong = [
        f"{module} (line {line}) imports {target}: {owner(module)} may not depend on {owner(target)}"
        for module, found in graph().items()
        for line, target in found
        if not allowed(module, target)
    ]
    assert wrong == []


@pytest.mark.parametrize("leaf", LEAVES[1:])
def test_leaves_import_only_leaves(leaf: str) -> None:
    modules = {m: found for m, found in graph().items() if owner(m) == leaf}
    assert modules, f"{leaf} is listed as a leaf but does not exist"
    for module, found in modules.items():
        assert [t for _, t in found if owner(t) not in LEAVES] == [], module


def test_inference_and_annotation_do_not_import_each_other() -> None:
    """annotate writes the types inference finds and inference annotates to check candidates: the
    types (infer/api.py) are their only meeting point."""
    found = graph()
    annotate = {t for _, t in found["pymigrate.migrate.annotate"]}
    assert {t for t in annotate if t.startswith("pymigrate.migrate.infer")} <= {"pymigrate.migrate.infer.api"}
    assert [t for _, t in found["pymigrate.migrate.infer.api"]] == []


def test_no_module_is_found_by_name_at_run_time() -> None:
    """importlib.import_module / find_spec on our own modules hides a dependency from this test and mypy."""
    hidden = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, (ast.Attribute, ast.Name)):
                called = node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id
                if called in {"import_module", "find_spec", "__import__"} and node.args \
                        and _names_ours(node.args[0]):
                    hidden.append(f"{module_name(path)}:{node.lineno}")
    assert hidden == []


def _names_ours(arg: ast.expr) -> bool:
    """A module name given as a literal or an f-string that starts with ours."""
    if isinstance(arg, ast.JoinedStr) and arg.values:
        arg = arg.values[0]
    return isinstance(arg, ast.Constant) and isinstance(arg.value, str) and arg.value.startswith("pymigrate")


def test_no_import_cycle_between_stages() -> None:
    edges = {(owner(m), owner(t)) for m, found in graph().items() for _, t in found}
    cycles = sorted((a, b) for a, b in edges if a != b and (b, a) in edges)
    assert cycles == []
