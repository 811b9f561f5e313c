"""How a function uses a parameter, to widen concrete containers to the protocol the body needs.

A parameter that is only iterated (``for``, comprehensions, ``in``, ``list()``/``sorted()``/..., or passed
on to another function) accepts any iterable, so a traced ``list[str]`` becomes ``Iterable[str]``. One that
is also indexed, sliced or measured with ``len`` needs a ``Sequence[str]``; a dict that is only read
(``d[k]``, ``d.get``, ``d.items()``...) a ``Mapping[K, V]``. Any other use (a store, a mutating method,
an attribute the protocol lacks) keeps the concrete type.
"""

from __future__ import annotations

import ast
import enum

from .model import NONE_T, TUPLE, UNION, TypeRef, union
from .package import FunctionNode

ITERABLE = "collections.abc.Iterable"
SEQUENCE = "collections.abc.Sequence"
MAPPING = "collections.abc.Mapping"
_CONSUMERS = {"list", "tuple", "set", "frozenset", "sorted", "iter", "enumerate", "zip", "any", "all", "sum",
              "min", "max", "map", "filter", "reversed", "dict"}
_CONTAINERS = {"builtins.list", "builtins.set", "builtins.frozenset", TUPLE, "collections.abc.KeysView",
               "collections.abc.ValuesView", "builtins.range"}
_SEQUENCES = {"builtins.list", TUPLE, "collections.abc.Sequence"}
_SEQUENCE_METHODS = {"index", "count"}
_MAPPING_METHODS = {"get", "items", "keys", "values"}


class Need(enum.IntEnum):
    """What the body asks of the parameter, weakest first."""

    ITERATE = 1
    INDEX = 2           # also len(), slicing, the read-only methods of Sequence or Mapping
    CONCRETE = 3        # anything else: keep the type that was seen


def needs(func: FunctionNode, param: str) -> Need:
    parents: dict[ast.AST, ast.AST] = {}
    for node in ast.walk(func):
        for child in ast.iter_child_nodes(node):
            parents[child] = node
    uses = [n for n in ast.walk(func) if isinstance(n, ast.Name) and n.id == param]
    if not uses:
        return Need.CONCRETE
    need = Need.ITERATE
    for use in uses:
        if isinstance(use.ctx, ast.Load):       # a rebinding narrows to the new value; later uses see that type
            need = max(need, _use(use, parents.get(use), parents))
    return need


def _use(use: ast.Name, parent: ast.AST | None, parents: dict[ast.AST, ast.AST]) -> Need:
    if isinstance(parent, ast.Compare) and use in parent.comparators and all(
            isinstance(op, (ast.In, ast.NotIn)) for op in parent.ops):
        return Need.ITERATE         # membership falls back to iteration
    if isinstance(parent, ast.Compare) and all(isinstance(op, (ast.Is, ast.IsNot)) for op in parent.ops):
        return Need.ITERATE         # identity (``is None``): every object has one
    if isinstance(parent, (ast.comprehension, ast.For, ast.AsyncFor)) and parent.iter is use:
        return Need.ITERATE
    if isinstance(parent, (ast.If, ast.While, ast.IfExp, ast.Assert)) and parent.test is use or isinstance(
            parent, ast.BoolOp) or (isinstance(parent, ast.UnaryOp) and isinstance(parent.op, ast.Not)):
        return Need.ITERATE         # truth value: every object has one
    if isinstance(parent, ast.Call) and use in parent.args:
        f = parent.func
        if isinstance(f, ast.Name) and f.id == "len":
            return Need.INDEX
        if isinstance(f, ast.Name) and (f.id in _CONSUMERS or not f.id[:1].isupper()):
            return Need.ITERATE
        if isinstance(f, ast.Attribute) and f.attr == "join":
            return Need.ITERATE
        return Need.CONCRETE
    if isinstance(parent, ast.Subscript) and parent.value is use and isinstance(parent.ctx, ast.Load):
        return Need.INDEX
    if isinstance(parent, ast.Attribute) and parent.value is use and isinstance(parents.get(parent), ast.Call) \
            and parent.attr in _SEQUENCE_METHODS | _MAPPING_METHODS:
        return Need.INDEX
    return Need.CONCRETE


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


def _sequence_item(t: TypeRef) -> TypeRef | None:
    """The item type when every member is a list or a variable-length tuple (fixed tuples are records)."""
    for m in t.members():
        if m.name not in _SEQUENCES or (m.name == TUPLE and (len(m.args) != 2 or m.args[1].name != "...")):
            return None
    return element_type(t)


def _methods_used(func: FunctionNode, param: str) -> set[str]:
    return {n.attr for n in ast.walk(func) if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name)
            and n.value.id == param}


def widen(t: TypeRef, func: FunctionNode, param: str) -> TypeRef | None:
    """The protocol ``t`` can be widened to for what the body does with ``param``; None to keep ``t``."""
    members = t.members()
    if NONE_T in members and len(members) > 1:        # Optional[list[str]] -> Optional[Iterable[str]]
        rest = union(m for m in members if m != NONE_T)
        wide = None if rest is None else widen(rest, func, param)
        return None if wide is None else union([wide, NONE_T])
    need = needs(func, param)
    if need == Need.CONCRETE:
        return None
    mappings = [m for m in t.members() if m.name in ("builtins.dict", MAPPING) and len(m.args) == 2]
    if mappings and len(mappings) == len(t.members()):       # dict[str, int] | Mapping[str, int | str] too
        key, value = union(m.args[0] for m in mappings), union(m.args[1] for m in mappings)
        return None if key is None or value is None else TypeRef(MAPPING, (key, read_only(value)))
    methods = _methods_used(func, param)
    if need == Need.ITERATE and not methods:
        item = element_type(t)
        return None if item is None else TypeRef(ITERABLE, (read_only(item),))
    if not methods & _MAPPING_METHODS:
        item = _sequence_item(t)
        return None if item is None else TypeRef(SEQUENCE, (read_only(item),))
    return None


def read_only(t: TypeRef) -> TypeRef:
    """Containers inside a read-only one, as covariant protocols: ``Mapping[str, dict[str, str]]`` would
    reject a ``dict[str, dict[str, int]]`` (dict is invariant), ``Mapping[str, Mapping[str, str | int]]``
    takes both. A body that mutates them fails verification and falls back to the concrete type."""
    if t.name == UNION:
        return union(read_only(m) for m in t.members()) or t
    if t.name == "builtins.dict" and len(t.args) == 2:
        return TypeRef(MAPPING, (t.args[0], read_only(t.args[1])))
    if t.name == "builtins.list" and len(t.args) == 1:
        return TypeRef(SEQUENCE, (read_only(t.args[0]),))
    return t


def checks_its_type_first(func: FunctionNode, param: str) -> bool:
    """The parameter's first use asks ``isinstance(param, ...)``: a validator or a protocol method
    (``__setstate__``) that takes any object and sorts it out itself."""
    uses = sorted((n for n in ast.walk(func) if isinstance(n, ast.Name) and n.id == param),
                  key=lambda n: (n.lineno, n.col_offset))
    if not uses:
        return False
    first = uses[0]
    return any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "isinstance"
               and n.args and n.args[0] is first for n in ast.walk(func))

