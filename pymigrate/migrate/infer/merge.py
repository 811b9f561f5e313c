"""Precedence between evidence sources: one place decides each slot's type.

Parameters: a typed base-class method wins (overrides must stay compatible), then the declared type of an
attribute the parameter is stored into; otherwise the union of what
flows in (call sites in the package, literal defaults, traced calls). A bare ``None`` default alone says
nothing. Returns: a typed base-class method wins; then the declared type of what every caller stores the
value into; otherwise the static join of every return expression when mypy typed them all, else that join
widened by the traced return values; nothing when neither is known.
"""

from __future__ import annotations

from .model import NONE_T, UNKNOWN, FunctionEvidence, TypeRef, covers, is_complete, is_subclass, union, widens

ITERATOR = "collections.abc.Iterator"
GENERATOR = "collections.abc.Generator"
NORETURN = TypeRef("typing.NoReturn")


def param_candidates(evidence: dict[str, list[TypeRef]]) -> list[TypeRef]:
    """The slot's types, most faithful first; verification falls back along the list before dropping.

    After the full union come: the union without a ``None`` that only traced calls passed (tests often
    probe how a function copes with None), the union without its rarest traced types one by one, then what
    the package's own code passes (call sites typed by its own annotations, defaults).
    """
    if "override" in evidence:
        t = union(evidence["override"])
        return [] if t is None else [t]
    if "declared" in evidence:      # stored into a declared attribute: that type, then what flows in
        rest = {k: v for k, v in evidence.items() if k != "declared"}
        declared = union(evidence["declared"])
        return [t for t in [declared] if t is not None] + [
            t for t in (param_candidates(rest) if rest else []) if t != declared]
    static = evidence.get("call", []) + evidence.get("default", [])
    traced = [t for t in evidence.get("trace", []) if t.name != "builtins.object"] or evidence.get("trace", [])
    # flows from other inferred (unverified) slots. When the function was seen running, only what widens a
    # seen type along the numeric tower (an int seen, a float passed) or is a container of a kind seen is
    # kept: a generic helper's guessed return (the union of everything it ever returns) would pollute the slot
    derived = evidence.get("call-derived", [])
    if traced:
        seen = {m for t in traced for m in t.members()}
        derived = [t for t in derived if all(any(widens(s, m) or _same_container(s, m) for s in seen)
                                             for m in t.members())]
    traced = traced + derived
    if any(UNKNOWN in set(t.names()) for t in traced):
        return []       # a run-time value with no writable type: every candidate would be too narrow
    out: list[TypeRef] = []
    for types in [static + traced, static + [t for t in traced if t != NONE_T], *_rarest_first(static, traced),
                  static]:
        t = _complete(union(types))
        if t is not None and t != NONE_T and t not in out:
            out.append(t)
    return out


_FAMILIES = {"builtins.dict": "mapping", "collections.abc.Mapping": "mapping", "builtins.list": "sequence",
             "collections.abc.Sequence": "sequence", "builtins.tuple": "sequence", "builtins.set": "set",
             "builtins.frozenset": "set", "collections.abc.Set": "set"}


def _same_container(seen: TypeRef, other: TypeRef) -> bool:
    """Both are containers of one kind: a trace reads a few items, so the items a caller's type adds
    are believable where a different kind of value is not."""
    family = _FAMILIES.get(seen.name)
    return family is not None and bool(seen.args) and bool(other.args) and _FAMILIES.get(other.name) == family


def _rarest_first(static: list[TypeRef], traced: list[TypeRef]) -> list[list[TypeRef]]:
    """Traced types with the rarest ones removed one by one (rare values are usually error probes)."""
    counts: dict[TypeRef, int] = {}
    for t in traced:
        if t != NONE_T:
            counts[t] = counts.get(t, 0) + 1
    order = sorted(counts, key=lambda t: (counts[t], t))
    return [static + order[i:] for i in range(1, len(order))]


def param_type(evidence: dict[str, list[TypeRef]]) -> TypeRef | None:
    candidates = param_candidates(evidence)
    return candidates[0] if candidates else None


def return_candidates(facts: FunctionEvidence, aliases: dict[str, TypeRef] | None = None) -> list[TypeRef]:
    """The return's types, most faithful first.

    A type guard's ``TypeGuard[T]`` comes before its ``bool``. The type declared where every caller stores
    the value comes first (without its None when the
    function never returns None: the attribute merely starts out None), unless what the function's own
    returns give is one of the declared type's alternatives (``MarkerItem`` stored as a ``MarkerAtom``,
    ``aliases`` expanding the names of the package's aliases): then that narrower type comes first.
    """
    inferred = return_type(facts)
    guard = union(facts.returns.get("guard", []))
    if guard is not None and "override" not in facts.returns:
        return [guard, *([inferred] if inferred is not None else [])]
    declared = union(facts.returns.get("declared", []))
    if declared is None or "override" in facts.returns:
        return [inferred] if inferred is not None else []
    if inferred is not None and NONE_T not in inferred.members() and NONE_T in declared.members():
        declared = union(m for m in declared.members() if m != NONE_T)
    order = [declared, inferred]
    if inferred is not None and declared is not None and _narrower(inferred, _expanded(declared, aliases or {})):
        order = [inferred, declared]
    return list(dict.fromkeys(t for t in order if t is not None))


def _narrower(t: TypeRef, wide: TypeRef) -> bool:
    return all(any(covers(w, m) or is_subclass(m, w) for w in wide.members()) for m in t.members())


def _expanded(t: TypeRef, aliases: dict[str, TypeRef]) -> TypeRef:
    """``t`` with its members that name an alias replaced by the alias's expansion (one level)."""
    return union(aliases.get(m.name, m) if not m.args else m for m in t.members()) or t


def return_type(facts: FunctionEvidence) -> TypeRef | None:
    t = _return_type(facts)
    if t is None:
        return None
    # NotImplemented (binary dunders) is accepted by every return type
    kept = [m for m in t.members() if m.name not in _NOT_IMPLEMENTED]
    return union(kept) if kept else None


_NOT_IMPLEMENTED = {"builtins._NotImplementedType", "types.NotImplementedType", "builtins.NotImplementedType"}


def _return_type(facts: FunctionEvidence) -> TypeRef | None:
    if "override" in facts.returns:
        return union(facts.returns["override"])
    if facts.generator:
        items = facts.returns.get("yield", [])
        if facts.returns_incomplete or not items:
            # a generator closed (or collected) while suspended leaves through its yield with None, just
            # as if it had yielded None: a traced None counts only when a yield in the body can give one
            traced = [t for t in facts.returns.get("trace-yield", []) if t != NONE_T or facts.yields_none]
            items = items + traced
            if not traced:
                return None
        item = _complete(union(items))
        if item is None:
            return None
        return TypeRef(GENERATOR, (item, NONE_T, NONE_T)) if facts.context_manager else TypeRef(ITERATOR, (item,))
    if facts.never_returns:
        return NORETURN
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
