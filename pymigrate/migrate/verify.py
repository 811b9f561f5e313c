"""Checks every migrated text passes before anything is written.

A `.pys` result must parse with the superset front end, pass the compiler's checker, carry exactly
the fn/struct marks the upgrade intended, and (annotations and declarations aside) be the very same
program as the input: same statements, same expressions, same names. A `.py` result must compile
with CPython. Neither may evaluate an annotation before the names it uses are bound (`bindtime`)
where the original did not. A failure keeps the file as it is and is reported with its position.
"""

from __future__ import annotations

import ast

from pymigrate.codegen.checker import check_module
from pymigrate.codegen.diagnostics import CompileError
from pymigrate.migrate.bindtime import unbound_annotations
from pymigrate.superset import MarkKind, parse


class VerifyError(Exception):
    """The migrated text failed a check; the message says which, `line`/`col` (1-based) where."""

    def __init__(self, message: str, line: int = 1, col: int = 1) -> None:
        super().__init__(message)
        self.line = line
        self.col = col

    @classmethod
    def from_syntax(cls, what: str, exc: SyntaxError) -> VerifyError:
        return cls(f"{what}: {exc.msg}", exc.lineno or 1, exc.offset if exc.offset and exc.offset > 0 else 1)


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
    """CPython compiles it to bytecode (which finds more than parsing: misplaced `nonlocal`, `return`...)."""
    try:
        compile(text, filename, "exec", dont_inherit=True)
    except SyntaxError as exc:
        raise VerifyError.from_syntax("the migrated text does not compile", exc) from exc
    except ValueError as exc:   # a NUL byte
        raise VerifyError(f"the migrated text does not compile: {exc}") from exc


def check_bindings(original: str, migrated: str, filename: str) -> None:
    """No annotation of `migrated` is evaluated before a name it uses is bound, unless `original`
    already had that annotation so (then it is the user's code, not the migration's doing)."""
    before = {u.key for u in unbound_annotations(ast.parse(original, filename))}
    for problem in unbound_annotations(ast.parse(migrated, filename)):
        if problem.key not in before:
            slot = "return" if problem.slot == "return" else f"`{problem.slot}`"
            names = ", ".join(f"`{n}`" for n in problem.names)
            raise VerifyError(
                f"the annotation of {slot} in `{problem.owner or '<module>'}` would use {names} before "
                f"{'it is' if len(problem.names) == 1 else 'they are'} bound (NameError when it is evaluated)",
                problem.line, problem.col)


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


def check_superset(text: str, reference: str, filename: str, fns: int, structs: int, compiler: bool = True) -> None:
    """`text` parses as superset with `fns`/`structs` upgrades and is exactly the Python `reference`
    (the upgraded tree before keywords were printed) once the superset marks are read, and (with
    `compiler`) the compiler's checker accepts the whole module."""
    try:
        result = parse(text, filename)
    except SyntaxError as exc:
        raise VerifyError.from_syntax("the migrated text does not parse as superset source", exc) from exc
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
    if not compiler:
        return
    try:
        check_module(result)
    except CompileError as exc:
        first = exc.diagnostics[0] if exc.diagnostics else None
        raise VerifyError(f"the compiler's checker refuses the migrated text: {first.message if first else exc}",
                          first.line if first else 1, first.col if first else 1) from exc
