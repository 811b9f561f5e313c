"""Type guards: the type a boolean test proves its subject to have.

``def valid(spec): return isinstance(spec, tuple) and len(spec) == 2 and isinstance(spec[0], str) and
isinstance(spec[1], str)`` answers, on every path, whether its only parameter is a ``tuple[str, str]``:
written ``-> TypeGuard[tuple[str, str]]``, it lets the callers' ``if valid(x):`` narrow ``x`` as the
author meant, where ``-> bool`` would say nothing. The classes named in ``isinstance`` are resolved by the
caller (static.py asks mypy), so this module only reads the shape of the tests.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from .model import NONE_T, TUPLE, TypeRef, union
from .package import FunctionNode, all_params, isinstance_call, none_tested, own_nodes

ClassOf = Callable[[ast.expr], "TypeRef | None"]     # the class an expression names, if it names one


def guarded_type(func: FunctionNode, class_of: ClassOf) -> TypeRef | None:
    """T when every return of a one-parameter function is a test proving the parameter a T."""
    params = all_params(func)
    returns = [n.value for n in own_nodes(func) if isinstance(n, ast.Return)]
    if len(params) != 1 or not returns or any(v is None for v in returns):
        return None
    tested = [proven(v, params[0].arg, class_of) for v in returns if v is not None]
    return union(t for t in tested if t is not None) if all(tested) else None


def proven(test: ast.expr, name: str, class_of: ClassOf) -> TypeRef | None:
    """The type ``test`` being true proves ``name`` to have; None when it proves none."""
    if isinstance(test, ast.Compare) and none_tested(test) == name:
        return NONE_T
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.Or):
        parts = [proven(v, name, class_of) for v in test.values]
        return union(p for p in parts if p is not None) if all(parts) else None
    if isinstance(test, ast.BoolOp):        # and: the one check of the whole value, its items refined
        checked = [c for c in (_isinstance(v, name, class_of) for v in test.values) if c is not None]
        if len(checked) != 1:
            return None
        if checked[0].name != TUPLE or checked[0].args:
            return checked[0]
        return _tuple_items(test.values, name, class_of)
    whole = _isinstance(test, name, class_of)
    return None if whole is not None and whole.name == TUPLE and not whole.args else whole


def _tuple_items(conjuncts: list[ast.expr], name: str, class_of: ClassOf) -> TypeRef | None:
    """``len(name) == N and isinstance(name[0], C0) and ...``: ``tuple[C0, ...]`` item by item; None
    unless the length is fixed and every item is checked."""
    length = next((c.comparators[0].value for c in conjuncts if isinstance(c, ast.Compare) and len(c.ops) == 1
                   and isinstance(c.ops[0], ast.Eq) and isinstance(c.left, ast.Call)
                   and isinstance(c.left.func, ast.Name) and c.left.func.id == "len" and len(c.left.args) == 1
                   and isinstance(c.left.args[0], ast.Name) and c.left.args[0].id == name
                   and isinstance(c.comparators[0], ast.Constant)), None)
    if not isinstance(length, int) or length < 1:
        return None
    items: list[TypeRef] = []
    for i in range(length):
        classes = [t for t in (_isinstance(c, name, class_of, item=i) for c in conjuncts) if t is not None]
        if not classes:
            return None
        items.append(union(classes) or classes[0])
    return TypeRef(TUPLE, tuple(items))


def _isinstance(test: ast.expr, name: str, class_of: ClassOf, item: int | None = None) -> TypeRef | None:
    """The classes ``isinstance(name, C)`` (or ``isinstance(name[item], C)``) accepts."""
    call = isinstance_call(test)
    if call is None:
        return None
    subject, classes = call
    if item is not None:
        if not (isinstance(subject, ast.Subscript) and isinstance(subject.slice, ast.Constant)
                and subject.slice.value == item):
            return None
        subject = subject.value
    if not (isinstance(subject, ast.Name) and subject.id == name):
        return None
    parts = classes.elts if isinstance(classes, ast.Tuple) else [classes]
    types = [class_of(c) for c in parts]
    return union(t for t in types if t is not None) if all(types) else None
