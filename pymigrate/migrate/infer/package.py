"""The package being inferred: module names, parsed sources and an index of functions by qualname."""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .api import ACCESSORS as ACCESSORS  # re-exported: the key suffixes live with the result types
from .model import TypeRef

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef


@dataclass
class Function:
    qualname: str
    node: FunctionNode
    class_name: str | None          # qualname of the directly enclosing class, for methods
    is_method: bool                 # takes self/cls implicitly (not a staticmethod)

    @property
    def implicit_first(self) -> str | None:
        args = self.node.args.posonlyargs + self.node.args.args
        return args[0].arg if self.is_method and args else None


@dataclass
class Module:
    name: str
    path: Path
    source: str
    tree: ast.Module
    functions: dict[str, Function] = field(default_factory=dict)
    classes: dict[str, ast.ClassDef] = field(default_factory=dict)
    future_annotations: bool = False
    # the module's type aliases in scope (defined or imported), by the type they stand for: annotations
    # speak the author's vocabulary (``PythonVersion`` rather than ``Sequence[int]``); filled from mypy
    aliases: dict[TypeRef, str] = field(default_factory=dict)


def module_name(path: Path) -> tuple[str, Path]:
    """The dotted module name of ``path`` and its base directory, found as mypy does (walk up __init__.py)."""
    path = path.resolve()
    parts = [] if path.stem == "__init__" else [path.stem]
    directory = path.parent
    while (directory / "__init__.py").exists():
        parts.insert(0, directory.name)
        directory = directory.parent
    return ".".join(parts) or path.stem, directory


def load_modules(files: Sequence[Path]) -> list[Module]:
    modules = []
    for path in files:
        if path.suffix != ".py":
            continue
        try:
            str(path).encode("utf-8")  # mypy cannot take a file name that is not text
            source = path.read_text(encoding="utf-8")
            tree = ast.parse(source, filename=str(path))
        except (OSError, UnicodeError, SyntaxError, ValueError, RecursionError, MemoryError) as exc:
            reason: object = exc
            if isinstance(exc, (RecursionError, MemoryError)):
                reason = "nesting too deep"
            elif isinstance(exc, UnicodeEncodeError):
                reason = "its name is not valid UTF-8"
            print(f"{path}: skipped by type inference: {reason}", file=sys.stderr)
            continue
        name, _ = module_name(path)
        module = Module(name, path.resolve(), source, tree)
        module.future_annotations = any(
            isinstance(s, ast.ImportFrom) and s.module == "__future__" and any(a.name == "annotations" for a in s.names)
            for s in tree.body
        )
        _index(module, tree.body, "", None)
        modules.append(module)
    return modules


def base_name(base: ast.expr) -> str:
    """A base class's short name (``Protocol`` for ``typing.Protocol[T]``)."""
    if isinstance(base, ast.Subscript):
        base = base.value
    return base.id if isinstance(base, ast.Name) else base.attr if isinstance(base, ast.Attribute) else ""


def declared_self(returns: ast.expr | None) -> bool:
    """A return annotation written ``Self`` (by the author, or by an earlier round of inference)."""
    if isinstance(returns, ast.Constant) and isinstance(returns.value, str):
        text = returns.value.strip()
    elif isinstance(returns, (ast.Name, ast.Attribute)):
        text = ast.unparse(returns)
    else:
        return False
    return text in ("Self", "typing.Self", "typing_extensions.Self")


def isinstance_call(node: ast.AST) -> tuple[ast.expr, ast.expr] | None:
    """``(subject, classes)`` for ``isinstance(subject, classes)``."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "isinstance" \
            and len(node.args) == 2 and not node.keywords:
        return node.args[0], node.args[1]
    return None


def isinstance_name(node: ast.AST) -> str | None:
    """The plain name ``isinstance(name, ...)`` checks."""
    call = isinstance_call(node)
    return call[0].id if call is not None and isinstance(call[0], ast.Name) else None


def none_tested(test: ast.expr) -> str | None:
    """The name ``x is None`` (or ``(x := ...) is None``) tests."""
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Is) \
            and isinstance(test.comparators[0], ast.Constant) and test.comparators[0].value is None:
        left = test.left
        if isinstance(left, ast.NamedExpr):
            return left.target.id
        if isinstance(left, ast.Name):
            return left.id
    return None


def protocol_classes(modules: Sequence[Module]) -> set[tuple[str, str]]:
    """(module, class qualname) of the package's Protocol classes."""
    return {(m.name, q) for m in modules for q, cls in m.classes.items() if "Protocol" in map(base_name, cls.bases)}


def decorator_names(node: FunctionNode | ast.ClassDef) -> set[str]:
    names = set()
    for d in node.decorator_list:
        target = d.func if isinstance(d, ast.Call) else d
        if isinstance(target, ast.Name):
            names.add(target.id)
        elif isinstance(target, ast.Attribute):
            names.add(target.attr)
    return names


def accessor_suffix(node: FunctionNode) -> str | None:
    """``"@setter"`` for ``@name.setter def name(...)``: a property's setter shares the getter's qualname,
    so it is indexed (and annotated, and traced) under this suffix."""
    for d in node.decorator_list:
        if isinstance(d, ast.Attribute) and d.attr in ACCESSORS and isinstance(d.value, ast.Name) \
                and d.value.id == node.name:
            return "@" + d.attr
    return None


def first_line(node: FunctionNode) -> int:
    """The line a code object reports as its first: the first decorator's, else the ``def``'s."""
    return min([node.lineno, *(d.lineno for d in node.decorator_list)])


def _index(module: Module, body: Sequence[ast.stmt], prefix: str, class_name: str | None) -> None:
    for stmt in _flatten(body):
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if "overload" in decorator_names(stmt):
                continue        # a typed declaration; the implementation that follows is the function
            qualname = prefix + stmt.name
            if qualname in module.functions:        # a property's setter or deleter, else a redefinition
                qualname += accessor_suffix(stmt) or ""
            if qualname not in module.functions:     # keep the first of same-named defs
                is_method = class_name is not None and "staticmethod" not in decorator_names(stmt)
                module.functions[qualname] = Function(qualname, stmt, class_name, is_method)
            _index(module, stmt.body, qualname + ".<locals>.", None)
        elif isinstance(stmt, ast.ClassDef):
            qualname = prefix + stmt.name
            module.classes.setdefault(qualname, stmt)
            _index(module, stmt.body, qualname + ".", qualname)


def _flatten(body: Sequence[ast.stmt]) -> Iterator[ast.stmt]:
    """Statements of a block, descending into if/try/with (definitions there keep the same qualname)."""
    for stmt in body:
        if isinstance(stmt, ast.If):
            yield from _flatten(stmt.body)
            yield from _flatten(stmt.orelse)
        elif isinstance(stmt, ast.Try):
            yield from _flatten(stmt.body)
            for h in stmt.handlers:
                yield from _flatten(h.body)
            yield from _flatten(stmt.orelse)
            yield from _flatten(stmt.finalbody)
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            yield from _flatten(stmt.body)
        else:
            yield stmt


def own_nodes(func: FunctionNode) -> Iterator[ast.AST]:
    """Nodes of a function body, not descending into nested functions, lambdas or classes."""
    nested = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
    stack: list[ast.AST] = [s for s in func.body if not isinstance(s, nested)]
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, nested):
                stack.append(child)


def body_without_docstring(func: FunctionNode) -> list[ast.stmt]:
    body = list(func.body)
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        return body[1:]
    return body


def raises_not_implemented(stmt: ast.stmt) -> bool:
    if not isinstance(stmt, ast.Raise) or stmt.exc is None:
        return False
    exc = stmt.exc.func if isinstance(stmt.exc, ast.Call) else stmt.exc
    return (exc.id if isinstance(exc, ast.Name) else exc.attr if isinstance(exc, ast.Attribute) else "") \
        == "NotImplementedError"


def is_placeholder(func: FunctionNode) -> bool:
    """The body is only a docstring, ``...``, ``pass`` or ``raise NotImplementedError``: never meant to run."""
    body = body_without_docstring(func)
    if not body:
        return True
    if len(body) != 1:
        return False
    stmt = body[0]
    return isinstance(stmt, ast.Pass) or raises_not_implemented(stmt) or (
        isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and stmt.value.value is Ellipsis)


def all_params(func: FunctionNode) -> list[ast.arg]:
    a = func.args
    out = [*a.posonlyargs, *a.args]
    if a.vararg:
        out.append(a.vararg)
    out.extend(a.kwonlyargs)
    if a.kwarg:
        out.append(a.kwarg)
    return out


def defaults(func: FunctionNode) -> dict[str, ast.expr]:
    a = func.args
    positional = [*a.posonlyargs, *a.args]
    out = {p.arg: d for p, d in zip(positional[len(positional) - len(a.defaults):], a.defaults)}
    out.update({p.arg: d for p, d in zip(a.kwonlyargs, a.kw_defaults) if d is not None})
    return out


def module_from_text(module: Module, text: str) -> Module:
    """The same module with another text (an annotated candidate), re-indexed."""
    tree = ast.parse(text, filename=str(module.path))
    new = Module(module.name, module.path, text, tree, future_annotations=module.future_annotations)
    _index(new, tree.body, "", None)
    return new
