"""Precedence between evidence sources: one place decides each slot's type.

Parameters: a typed base-class method wins (overrides must stay compatible); otherwise the union of what
flows in (call sites in the package, literal defaults, traced calls). A bare ``None`` default alone says
nothing. Returns: a typed base-class method wins; otherwise the static join of every return expression
when mypy typed them all, else that join widened by the traced return values; nothing when neither is known.
"""

from __future__ import annotations

from .model import NONE_T, FunctionFacts, TypeRef, is_complete, union

ITERATOR = "collections.abc.Iterator"


def param_type(evidence: dict[str, list[TypeRef]]) -> TypeRef | None:
    if "override" in evidence:
        return union(evidence["override"])
    flowing = evidence.get("call", []) + evidence.get("trace", [])
    default = evidence.get("default", [])
    if not flowing and (not default or default == [NONE_T]):
        return None
    return _complete(union(flowing + default))


def return_type(facts: FunctionFacts) -> TypeRef | None:
    if "override" in facts.returns:
        return union(facts.returns["override"])
    if facts.generator:
        items = facts.returns.get("yield", [])
        if facts.returns_incomplete or not items:
            items = items + facts.returns.get("trace-yield", [])
            if not facts.returns.get("trace-yield"):
                return None
        item = _complete(union(items))
        return None if item is None else TypeRef(ITERATOR, (item,))
    static = facts.returns.get("return", [])
    if not facts.returns_incomplete and static:
        return _complete(union(static))
    traced = facts.returns.get("trace", [])
    if not traced:
        return None
    return _complete(union(static + traced))


def attribute_type(evidence: dict[str, list[TypeRef]]) -> TypeRef | None:
    return _complete(union([t for ts in evidence.values() for t in ts]))


def _complete(t: TypeRef | None) -> TypeRef | None:
    return t if t is not None and is_complete(t) else None
