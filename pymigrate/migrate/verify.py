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


def _shape(tree: ast.Module) -> str:
    return ast.dump(_StripAnnotations().visit(tree), include_attributes=False)


def check_python(text: str, filename: str) -> None:
    try:
        compile(text, filename, "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as exc:
        raise VerifyError(f"the migrated text does not parse as Python: {exc}") from exc


def check_superset(text: str, original: str, filename: str, fns: int, structs: int) -> None:
    """`text` parses as superset, has `fns`/`structs` upgrades, and is `original`'s program."""
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
    before = _shape(ast.parse(original, filename))
    if _shape(result.tree) != before:
        raise VerifyError("the migrated program differs from the original beyond annotations and keywords")
