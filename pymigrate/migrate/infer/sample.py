"""Public API seen only in the package's tests: the classes a test run passes are a sample, not the type.

A test suite calls ``SortedList.discard`` with ints; a user calls it with strings. When the only evidence
for a public parameter is the traced run (no call site in the package, no default but ``None``) and the
body only compares, hashes, stores or hands the value on, nothing in the body depends on the sampled class:
the parameter gets the widest type the body supports, ``SupportsRichComparison`` when it is ordered
(``<``, ``bisect``, ``heapq``), ``Hashable`` when it is a key, ``object`` otherwise. A body that needs more
(arithmetic, attributes, iteration, conversion) keeps the sampled type. Containers of the instance that the
value is stored in (``self._items.append(value)``) hold the wide type too, or the store would not check.
Verification falls back to the sampled type where mypy disagrees.
"""

from __future__ import annotations

import ast
import enum

from .model import NONE_T, TypeRef, union
from .package import FunctionNode, Module

RICH = TypeRef("_typeshed.SupportsRichComparison")
HASHABLE = TypeRef("collections.abc.Hashable")
OBJECT = TypeRef("builtins.object")

_ORDER_MODULES = {"bisect", "heapq"}
_STORES = {"append", "appendleft", "add", "insert", "remove", "discard", "count", "index"}
_LOOKUPS = {"get", "pop", "setdefault"}
_ANY_OBJECT = {"str", "repr", "id", "print", "isinstance", "type", "bool"}
_CONTAINERS = {"builtins.list", "builtins.set", "builtins.frozenset", "collections.deque", "builtins.dict"}


class _Need(enum.IntEnum):
    """What one use of the value asks of it, weakest first."""

    NOTHING = 0         # truth, identity, formatting
    EQUALITY = 1        # ==, stored, handed on
    HASH = 2            # a dict key, a set member, hash()
    ORDER = 3           # <, bisect, heapq
    CONCRETE = 4        # anything else: keep what was seen


def is_public(module: str, qualname: str) -> bool:
    """A name a user of the package calls: no private module, class or function on its path."""
    parts = module.split(".") + qualname.split(".")
    return "<locals>" not in parts and not any(
        p.startswith("_") and not (p.startswith("__") and p.endswith("__")) for p in parts)


def only_sampled(evidence: dict[str, list[TypeRef]]) -> bool:
    """The traced run is the only evidence: no call site of the package, no default but None."""
    return bool(evidence.get("trace")) and not set(evidence) - {"trace", "default", "call-derived"} \
        and all(t == NONE_T for t in evidence.get("default", []))


def widest(func: FunctionNode, param: str) -> TypeRef | None:
    """The widest type the body supports for ``param``; None when some use needs the sampled class."""
    parents = {id(child): node for node in ast.walk(func) for child in ast.iter_child_nodes(node)}
    uses = [n for n in ast.walk(func) if isinstance(n, ast.Name) and n.id == param]
    if not uses or any(not isinstance(u.ctx, ast.Load) for u in uses):
        return None     # rebound: later uses see another value
    need = max(_need(u, parents) for u in uses)
    if need in (_Need.NOTHING, _Need.CONCRETE):
        return None     # truth alone says nothing worth widening (flags)
    return {_Need.EQUALITY: OBJECT, _Need.HASH: HASHABLE, _Need.ORDER: RICH}[need]


def only_held(func: FunctionNode, param: str) -> bool:
    """Every use of ``param`` besides returning it compares, hashes, stores or hands it on: an unbounded
    type variable supports the body."""
    parents = {id(child): node for node in ast.walk(func) for child in ast.iter_child_nodes(node)}
    uses = [n for n in ast.walk(func) if isinstance(n, ast.Name) and n.id == param]
    return all(isinstance(parents.get(id(u)), ast.Return) or _need(u, parents) <= _Need.HASH for u in uses)


def _need(use: ast.Name, parents: dict[int, ast.AST]) -> _Need:
    parent = parents.get(id(use))
    if isinstance(parent, ast.Compare):
        if use in parent.comparators and any(isinstance(op, (ast.In, ast.NotIn)) for op in parent.ops):
            return _Need.CONCRETE        # it is the container
        if any(isinstance(op, (ast.Lt, ast.Gt, ast.LtE, ast.GtE)) for op in parent.ops):
            return _Need.ORDER
        return _Need.EQUALITY if any(isinstance(op, (ast.Eq, ast.NotEq, ast.In, ast.NotIn)) for op in parent.ops) \
            else _Need.NOTHING
    if isinstance(parent, (ast.If, ast.While, ast.IfExp, ast.Assert)) and parent.test is use \
            or isinstance(parent, ast.BoolOp) or isinstance(parent, ast.UnaryOp) and isinstance(parent.op, ast.Not) \
            or isinstance(parent, ast.FormattedValue):
        return _Need.NOTHING
    if isinstance(parent, ast.Subscript) and parent.slice is use:
        return _Need.HASH                # a key (a list index would need an int: verification says so)
    if isinstance(parent, ast.Assign) and parent.value is use and all(
            isinstance(t, ast.Subscript) for t in parent.targets):
        return _Need.EQUALITY            # stored in a container (an attribute keeps its own type)
    if isinstance(parent, ast.Call) and (use in parent.args or any(k.value is use for k in parent.keywords)):
        f = parent.func
        if isinstance(f, ast.Name):
            if f.id == "hash":
                return _Need.HASH
            if f.id in _ANY_OBJECT:
                return _Need.NOTHING
            return _Need.CONCRETE
        if isinstance(f, ast.Attribute):
            if isinstance(f.value, ast.Name) and f.value.id in _ORDER_MODULES:
                return _Need.ORDER
            if f.attr in _LOOKUPS and parent.args[:1] == [use]:
                return _Need.HASH         # a key looked up
            if f.attr in _STORES or isinstance(f.value, ast.Name) and f.value.id in ("self", "cls"):
                return _Need.EQUALITY     # stored, or handed on to a method of the package
    return _Need.CONCRETE


def holders(func: FunctionNode, param: str) -> dict[str, str]:
    """The instance's containers ``param`` is stored in: ``{"_items": "item"}`` for
    ``self._items.append(value)`` or ``bisect.insort(self._items, value)``, ``"key"``/``"value"`` for
    ``self._map[value] = v`` / ``self._map[k] = value``."""
    out: dict[str, str] = {}
    for node in ast.walk(func):
        if isinstance(node, ast.Call) and any(isinstance(a, ast.Name) and a.id == param for a in node.args):
            f = node.func
            if isinstance(f, ast.Attribute) and f.attr in _STORES and _self_attr(f.value):
                out[_self_attr(f.value) or ""] = "item"
            elif isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id in _ORDER_MODULES \
                    and node.args and _self_attr(node.args[0]):
                out[_self_attr(node.args[0]) or ""] = "item"
        elif isinstance(node, ast.Assign):
            for t in node.targets:
                if isinstance(t, ast.Subscript) and _self_attr(t.value):
                    if isinstance(t.slice, ast.Name) and t.slice.id == param:
                        out[_self_attr(t.value) or ""] = "key"
                    elif isinstance(node.value, ast.Name) and node.value.id == param:
                        out[_self_attr(t.value) or ""] = "value"
    return out


def _self_attr(node: ast.expr) -> str | None:
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self":
        return node.attr
    return None


def widened_holder(t: TypeRef, role: str, wide: TypeRef) -> TypeRef | None:
    """A container type ``t`` with the part that holds the value (``role``) made ``wide``."""
    members = [m for m in t.members() if m != NONE_T]
    if len(members) != 1 or members[0].name not in _CONTAINERS:
        return None
    c = members[0]
    args: tuple[TypeRef, ...] | None
    if c.name == "builtins.dict" and len(c.args) == 2:
        args = (wide, c.args[1]) if role == "key" else (c.args[0], wide) if role == "value" else None
    elif c.name != "builtins.dict" and len(c.args) == 1 and role == "item":
        args = (HASHABLE if wide == OBJECT and c.name in ("builtins.set", "builtins.frozenset") else wide,)
    else:
        args = None
    if args is None:
        return None
    return union([TypeRef(c.name, args)] + ([NONE_T] if NONE_T in t.members() else []))


_STRENGTH = {OBJECT: 0, HASHABLE: 1, RICH: 2}


def widen_holders(sampled: list[tuple[Module, str, str, TypeRef]], attributes: dict[tuple[str, str], TypeRef]) -> None:
    """The instance's containers that methods store widened parameters in hold such values: a dict's keys
    are ``Hashable``; items and values the strongest type any of them needs (``bisect`` orders the items a
    list holds, so everything appended to it must be comparable)."""
    parts: dict[tuple[str, str], dict[str, TypeRef]] = {}
    for module, qualname, param, wide in sampled:
        func = module.functions[qualname]
        if func.class_name is None:
            continue
        wide = union(m for m in wide.members() if m != NONE_T) or wide
        for attr, role in holders(func.node, param).items():
            held = parts.setdefault((module.name, f"{func.class_name}.{attr}"), {})
            t = HASHABLE if role == "key" else wide
            if _STRENGTH.get(t, 0) >= _STRENGTH.get(held.get(role, OBJECT), 0):
                held[role] = t
    for key, roles in parts.items():
        for role, t in roles.items():
            if key in attributes:
                new = widened_holder(attributes[key], role, t)
                if new is not None:
                    attributes[key] = new
