"""How a function uses a parameter, to widen concrete containers to what the body needs.

A parameter that is only iterated (``for``, comprehensions, ``in``, ``list()``/``sorted()``/..., or passed
on to another function) accepts any iterable, so a traced ``list[str]`` becomes ``Iterable[str]``.
"""

from __future__ import annotations

import ast

from .model import TUPLE, TypeRef, union
from .package import FunctionNode

ITERABLE = "collections.abc.Iterable"
_CONSUMERS = {"list", "tuple", "set", "frozenset", "sorted", "iter", "enumerate", "zip", "any", "all", "sum",
              "min", "max", "map", "filter", "reversed", "dict"}
_CONTAINERS = {"builtins.list", "builtins.set", "builtins.frozenset", TUPLE, "collections.abc.KeysView",
               "collections.abc.ValuesView", "builtins.range"}


def only_iterated(func: FunctionNode, param: str) -> bool:
    parents: dict[ast.AST, ast.AST] = {}
    for node in ast.walk(func):
        for child in ast.iter_child_nodes(node):
            parents[child] = node
    uses = [n for n in ast.walk(func) if isinstance(n, ast.Name) and n.id == param]
    if not uses:
        return False
    for use in uses:
        if not isinstance(use.ctx, ast.Load):
            continue        # rebinding narrows to the new value; later uses see that type
        parent = parents.get(use)
        if isinstance(parent, ast.Compare) and use in parent.comparators and all(
                isinstance(op, (ast.In, ast.NotIn)) for op in parent.ops):
            continue        # membership falls back to iteration
        if isinstance(parent, (ast.comprehension, ast.For, ast.AsyncFor)) and parent.iter is use:
            continue
        if isinstance(parent, ast.Call) and use in parent.args:
            f = parent.func
            if isinstance(f, ast.Name) and (f.id in _CONSUMERS or not f.id[:1].isupper()):
                continue
            if isinstance(f, ast.Attribute) and f.attr == "join":
                continue
        return False
    return True


def element_type(t: TypeRef) -> TypeRef | None:
    """The item type when every member of ``t`` is a container; else None."""
    items: list[TypeRef] = []
    for m in t.members():
        if m.name not in _CONTAINERS:
            return None
        if m.name == "builtins.range":
            items.append(TypeRef("builtins.int"))
        elif m.name == TUPLE:
            items.extend(a for a in m.args if a.name not in ("...", "()"))
        elif len(m.args) == 1:
            items.append(m.args[0])
        else:
            return None
    return union(items)


def as_iterable(t: TypeRef, func: FunctionNode, param: str) -> TypeRef | None:
    item = element_type(t)
    if item is None or not only_iterated(func, param):
        return None
    return TypeRef(ITERABLE, (item,))
