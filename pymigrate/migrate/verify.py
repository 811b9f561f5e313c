"""Checks every migrated text passes before anything is written.

A `.pys` result must parse with the superset front end, carry exactly the fn/struct marks the
upgrade intended, and (annotations and declarations aside) be the very same program as the
input: same statements, same expressions, same names. A `.py` result must compile. Any
failure here is a migrator bug; the file is reported and left untouched.
"""

from __future__ import annotations

import ast

from pymigrate.superset import MarkKind, parse


class VerifyError(Exception):
    """The migrated text failed a check; the message says which."""


class _StripAnnotations(ast.NodeTransformer):
    """Forget what migration may add: annotations and bare declarations (`x: T`)."""

    def visit_arg(self, node: ast.arg) -> ast.arg:
        node.annotation = None
        node.type_comment = None
        return node

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.FunctionDef:
        self.generic_visit(node)
        node.returns = None
        node.type_comment = None
        return node

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> ast.AsyncFunctionDef:
        self.generic_visit(node)
        node.returns = None
        node.type_comment = None
        return node

    def visit_AnnAssign(self, node: ast.AnnAssign) -> ast.Assign | None:
        if node.value is None:
            return None
        value = self.visit(node.value)
        assert isinstance(value, ast.expr)
        return ast.Assign(targets=[self.visit(node.target)], value=value)

    def visit_Assign(self, node: ast.Assign) -> ast.Assign:
        self.generic_visit(node)
        node.type_comment = None
        return node


def _plain_dataclass(node: ast.expr) -> bool:
    if isinstance(node, ast.Call) and not node.args and not node.keywords:
        node = node.func
    if isinstance(node, ast.Attribute):
        return node.attr == "dataclass" and isinstance(node.value, ast.Name) and node.value.id == "dataclasses"
    return isinstance(node, ast.Name) and node.id == "dataclass"


def _forget_dataclasses(tree: ast.Module, classes: set[str]) -> ast.Module:
    """Undo what turning a plain @dataclass into a struct adds or removes, on either side:
    the decorator, the written-out `__init__`, and the `dataclasses` import."""
    body: list[ast.stmt] = []
    for stmt in tree.body:
        if isinstance(stmt, ast.ImportFrom) and stmt.module == "dataclasses" and not stmt.level:
            continue
        if isinstance(stmt, ast.Import) and all(a.name == "dataclasses" for a in stmt.names):
            continue
        if isinstance(stmt, ast.ClassDef) and stmt.name in classes:
            if any(_plain_dataclass(d) for d in stmt.decorator_list):
                stmt.decorator_list = [d for d in stmt.decorator_list if not _plain_dataclass(d)]
            else:
                stmt.body = [s for s in stmt.body if not (isinstance(s, ast.FunctionDef) and s.name == "__init__")]
        body.append(stmt)
    tree.body = body
    return tree


def _shape(tree: ast.Module) -> str:
    return ast.dump(_StripAnnotations().visit(tree), include_attributes=False)


def check_python(text: str, filename: str) -> None:
    try:
        compile(text, filename, "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as exc:
        raise VerifyError(f"the migrated text does not parse as Python: {exc}") from exc


def check_upgrade(annotated: str, upgraded: str, filename: str, dataclasses: set[str]) -> None:
    """The upgraded Python is the annotated program, up to annotations, declarations and the
    @dataclass -> struct rewrite (which the struct itself provides)."""
    before = ast.parse(annotated, filename)
    after = ast.parse(upgraded, filename)
    if dataclasses:
        # the "before" side loses its decorator and import, the "after" side its written-out __init__
        generated = {
            s.name for s in before.body if isinstance(s, ast.ClassDef) and s.name in dataclasses
            and not any(isinstance(m, ast.FunctionDef) and m.name == "__init__" for m in s.body)
        }
        before = _forget_dataclasses(before, dataclasses)
        after = _forget_dataclasses(after, generated)
    if _shape(before) != _shape(after):
        raise VerifyError("the upgraded program differs from the original beyond annotations and declarations")


def check_superset(text: str, reference: str, filename: str, fns: int, structs: int) -> None:
    """`text` parses as superset with `fns`/`structs` upgrades and is exactly the Python `reference`
    (the upgraded tree before keywords were printed) once the superset marks are read."""
    try:
        result = parse(text, filename)
    except SyntaxError as exc:
        raise VerifyError(f"the migrated text does not parse as superset source: {exc}") from exc
    counts = {kind: 0 for kind in (MarkKind.FN, MarkKind.STRUCT)}
    for mark in result.marks:
        if mark.kind in counts:
            counts[mark.kind] += 1
    if (counts[MarkKind.FN], counts[MarkKind.STRUCT]) != (fns, structs):
        raise VerifyError(
            f"expected {fns} fn and {structs} struct upgrades, the parser found "
            f"{counts[MarkKind.FN]} and {counts[MarkKind.STRUCT]}"
        )
    expected = ast.dump(ast.parse(reference, filename), include_attributes=False)
    if ast.dump(result.tree, include_attributes=False) != expected:
        raise VerifyError("the superset text does not read back as the upgraded program")
