"""How a function uses a parameter, to widen concrete containers to the protocol the body needs.

A parameter that is only iterated (``for``, comprehensions, ``in``, ``list()``/``sorted()``/..., or passed
on to another function) accepts any iterable, so a traced ``list[str]`` becomes ``Iterable[str]``. One that
is iterated twice (or in a loop, or tested for emptiness first) cannot be an iterator: a ``Sequence[str]``,
or a ``Collection[str]`` when sets were seen. One that is also indexed, sliced or measured with ``len`` needs
a ``Sequence[str]``; a dict that is only read
(``d[k]``, ``d.get``, ``d.items()``...) a ``Mapping[K, V]``. Any other use (a store, a mutating method,
an attribute the protocol lacks) keeps the concrete type.
"""

from __future__ import annotations

import ast
import enum

from .model import NONE_T, TUPLE, UNION, TypeRef, union
from .package import FunctionNode, body_without_docstring, defaults, isinstance_call, isinstance_name, none_tested

ITERABLE = "collections.abc.Iterable"
SEQUENCE = "collections.abc.Sequence"
COLLECTION = "collections.abc.Collection"
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
    REITERATE = 2       # iterated twice (or in a loop), or tested for emptiness and iterated: not an iterator
    INDEX = 3           # also len(), slicing, the read-only methods of Sequence or Mapping
    CONCRETE = 4        # anything else: keep the type that was seen


class _Use(enum.Enum):
    FREE = 0            # identity, or truth when None is one of the values (a None check)
    TRUTH = 1
    ITERATE = 2
    INDEX = 3
    CONCRETE = 4


def needs(func: FunctionNode, param: str, optional: bool = False) -> Need:
    parents: dict[ast.AST, ast.AST] = {}
    for node in ast.walk(func):
        for child in ast.iter_child_nodes(node):
            parents[child] = node
    uses = [n for n in ast.walk(func) if isinstance(n, ast.Name) and n.id == param]
    if not uses:
        return Need.CONCRETE
    after = _after_rebinding(func, param)
    kinds = []
    for use in uses:
        if isinstance(use.ctx, ast.Load) and id(use) not in after:   # later uses see the new value
            kind = _use(use, parents.get(use), parents)
            if kind == _Use.TRUTH and optional:
                kind = _Use.FREE
            kinds.append(kind)
            if kind == _Use.ITERATE and _in_loop(use, parents, func):
                kinds.append(kind)              # every turn of the loop iterates it again
    if _Use.CONCRETE in kinds:
        return Need.CONCRETE
    if _Use.INDEX in kinds:
        return Need.INDEX
    rebound = len(uses) > len([u for u in uses if isinstance(u.ctx, ast.Load)])
    iterations = kinds.count(_Use.ITERATE)
    if not rebound and (iterations >= 2 or (iterations and _Use.TRUTH in kinds)):
        return Need.REITERATE
    return Need.ITERATE


def _after_rebinding(func: FunctionNode, param: str) -> set[int]:
    """The uses of ``param`` in statements after an unconditional rebinding of it (``items = list(items)``
    at the top of the body): they read the new value, not the argument."""
    for i, stmt in enumerate(func.body):
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target] if isinstance(
            stmt, (ast.AnnAssign, ast.AugAssign)) else []
        if any(isinstance(t, ast.Name) and t.id == param for t in targets) and not isinstance(stmt, ast.AugAssign):
            return {id(n) for later in func.body[i + 1:] for n in ast.walk(later)}
    return set()


def _in_loop(use: ast.AST, parents: dict[ast.AST, ast.AST], func: FunctionNode) -> bool:
    """``use`` runs once per turn of an enclosing loop (not as the loop's own iterable)."""
    node, parent = use, parents.get(use)
    while parent is not None and parent is not func:
        if isinstance(parent, (ast.For, ast.AsyncFor)) and node is not parent.iter and node in parent.body:
            return True
        if isinstance(parent, ast.While) or (isinstance(parent, ast.comprehension) and node is not parent.iter):
            return True
        if isinstance(parent, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)) \
                and node is not parent.generators[0]:
            return True
        node, parent = parent, parents.get(parent)
    return False


def _use(use: ast.Name, parent: ast.AST | None, parents: dict[ast.AST, ast.AST]) -> _Use:
    if isinstance(parent, ast.Compare) and use in parent.comparators and all(
            isinstance(op, (ast.In, ast.NotIn)) for op in parent.ops):
        return _Use.ITERATE         # membership falls back to iteration
    if isinstance(parent, ast.Compare) and all(isinstance(op, (ast.Is, ast.IsNot)) for op in parent.ops):
        return _Use.FREE            # identity (``is None``): every object has one
    if isinstance(parent, (ast.comprehension, ast.For, ast.AsyncFor)) and parent.iter is use:
        return _Use.ITERATE
    if isinstance(parent, (ast.If, ast.While, ast.IfExp, ast.Assert)) and parent.test is use or isinstance(
            parent, ast.BoolOp) or (isinstance(parent, ast.UnaryOp) and isinstance(parent.op, ast.Not)):
        return _Use.TRUTH           # every object has a truth value; for a container it says "empty"
    if isinstance(parent, ast.Call) and use in parent.args:
        f = parent.func
        if isinstance(f, ast.Name) and f.id == "len":
            return _Use.INDEX
        if isinstance(f, ast.Name) and (f.id in _CONSUMERS or not f.id[:1].isupper()):
            return _Use.ITERATE
        if isinstance(f, ast.Attribute) and f.attr == "join":
            return _Use.ITERATE
        return _Use.CONCRETE
    if isinstance(parent, ast.Subscript) and parent.value is use and isinstance(parent.ctx, ast.Load):
        return _Use.INDEX
    if isinstance(parent, ast.Attribute) and parent.value is use and isinstance(parents.get(parent), ast.Call) \
            and parent.attr in _SEQUENCE_METHODS | _MAPPING_METHODS:
        return _Use.INDEX
    return _Use.CONCRETE


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


def _is_record(t: TypeRef) -> bool:
    """A fixed-length tuple of items of different types."""
    return t.name == TUPLE and not (len(t.args) == 2 and t.args[1].name == "...") and len(set(t.args)) > 1


def _methods_used(func: FunctionNode, param: str) -> set[str]:
    after = _after_rebinding(func, param)
    return {n.attr for n in ast.walk(func) if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name)
            and n.value.id == param and id(n.value) not in after}


def widen(t: TypeRef, func: FunctionNode, param: str, optional: bool = False) -> TypeRef | None:
    """The protocol ``t`` can be widened to for what the body does with ``param``; None to keep ``t``."""
    members = t.members()
    if NONE_T in members and len(members) > 1:        # Optional[list[str]] -> Optional[Iterable[str]]
        rest = union(m for m in members if m != NONE_T)
        wide = None if rest is None else widen(rest, func, param, optional=True)
        return None if wide is None else union([wide, NONE_T])
    need = needs(func, param, optional)
    if need == Need.CONCRETE or (any(_is_record(m) for m in members) and only_passed_on(func, param)):
        return None     # ``tuple[str, int]`` is a record, not a run of items: passed on, it stays one
    mappings = [m for m in t.members() if m.name in ("builtins.dict", MAPPING) and len(m.args) == 2]
    if mappings and len(mappings) == len(t.members()):       # dict[str, int] | Mapping[str, int | str] too
        key, value = union(m.args[0] for m in mappings), union(m.args[1] for m in mappings)
        return None if key is None or value is None else TypeRef(MAPPING, (key, read_only(value)))
    methods = _methods_used(func, param)
    if need == Need.ITERATE and not methods:
        item = element_type(t)
        return None if item is None else TypeRef(ITERABLE, (read_only(item),))
    if need == Need.REITERATE and not methods:
        item = _sequence_item(t)
        if item is not None:
            return TypeRef(SEQUENCE, (read_only(item),))
        item = element_type(t)
        return None if item is None else TypeRef(COLLECTION, (read_only(item),))
    if not methods & _MAPPING_METHODS:
        item = _sequence_item(t)
        return None if item is None else TypeRef(SEQUENCE, (read_only(item),))
    return None


def only_sequences(t: TypeRef) -> bool:
    """Every value seen (``None`` aside) was a list or a tuple."""
    return all(m.name in _SEQUENCES for m in t.members() if m != NONE_T)


def spoken(wide: TypeRef, declared: dict[str, set[TypeRef]], prefixes: tuple[str, ...]) -> TypeRef:
    """``Iterable[Interval]`` widened from the lists and tuples callers pass is ``Sequence[Interval]`` when
    that is how the package's own declarations hold its ``Interval`` values (and never as an ``Iterable``):
    both are valid, the author's way is the one to write. Items of other packages' types (``str``) are
    held every way and say nothing."""
    out = []
    for m in wide.members():
        if m.name == ITERABLE and len(m.args) == 1 and m.args[0] in declared.get(SEQUENCE, set()) \
                and m.args[0] not in declared.get(ITERABLE, set()) \
                and any(n.startswith(prefixes) for n in m.args[0].names()):
            m = TypeRef(SEQUENCE, m.args)
        out.append(m)
    return union(out) or wide


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
    """The parameter's first real use asks ``isinstance(param, ...)``: a validator or a protocol method
    (``__setstate__``) that takes any object and sorts it out itself. ``param is None`` tests come before
    and do not count, nor does a local that only renames it (``x = p or 0``, ``x = d if p is None else p``)."""
    names = {param} | _renamings(func, param)
    uses = sorted((n for n in ast.walk(func) if isinstance(n, ast.Name) and n.id in names
                   and isinstance(n.ctx, ast.Load)), key=lambda n: (n.lineno, n.col_offset))
    checked = {id(call[0]) for call in map(isinstance_call, ast.walk(func)) if call is not None}
    identity = {id(c.left) for c in ast.walk(func) if isinstance(c, ast.Compare)
                and all(isinstance(op, (ast.Is, ast.IsNot)) for op in c.ops)}
    renaming = {id(v) for v in _renaming_values(func, param)}
    known_none = {id(n) for branch in ast.walk(func) if isinstance(branch, ast.If) and _is_none_test(branch.test, names)
                  for stmt in branch.body for n in ast.walk(stmt)}      # ``if p is None: return p``
    for use in uses:
        if id(use) in checked:
            return True
        if id(use) not in identity and id(use) not in renaming and id(use) not in known_none:
            return False
    return False


def refuses_others(func: FunctionNode, param: str) -> bool:
    """What none of the function's ``isinstance`` checks of ``param`` accepts is refused: the body ends in
    a raise, an ``if``/``elif`` chain over the checks ends in ``else: raise``, a guard ``if not
    isinstance(param, C): raise`` stands first, or the check is the answer (``return isinstance(p, C)
    and ...``, a type guard). Such a validator takes any object; a dispatch that converts or formats
    whatever is left (``str(cause)``, ``Version(v)``) takes what its callers pass."""
    names = {param} | _renamings(func, param)
    body = body_without_docstring(func)
    if body and isinstance(body[-1], ast.Raise):
        return True
    for node in ast.walk(func):
        if isinstance(node, ast.Return) and node.value is not None and _checks(node.value, names):
            return True
        if not (isinstance(node, ast.If) and _checks(node.test, names)):
            continue
        negated = isinstance(node.test, ast.UnaryOp) and isinstance(node.test.op, ast.Not)
        if negated and isinstance(node.body[-1], ast.Raise):
            return True
        last = node
        while len(last.orelse) == 1 and isinstance(last.orelse[0], ast.If):
            last = last.orelse[0]
        if last.orelse and isinstance(last.orelse[-1], ast.Raise):
            return True
    return False


def _checks(expr: ast.expr, names: set[str]) -> bool:
    return any(isinstance_name(n) in names for n in ast.walk(expr))


def _is_none_test(test: ast.expr, names: set[str]) -> bool:
    return none_tested(test) in names


def _renaming_values(func: FunctionNode, param: str) -> list[ast.expr]:
    """The uses of ``param`` inside ``x = param``, ``x = param or C``, ``x = C if param is None else param``."""
    out: list[ast.expr] = []
    for node in ast.walk(func):
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)):
            continue
        v = node.value
        if isinstance(v, ast.Name) and v.id == param:
            out.append(v)
        elif isinstance(v, ast.BoolOp) and isinstance(v.op, ast.Or) and isinstance(v.values[0], ast.Name) \
                and v.values[0].id == param and all(isinstance(c, ast.Constant) for c in v.values[1:]):
            out.append(v.values[0])
        elif isinstance(v, ast.IfExp) and isinstance(v.orelse, ast.Name) and v.orelse.id == param \
                and isinstance(v.body, ast.Constant | ast.Tuple) and isinstance(v.test, ast.Compare) \
                and isinstance(v.test.left, ast.Name) and v.test.left.id == param:
            out.append(v.orelse)
    return out


def _renamings(func: FunctionNode, param: str) -> set[str]:
    values = {id(v) for v in _renaming_values(func, param)}
    return {node.targets[0].id for node in ast.walk(func)
            if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name) and any(
                id(n) in values for n in ast.walk(node.value))}


MANY_KINDS = 3
_LOOSE = {"builtins.dict": MAPPING, MAPPING: MAPPING, "builtins.list": SEQUENCE, SEQUENCE: SEQUENCE,
          ITERABLE: ITERABLE, COLLECTION: COLLECTION}


def loosened(t: TypeRef) -> TypeRef | None:
    """``t`` with the items of a container that holds many kinds of value (parsed JSON or TOML, say) read as
    ``object``: ``Mapping[str, object]`` accepts every caller's mapping, where the union of everything the
    runs saw rejects each caller's narrower one. None when ``t`` has no such container."""
    if t.name == UNION:
        members = [loosened(m) or m for m in t.args]
        return None if members == list(t.args) else union(members)
    kind = _LOOSE.get(t.name)
    if kind is None or not t.args or len(t.args[-1].members()) < MANY_KINDS:
        return None
    return TypeRef(kind, (*t.args[:-1], OBJECT))


OBJECT = TypeRef("builtins.object")


def only_passed_on(func: FunctionNode, param: str) -> bool:
    """Every use of ``param`` hands it whole to a call (``g(param)``, ``g(key=param)``): what it must be is
    what the callee's parameter is. Filling in a default first (``if p is None: p = ...``, ``if not p:
    p = ...``) is no use."""
    defaulting = {id(n) for branch in ast.walk(func) if isinstance(branch, ast.If)
                  and (_is_none_test(branch.test, {param}) or _is_falsy_test(branch.test, param))
                  for n in ast.walk(branch)}
    identity = {id(c.left) for c in ast.walk(func) if isinstance(c, ast.Compare)
                and all(isinstance(op, (ast.Is, ast.IsNot)) for op in c.ops)}
    uses = [n for n in ast.walk(func) if isinstance(n, ast.Name) and n.id == param
            and id(n) not in defaulting and id(n) not in identity]
    if not uses or any(not isinstance(u.ctx, ast.Load) for u in uses):
        return False
    handed = {id(a) for n in ast.walk(func) if isinstance(n, ast.Call)
              for a in [*n.args, *(k.value for k in n.keywords if k.arg is not None)]}
    return all(id(u) in handed for u in uses)


def _is_falsy_test(test: ast.expr, param: str) -> bool:
    return isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not) and isinstance(test.operand, ast.Name) \
        and test.operand.id == param


def tests_for_none(func: FunctionNode, param: str) -> bool:
    """``param is None`` (or ``is not None``) somewhere in the body."""
    return any(isinstance(c, ast.Compare) and isinstance(c.left, ast.Name) and c.left.id == param
               and all(isinstance(op, (ast.Is, ast.IsNot)) for op in c.ops)
               and all(isinstance(x, ast.Constant) and x.value is None for x in c.comparators)
               for c in ast.walk(func))


def compared_constants(func: FunctionNode) -> dict[str, frozenset[object]]:
    """The constants each parameter is compared with (``p == "a"``, ``p != "b"``, ``p in ("c", "d")``),
    its constant default included."""
    params = {a.arg for a in func.args.posonlyargs + func.args.args + func.args.kwonlyargs}
    out: dict[str, set[object]] = {}
    for node in ast.walk(func):
        if not (isinstance(node, ast.Compare) and len(node.ops) == 1):
            continue
        left, op, right = node.left, node.ops[0], node.comparators[0]
        if isinstance(op, (ast.Eq, ast.NotEq)) and isinstance(right, ast.Name) and isinstance(left, ast.Constant):
            left, right = right, left
        if not (isinstance(left, ast.Name) and left.id in params):
            continue
        if isinstance(op, (ast.Eq, ast.NotEq)) and isinstance(right, ast.Constant):
            out.setdefault(left.id, set()).add(right.value)
        elif isinstance(op, (ast.In, ast.NotIn)) and isinstance(right, (ast.Tuple, ast.List, ast.Set)) \
                and all(isinstance(e, ast.Constant) for e in right.elts):
            out.setdefault(left.id, set()).update(e.value for e in right.elts if isinstance(e, ast.Constant))
    for name, default in defaults(func).items():
        if name in out and isinstance(default, ast.Constant):
            out[name].add(default.value)
    return {name: frozenset(values) for name, values in out.items()}
