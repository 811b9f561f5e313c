"""Precedence between evidence sources: one place decides each slot's type.

Parameters: a typed base-class method wins (overrides must stay compatible); otherwise the union of what
flows in (call sites in the package, literal defaults, traced calls). A bare ``None`` default alone says
nothing. Returns: a typed base-class method wins; otherwise the static join of every return expression
when mypy typed them all, else that join widened by the traced return values; nothing when neither is known.
"""

from __future__ import annotations

from .model import NONE_T, FunctionFacts, TypeRef, is_complete, union

ITERATOR = "collections.abc.Iterator"


def param_candidates(evidence: dict[str, list[TypeRef]]) -> list[TypeRef]:
    """The slot's types, most faithful first; verification falls back along the list before dropping.

    After the full union come: the union without a ``None`` that only traced calls passed (tests often
    probe how a function copes with None), then what the package's own code passes (call sites, defaults).
    """
    if "override" in evidence:
        t = union(evidence["override"])
        return [] if t is None else [t]
    static = evidence.get("call", []) + evidence.get("default", [])
    traced = [t for t in evidence.get("trace", []) if t.name != "builtins.object"] or evidence.get("trace", [])
    if not all(is_complete(t) for t in traced):
        return []       # a run-time value with no writable type: every candidate would be too narrow
    out: list[TypeRef] = []
    for types in (static + traced,
                  static + [t for t in traced if t != NONE_T],
                  static):
        t = _complete(union(types))
        if t is not None and t != NONE_T and t not in out:
            out.append(t)
    return out


def param_type(evidence: dict[str, list[TypeRef]]) -> TypeRef | None:
    candidates = param_candidates(evidence)
    return candidates[0] if candidates else None


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
