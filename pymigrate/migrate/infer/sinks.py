"""Values stored under a type the author declared, and the slots those values come from.

A value stored into a declared attribute or variable (``self._pre: tuple[Literal["a"], int] | None``,
``marker: MarkerAtom = parse(...)``) must fit the declaration. When the value is what a package function
returns, or a parameter passed through unchanged, the declaration is the best annotation for that slot:
it is the author's own wording, aliases and literals included, which no amount of flow analysis recovers.
This module finds the stores and follows each value back to its sources; static.py resolves the types.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from .package import FunctionNode, isinstance_name, own_nodes

Source = tuple[str, object]       # ("param", name) or ("call", the ast.Call whose result is the value)
MAX_HOPS = 3                      # locals followed back from a stored value


def stores(func: FunctionNode) -> Iterator[tuple[ast.expr, ast.expr]]:
    """``(target, value)`` for ``target = value``, ``target: T = value`` and, in frozen dataclasses,
    ``object.__setattr__(receiver, "attr", value)`` (its target made up as ``receiver.attr``)."""
    for node in own_nodes(func):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            yield node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            yield node.target, node.value
        elif isinstance(node, ast.Call) and len(node.args) == 3 and not node.keywords \
                and isinstance(node.func, ast.Attribute) and node.func.attr == "__setattr__" \
                and isinstance(node.func.value, ast.Name) and node.func.value.id in ("object", "super") \
                and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str):
            yield ast.Attribute(value=node.args[0], attr=node.args[1].value, ctx=ast.Store()), node.args[2]


def narrowed(func: FunctionNode) -> set[str]:
    """Names the function tests with ``isinstance``: a value stored after such a test is the narrowed one,
    and the declaration it meets says nothing of what the name holds before."""
    return {name for name in map(isinstance_name, own_nodes(func)) if name is not None}


Bindings = dict[str, list[ast.expr | None]]     # each local's bound values (None: bound otherwise)


def local_bindings(func: FunctionNode) -> Bindings:
    """Every name the function binds, with the value of each plain assignment to it."""
    bindings: Bindings = {}
    for node in own_nodes(func):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                for name in ast.walk(target):
                    if isinstance(name, ast.Name) and isinstance(name.ctx, ast.Store):
                        simple = len(node.targets) == 1 and target is name
                        bindings.setdefault(name.id, []).append(node.value if simple else None)
        elif isinstance(node, ast.NamedExpr):
            bindings.setdefault(node.target.id, []).append(node.value)
        else:
            for target in _other_targets(node):
                for name in ast.walk(target):
                    if isinstance(name, ast.Name) and not isinstance(name.ctx, ast.Load):
                        bindings.setdefault(name.id, []).append(None)
            if isinstance(node, ast.ExceptHandler) and node.name:
                bindings.setdefault(node.name, []).append(None)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                for alias in node.names:
                    bindings.setdefault((alias.asname or alias.name).split(".")[0], []).append(None)
    return bindings


def sources(value: ast.expr, params: set[str], bindings: Bindings) -> list[Source]:
    """Where ``value`` can come from unchanged: a parameter never rebound, or a call, through locals bound
    only by plain assignments, conditional expressions and ``or``."""
    out: list[Source] = []
    _follow(value, params, bindings, out, MAX_HOPS)
    return out


def _other_targets(node: ast.AST) -> list[ast.expr]:
    """What a statement other than a plain assignment binds (its value is not a store of another's)."""
    if isinstance(node, (ast.AnnAssign, ast.AugAssign, ast.For, ast.AsyncFor, ast.comprehension)):
        return [node.target]
    if isinstance(node, (ast.With, ast.AsyncWith)):
        return [i.optional_vars for i in node.items if i.optional_vars is not None]
    if isinstance(node, ast.Delete):
        return list(node.targets)
    return []


def _follow(value: ast.expr, params: set[str], bindings: Bindings,
            out: list[Source], hops: int) -> None:
    if isinstance(value, ast.Call):
        out.append(("call", value))
    elif isinstance(value, ast.IfExp):
        _follow(value.body, params, bindings, out, hops)
        _follow(value.orelse, params, bindings, out, hops)
    elif isinstance(value, ast.BoolOp) and isinstance(value.op, ast.Or):
        for v in value.values:
            _follow(v, params, bindings, out, hops)
    elif isinstance(value, ast.NamedExpr):
        _follow(value.value, params, bindings, out, hops)
    elif isinstance(value, ast.Name):
        bound = bindings.get(value.id)
        if value.id in params:
            if not bound:
                out.append(("param", value.id))
        elif bound and hops > 0 and all(b is not None for b in bound):
            for b in bound:
                if b is not None:
                    _follow(b, params, bindings, out, hops - 1)
