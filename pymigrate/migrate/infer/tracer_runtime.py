"""Runs inside the traced process (loaded by a generated sitecustomize): records argument, return and
yield types of the package's functions with sys.setprofile, sampled, and writes them as JSON at exit.

CPython 3.11 has no sys.monitoring (3.12), so the hook is called on every call and return of the program;
what it does there is kept to a dictionary lookup by the code object's id (hashing a code object hashes
its constants). A function's first FULL_SAMPLES calls are recorded; then one in SAMPLE_EVERY, and one in
SETTLED_EVERY once SETTLED_AFTER recorded calls in a row added no type, plus every call whose argument
classes are new. Types are counted by their descriptor (a tuple), turned into JSON once, at exit.

Self-contained on purpose: the traced interpreter need not have pymigrate installed. Arguments are kept
only for calls that return normally, so calls made to test error handling do not widen the types.
"""

from __future__ import annotations

import atexit
import dis
import json
import os
import sys
import threading
from types import FrameType
from typing import Any

FULL_SAMPLES = 200       # calls per function recorded in full, then one call in SAMPLE_EVERY
SAMPLE_EVERY = 16        # ... or whose argument classes no recorded call had (up to MAX_SHAPES of them)
SETTLED_AFTER = 64       # recorded calls in a row that add no type: the function's types are known ...
SETTLED_EVERY = 256      # ... and one call in SETTLED_EVERY is recorded, until one adds a type again
MAX_SHAPES = 32
MAX_TYPES = 64           # distinct types kept per parameter, return or yield: memory stays bounded
MAX_OTHERS = 100_000     # other code objects remembered as not the package's
ITEMS = 8                # container items looked at
_RETURN = {dis.opmap[n] for n in ("RETURN_VALUE", "RETURN_CONST") if n in dis.opmap}
_YIELD = dis.opmap["YIELD_VALUE"]
_GENERATOR = 0x20 | 0x200 | 0x100 | 0x80      # generator, async generator, coroutine, iterable coroutine
_FOREIGN = ("pretend", "unittest.mock", "mock", "__main__", "_pytest", "pytest", "hypothesis", "freezegun")

Described = Any      # a type descriptor: a name or (name, *args), hashable; written as JSON at exit

_files: set[str] = set()
_wanted: dict[int, _Code | None] = {}       # id(code) -> its state, None when not the package's (an int key:
_pending: dict[FrameType, list[tuple[str, object]]] = {}      # hashing a code object hashes its constants)
_data: dict[tuple[str, str, int], dict[str, Any]] = {}   # (file, qualname, first line)
_out: str | None = None


class _Code:
    """What the tracer keeps about one of the package's functions."""

    __slots__ = ("code", "where", "entry", "names", "calls", "yields", "shapes", "quiet")

    def __init__(self, code: Any, where: tuple[str, str, int]) -> None:
        self.code = code        # kept alive: its id() keys _wanted
        self.where = where
        self.entry: dict[str, Any] | None = None     # in _data from its first recorded call
        self.names = code.co_varnames[:code.co_argcount + code.co_kwonlyargcount]
        self.calls = 0
        self.yields = 0
        self.shapes: set[tuple[type, ...]] = set()
        self.quiet = 0          # recorded calls in a row that taught nothing new

    def every(self) -> int:
        """One call in how many is recorded past the first FULL_SAMPLES: sparser once the types are known."""
        return SETTLED_EVERY if self.quiet >= SETTLED_AFTER else SAMPLE_EVERY


def _nameable(cls: type) -> str | None:
    """The importable name of a class, or None for test doubles and local classes."""
    for klass in cls.__mro__:
        module = getattr(klass, "__module__", "") or ""
        qual = getattr(klass, "__qualname__", klass.__name__)
        parts = module.split(".")
        if "<locals>" in qual or module.startswith(_FOREIGN) or any(
                p.startswith(("test", "conftest")) for p in parts):
            continue
        if module == "builtins" and qual in ("function", "builtin_function_or_method", "method"):
            return None
        return module + "." + qual
    return None


def describe(value: Any, depth: int = 0) -> Described:
    t = type(value)
    if value is None:
        return "None"
    if t in (int, float, str, bool, bytes, complex):
        return "builtins." + t.__name__
    if depth > 3:
        return "<never>"
    if t in (list, set, frozenset):
        items = _union([describe(v, depth + 1) for _, v in zip(range(ITEMS), value)])
        return ("builtins." + t.__name__, items)
    if t.__name__ in ("dict_keys", "dict_values") and t.__module__ == "builtins":
        items = _union([describe(v, depth + 1) for _, v in zip(range(ITEMS), value)])
        return ("collections.abc.KeysView" if t.__name__ == "dict_keys" else "collections.abc.ValuesView", items)
    if t is dict:
        keys = _union([describe(k, depth + 1) for _, k in zip(range(ITEMS), value)])
        values = _union([describe(v, depth + 1) for _, v in zip(range(ITEMS), value.values())])
        return ("builtins.dict", keys, values)
    if t is tuple:
        if 0 < len(value) <= 6:
            return ("builtins.tuple", *[describe(v, depth + 1) for v in value])
        return ("builtins.tuple", _union([describe(v, depth + 1) for _, v in zip(range(ITEMS), value)]), "...")
    if isinstance(value, type):
        name = _nameable(value)
        return "<skip>" if name is None else ("builtins.type", name)
    if callable(value) and t.__name__ in ("function", "builtin_function_or_method", "method", "partial"):
        return "<unknown>"
    name = _nameable(t)
    return "<skip>" if name is None else name


def _union(items: list[Described]) -> Described:
    seen: list[Described] = []
    for i in items:
        if i not in seen:
            seen.append(i)
    if not seen:
        return "<never>"
    if len(seen) == 1:
        return seen[0]
    return ("|", *seen)


def _record(state: _Code, kind: str, name: str | None, value: object) -> bool:
    """Count the value's type; True when it is one this slot had not seen."""
    entry = state.entry
    if entry is None:
        entry = state.entry = _data.setdefault(state.where, {"params": {}, "returns": {}, "yields": {}})
    described = describe(value)
    if described == "<skip>":
        return False        # a test double: says nothing about the real callers
    bucket = entry[kind] if name is None else entry[kind].setdefault(name, {})
    count = bucket.get(described)
    if count is None:
        if len(bucket) >= MAX_TYPES:
            return False
        bucket[described] = 1
        return True
    bucket[described] = count + 1
    return False


def _register(code: Any) -> _Code | None:
    """The state of a code object seen for the first time (None when it is not the package's)."""
    path = os.path.realpath(code.co_filename)
    state = _Code(code, (path, getattr(code, "co_qualname", code.co_name), code.co_firstlineno)) \
        if path in _files else None
    if state is None:
        if len(_others) >= MAX_OTHERS:     # a program compiling code without end: forget, look again later
            for other in _others:
                _wanted.pop(id(other), None)
            _others.clear()
        _others.append(code)        # kept alive while its id() is a key, so that no other code reuses it
    _wanted[id(code)] = state
    return state


_others: list[Any] = []
_MISSING = object()


def _params(code: Any, f_locals: dict[str, Any]) -> list[tuple[str, object]]:
    names = code.co_varnames
    n = code.co_argcount + code.co_kwonlyargcount
    out = [(names[i], f_locals.get(names[i])) for i in range(n) if names[i] in f_locals]
    flags = code.co_flags
    if flags & 0x04 and names[n] in f_locals:          # *args: element types
        out.extend((names[n], v) for _, v in zip(range(ITEMS), f_locals[names[n]]))
        n += 1
    if flags & 0x08 and names[n] in f_locals:          # **kwargs: value types
        out.extend((names[n], v) for _, v in zip(range(ITEMS), f_locals[names[n]].values()))
    return out


def _profile(frame: FrameType, event: str, arg: object) -> None:
    if event == "call":
        code = frame.f_code
        found = _wanted.get(id(code), _MISSING)
        state = _register(code) if found is _MISSING else found
        if not isinstance(state, _Code):
            return
        state.calls = count = state.calls + 1
        try:
            # a rare caller's classes (a str among thousands of Version calls) are kept whatever the count
            sampled = count <= FULL_SAMPLES or count % state.every() == 0
            seen = state.shapes
            if not sampled and len(seen) >= MAX_SHAPES:
                return
            f_locals = frame.f_locals       # a snapshot each time it is read: read once
            shape = tuple(map(type, map(f_locals.get, state.names)))
            if not sampled and shape in seen:
                return
            if len(seen) < MAX_SHAPES:
                seen.add(shape)
            _pending[frame] = _params(code, f_locals)
        except Exception:
            pass
    elif event == "return":
        params = _pending.get(frame)
        if params is None:
            return          # not the package's, or a call the sampling passed over: one lookup
        state = _wanted.get(id(frame.f_code))
        if not isinstance(state, _Code):
            return          # (never: a frame is pending only for the package's code; a hook must not raise)
        code = state.code
        generator = code.co_flags & _GENERATOR
        op = code.co_code[frame.f_lasti] if 0 <= frame.f_lasti < len(code.co_code) else -1
        try:
            if op == _YIELD and generator:
                state.yields = count = state.yields + 1
                if count <= FULL_SAMPLES or count % state.every() == 0:
                    _learnt(state, _record(state, "yields", None, arg))
                return
            del _pending[frame]
            if op not in _RETURN:
                return          # raised: neither its arguments nor a return value count
            new = False
            for name, value in params:
                new = _record(state, "params", name, value) or new
            if not generator:
                new = _record(state, "returns", None, arg) or new
            _learnt(state, new)
        except Exception:
            pass


def _learnt(state: _Code, new: bool) -> None:
    state.quiet = 0 if new else state.quiet + 1


def _dump() -> None:
    sys.setprofile(None)
    threading.setprofile(None)
    if _out is None:
        return
    payload = [{"file": f, "qualname": q, "line": n, **_as_json(entry)} for (f, q, n), entry in _data.items()]
    path = os.path.join(_out, "trace-%d.json" % os.getpid())
    with open(path + ".tmp", "w") as fh:
        json.dump(payload, fh)
    os.replace(path + ".tmp", path)


def _as_json(entry: dict[str, Any]) -> dict[str, Any]:
    """Descriptors as the JSON text of their list form, the keys pymigrate reads."""
    def keys(bucket: dict[Described, int]) -> dict[str, int]:
        return {json.dumps(k, sort_keys=True): n for k, n in bucket.items()}

    return {"params": {name: keys(b) for name, b in entry["params"].items()},
            "returns": keys(entry["returns"]), "yields": keys(entry["yields"])}


def start() -> None:
    global _out
    _out = os.environ.get("PYMIGRATE_TRACE_DIR")
    files_list = os.environ.get("PYMIGRATE_TRACE_FILES")
    if not _out or not files_list:
        return
    with open(files_list) as fh:
        _files.update(os.path.realpath(line.strip()) for line in fh if line.strip())
    atexit.register(_dump)
    threading.setprofile(_profile)
    sys.setprofile(_profile)
