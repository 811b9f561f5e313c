"""A small type model shared by the static and dynamic sources, so both merge in one place."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

UNION = "|"
CALLABLE = "collections.abc.Callable"
PARAMS = "[]"          # the parameter list of a Callable
ELLIPSIS = "..."
NONE = "None"
TUPLE = "builtins.tuple"
EMPTY_NAME = "()"
NEVER = "<never>"         # nothing known (an empty container's items)
UNKNOWN = "<unknown>"     # a value seen whose type cannot be written (a function object)
LITERAL = "typing.Literal"
TYPE_GUARD = "typing.TypeGuard"
VALUE = "="               # prefix of a Literal's value: ``TypeRef('="rc"')``

# Numeric promotion as in the typing spec: an int is accepted where a float is, a float where a complex is.
_PROMOTIONS = {
    "builtins.bool": ("builtins.int", "builtins.float", "builtins.complex"),
    "builtins.int": ("builtins.float", "builtins.complex"),
    "builtins.float": ("builtins.complex",),
}


# Known class hierarchy (a NewType's base counts as a superclass): a union that holds a class and one of
# its superclasses is that superclass. Filled from mypy's view of the classes it types.
_SUPERTYPES: dict[str, frozenset[str]] = {}


_NEWTYPES: set[str] = set()
LONG_UNION = 2


def register_supertypes(name: str, supertypes: Iterable[str], newtype: bool = False) -> None:
    _SUPERTYPES[name] = frozenset(s for s in supertypes if s not in (name, "builtins.object"))
    if newtype:
        _NEWTYPES.add(name)


def is_subclass(narrow: TypeRef, wide: TypeRef) -> bool:
    """``narrow`` is a class derived from ``wide`` (as far as the classes mypy typed tell)."""
    return not narrow.args and not wide.args and wide.name in _SUPERTYPES.get(narrow.name, ())


def widens(narrow: TypeRef, wide: TypeRef) -> bool:
    """``wide`` is ``narrow`` or its promotion (int -> float -> complex)."""
    return narrow == wide or (not narrow.args and not wide.args and wide.name in _PROMOTIONS.get(narrow.name, ()))


@dataclass(frozen=True, order=True)
class TypeRef:
    """A type by fully qualified name with type arguments; unions use the name ``|``."""

    name: str
    args: tuple[TypeRef, ...] = ()

    def to_json(self) -> object:
        if not self.args:
            return self.name
        return [self.name, *[a.to_json() for a in self.args]]

    @staticmethod
    def from_json(data: object) -> TypeRef:
        if isinstance(data, str):
            return TypeRef(data)
        if isinstance(data, list) and data and isinstance(data[0], str):
            return TypeRef(data[0], tuple(TypeRef.from_json(a) for a in data[1:]))
        raise ValueError(f"not a type: {data!r}")

    def members(self) -> tuple[TypeRef, ...]:
        return self.args if self.name == UNION else (self,)

    def names(self) -> Iterable[str]:
        """Every qualified name the type mentions (for imports and quoting)."""
        if self.name not in (UNION, PARAMS, ELLIPSIS, NONE) and not self.name.startswith(VALUE):
            yield self.name
        for a in self.args:
            yield from a.names()


NONE_T = TypeRef(NONE)


def literal_value(value: str | int) -> TypeRef:
    """A Literal's value as written in source (strings in double quotes, as black writes them)."""
    if isinstance(value, str):
        return TypeRef(VALUE + '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"')
    return TypeRef(VALUE + repr(value))


EMPTY = TypeRef(EMPTY_NAME)


def union(types: Iterable[TypeRef]) -> TypeRef | None:
    """The simplified union of ``types``: flattened, deduplicated, numeric promotion applied, sorted."""
    flat: list[TypeRef] = []
    for t in types:
        for m in t.members():
            if m not in flat:
                flat.append(m)
    if len(flat) > 1:
        flat = [m for m in flat if m.name != NEVER] or flat
    if not flat:
        return None
    if any(m.name == "builtins.object" for m in flat):
        return TypeRef("builtins.object")
    classes = {m.name for m in flat if not m.args}
    flat = [m for m in flat if not (m.name == LITERAL and _literal_class(m) in classes)]     # str | Literal["a"]
    names = {m.name for m in flat if not m.args}
    flat = [m for m in flat if m.args or not any(p in names for p in _PROMOTIONS.get(m.name, ()))]
    # a NewType or a generic (dict[K, V] | Mapping[K, V]) always joins its base; a class its superclass only
    # beyond a pair (``date | datetime`` is
    # how people write "either", ``Exception | KeyError | ... | TypeError`` reads as ``Exception``)
    subsumed = [m for m in flat if any(o.name in _SUPERTYPES.get(m.name, ()) and o.args == m.args for o in flat)]
    flat = [m for m in flat if m not in subsumed or (len(flat) <= LONG_UNION and not m.args
                                                     and m.name not in _NEWTYPES)]
    flat = _join_streams(_merge_generics(flat))
    flat = [m for m in flat if not any(o is not m and covers(o, m) for o in flat)]
    if len(flat) == 1:
        return flat[0]
    flat.sort(key=lambda m: (m.name == NONE, m.name, m.args))
    return TypeRef(UNION, tuple(flat))


_STREAMS = {"bytes": {"io.BufferedReader", "io.BufferedWriter", "io.BufferedRandom", "io.BytesIO", "io.FileIO",
                      "typing.BinaryIO"},
            "str": {"io.TextIOWrapper", "io.StringIO", "typing.TextIO"}}


def _join_streams(flat: list[TypeRef]) -> list[TypeRef]:
    """Two kinds of binary (or text) stream, a file and a buffer, say, join as the protocol both implement:
    ``BufferedReader | BytesIO`` is ``IO[bytes]``."""
    for item, classes in _STREAMS.items():
        streams = [m for m in flat if m.name in classes and not m.args]
        if len(streams) > 1:
            flat = [m for m in flat if m not in streams] + [TypeRef("typing.IO", (TypeRef("builtins." + item),))]
    return flat


def _literal_class(t: TypeRef) -> str:
    """The class of a Literal's values (all of one class, or none named)."""
    texts = {a.name[len(VALUE):] for a in t.args}
    if all(x.startswith('"') for x in texts):
        return "builtins.str"
    if all(x in ("True", "False") for x in texts):
        return "builtins.bool"
    return "builtins.int" if all(x.lstrip("-").isdigit() for x in texts) else ""


def _merge_generics(flat: list[TypeRef]) -> list[TypeRef]:
    """list[int] | list[str] -> list[int | str]; a homogeneous tuple absorbs fixed ones of its item."""
    out: list[TypeRef] = []
    for m in flat:
        for i, o in enumerate(out):
            merged = _merge_pair(o, m)
            if merged is not None:
                out[i] = merged
                break
        else:
            out.append(m)
    return out


_HOMOGENEOUS = {"builtins.list", "builtins.set", "builtins.frozenset", "builtins.dict",
                "collections.abc.Iterator", "collections.abc.Iterable", "collections.abc.Sequence",
                "collections.abc.Mapping",
                "builtins.type", "collections.deque"}


def _merge_pair(a: TypeRef, b: TypeRef) -> TypeRef | None:
    if a == b:
        return a
    if a.name != b.name:
        return None
    if a.name in _HOMOGENEOUS and len(a.args) == len(b.args) and a.args:
        merged = [union([x, y]) for x, y in zip(a.args, b.args)]
        if any(m is None for m in merged):
            return None
        return TypeRef(a.name, tuple(m for m in merged if m is not None))
    if a.name == TUPLE:
        if a.args == (EMPTY,) and _variadic_item(b) is not None:
            return b
        if b.args == (EMPTY,) and _variadic_item(a) is not None:
            return a
        va, vb = _variadic_item(a), _variadic_item(b)
        if va is None and vb is None and len(a.args) == len(b.args) and EMPTY not in a.args:
            items = [union([x, y]) for x, y in zip(a.args, b.args)]    # same length: join item by item
            if any(i is None for i in items):
                return None
            return TypeRef(TUPLE, tuple(i for i in items if i is not None))
        if va is None and vb is None and EMPTY not in a.args and EMPTY not in b.args:
            va = union(a.args)      # lengths differ: a variable-length tuple of the joined items
            vb = union(b.args)
        if va is not None or vb is not None:
            joined: list[TypeRef] = []
            for whole, variadic in ((a, va), (b, vb)):
                joined.extend(whole.args if variadic is None else [variadic])
            item = union(joined)
            return None if item is None else TypeRef(TUPLE, (item, TypeRef(ELLIPSIS)))
    return None


# read-only protocols (covariant in their items) and the containers each accepts
_COVARIANT = {
    "collections.abc.Iterable": {"builtins.list", TUPLE, "builtins.set", "builtins.frozenset",
                                 "collections.abc.Sequence", "collections.abc.Collection", "collections.abc.Set",
                                 "collections.abc.Iterator", "collections.abc.Iterable"},
    "collections.abc.Collection": {"builtins.list", TUPLE, "builtins.set", "builtins.frozenset",
                                   "collections.abc.Sequence", "collections.abc.Set", "collections.abc.Collection"},
    "collections.abc.Sequence": {"builtins.list", TUPLE, "collections.abc.Sequence"},
    "collections.abc.Set": {"builtins.set", "builtins.frozenset", "collections.abc.Set"},
}


def covers(wide: TypeRef, narrow: TypeRef) -> bool:
    """Every value of ``narrow`` is a ``wide`` through a read-only protocol: ``tuple[int, int] | Sequence[int]``
    is ``Sequence[int]``, ``list[str] | Iterable[str | None]`` is ``Iterable[str | None]``."""
    if wide == narrow:
        return True
    if wide.name == UNION:
        return all(any(covers(w, m) for w in wide.args) for m in narrow.members())
    if narrow.name == UNION:
        return all(covers(wide, m) for m in narrow.args)
    if widens(narrow, wide):
        return True
    if narrow.name in _COVARIANT.get(wide.name, ()) and len(wide.args) == 1:
        items = _items(narrow)
        return items is not None and all(covers(wide.args[0], i) for i in items)
    if wide.name == "collections.abc.Mapping" and narrow.name in ("builtins.dict", wide.name) \
            and len(wide.args) == len(narrow.args) == 2:
        return wide.args[0] == narrow.args[0] and covers(wide.args[1], narrow.args[1])
    return False


def _items(t: TypeRef) -> tuple[TypeRef, ...] | None:
    if t.name == TUPLE:
        variadic = _variadic_item(t)
        return (variadic,) if variadic is not None else tuple(a for a in t.args if a.name != EMPTY_NAME)
    return t.args if len(t.args) == 1 else None


def _variadic_item(t: TypeRef) -> TypeRef | None:
    if t.name == TUPLE and len(t.args) == 2 and t.args[1].name == ELLIPSIS:
        return t.args[0]
    return None


def is_complete(t: TypeRef) -> bool:
    """False when the type says nothing (an empty container's items are unknown)."""
    names = set(t.names())
    return NEVER not in names and UNKNOWN not in names and "<skip>" not in names


@dataclass
class FunctionEvidence:
    """Evidence for one function's slots, by source ("override", "default", "call", "trace", "return")."""

    params: dict[str, dict[str, list[TypeRef]]] = field(default_factory=dict)
    returns: dict[str, list[TypeRef]] = field(default_factory=dict)
    returns_incomplete: bool = False    # some return expression has no static type
    generator: bool = False
    yields_none: bool = False           # a bare ``yield``, or a yield the static types say can be None
    context_manager: bool = False       # a generator under @contextmanager: written Generator[Y, None, None]
    never_returns: bool = False         # every path raises (and not NotImplementedError): NoReturn
    passes: dict[str, set[tuple[str, str, str]]] = field(default_factory=dict)   # param -> callees' params

    def add_param(self, name: str, source: str, t: TypeRef) -> None:
        self.params.setdefault(name, {}).setdefault(source, []).append(t)

    def add_return(self, source: str, t: TypeRef) -> None:
        self.returns.setdefault(source, []).append(t)


@dataclass
class Facts:
    functions: dict[tuple[str, str], FunctionEvidence] = field(default_factory=dict)   # (module, qualname)
    attributes: dict[tuple[str, str], dict[str, list[TypeRef]]] = field(default_factory=dict)  # (module, "C.a")
    # the protocols the package's own declarations hold items of: {"collections.abc.Sequence": {Interval}}
    declared_protocols: dict[str, set[TypeRef]] = field(default_factory=dict)

    def function(self, module: str, qualname: str) -> FunctionEvidence:
        return self.functions.setdefault((module, qualname), FunctionEvidence())

    def add_attribute(self, module: str, name: str, source: str, t: TypeRef) -> None:
        self.attributes.setdefault((module, name), {}).setdefault(source, []).append(t)

    def merge(self, other: Facts) -> None:
        for key, ff in other.functions.items():
            mine = self.function(*key)
            for name, sources in ff.params.items():
                for source, types in sources.items():
                    for t in types:
                        mine.add_param(name, source, t)
            for source, types in ff.returns.items():
                for t in types:
                    mine.add_return(source, t)
            mine.generator = mine.generator or ff.generator
            mine.yields_none = mine.yields_none or ff.yields_none
            mine.context_manager = mine.context_manager or ff.context_manager
            mine.never_returns = mine.never_returns or ff.never_returns
            for name, targets in ff.passes.items():
                mine.passes.setdefault(name, set()).update(targets)
        for key, sources in other.attributes.items():
            for source, types in sources.items():
                for t in types:
                    self.add_attribute(key[0], key[1], source, t)
        for protocol, items in other.declared_protocols.items():
            self.declared_protocols.setdefault(protocol, set()).update(items)
