"""Scopes of an object-tier fn: which nodes are its own, which names it binds.

A nested def, a lambda or a generator expression is a scope of its own that stays Python (see
closures.py); only what CPython evaluates in the enclosing frame belongs to the fn: a def's
decorators, defaults and annotations, a lambda's defaults, a generator expression's first iterable.
A list, set or dict comprehension is built inline (build.py), its loop variables its own.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

COMPREHENSION_TYPES = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
NESTED_TYPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.GeneratorExp, ast.ClassDef)


def outer_parts(node: ast.AST) -> list[ast.AST]:
    """The parts of a nested scope that the enclosing frame evaluates, in CPython's order."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return [*node.decorator_list, *node.args.defaults, *(d for d in node.args.kw_defaults if d is not None),
                *annotation_exprs(node)]
    if isinstance(node, ast.Lambda):
        return [*node.args.defaults, *(d for d in node.args.kw_defaults if d is not None)]
    if isinstance(node, ast.GeneratorExp):
        return [node.generators[0].iter]
    if isinstance(node, ast.ClassDef):
        return [*node.decorator_list, *node.bases, *node.keywords]
    return []


def annotated_args(node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.arg]:
    """The annotated parameters in the order CPython 3.11 evaluates their annotations (compiler_visit_annotations:
    the positional ones, then the positional-only ones, *args, the keyword-only ones, **kwargs)."""
    a = node.args
    star = [x for x in (a.vararg,) if x is not None]
    kw = [x for x in (a.kwarg,) if x is not None]
    return [x for x in (*a.args, *a.posonlyargs, *star, *a.kwonlyargs, *kw) if x.annotation is not None]


def annotation_exprs(node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.expr]:
    out: list[ast.expr] = []
    for x in annotated_args(node):
        assert x.annotation is not None
        out.append(x.annotation)
    if node.returns is not None:
        out.append(node.returns)
    return out


def own_nodes(root: ast.AST, *, scope: bool = True) -> Iterator[ast.AST]:
    """Every node of `root`'s own scope (root included), nested scopes reduced to their outer parts (the
    nested scope's node itself is yielded: a def binds its name here). With `scope` False, root is an
    expression of the frame: a lambda or generator expression at its root is reduced too."""
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        if (node is not root or not scope) and isinstance(node, NESTED_TYPES):
            stack.extend(reversed(outer_parts(node)))
        else:
            stack.extend(reversed(list(ast.iter_child_nodes(node))))


def bound_names(root: ast.FunctionDef) -> set[str]:
    """The names the fn binds (its locals), leaving out the variables of its comprehensions."""
    nodes = list(own_nodes(root))
    inner = {id(n) for c in nodes if isinstance(c, (ast.ListComp, ast.SetComp, ast.DictComp))
             for g in c.generators for n in ast.walk(g.target)}
    names = {n.id for n in nodes if isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Store, ast.Del))
             and id(n) not in inner}
    for n in nodes:
        if isinstance(n, ast.ExceptHandler) and n.name:
            names.add(n.name)
        elif isinstance(n, (ast.Import, ast.ImportFrom)):
            names |= {a.asname or a.name.partition(".")[0] for a in n.names if a.name != "*"}
        elif n is not root and isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(n.name)
    return names
