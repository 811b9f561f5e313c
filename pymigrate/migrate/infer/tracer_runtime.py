"""Runs inside the traced process (loaded by a generated sitecustomize): records argument, return and
yield types of the package's functions with sys.setprofile, sampled, and writes them as JSON at exit.

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
MAX_SHAPES = 32
ITEMS = 8                # container items looked at
_RETURN = {dis.opmap[n] for n in ("RETURN_VALUE", "RETURN_CONST") if n in dis.opmap}
_YIELD = dis.opmap["YIELD_VALUE"]
_GENERATOR = 0x20 | 0x200 | 0x100 | 0x80      # generator, async generator, coroutine, iterable coroutine
_FOREIGN = ("pretend", "unittest.mock", "mock", "__main__", "_pytest", "pytest", "hypothesis", "freezegun")

Described = Any      # a JSON-able type descriptor: a name or [name, *args]

_files: set[str] = set()
_wanted: dict[Any, tuple[str, str, int] | None] = {}
_counts: dict[Any, int] = {}
_pending: dict[FrameType, list[tuple[str, object]]] = {}
_shapes: dict[Any, set[tuple[type, ...]]] = {}
_data: dict[tuple[str, str, int], dict[str, Any]] = {}   # (file, qualname, first line)
_out: str | None = None


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
        return ["builtins." + t.__name__, items]
    if t.__name__ in ("dict_keys", "dict_values") and t.__module__ == "builtins":
        items = _union([describe(v, depth + 1) for _, v in zip(range(ITEMS), value)])
        return ["collections.abc.KeysView" if t.__name__ == "dict_keys" else "collections.abc.ValuesView", items]
    if t is dict:
        keys = _union([describe(k, depth + 1) for _, k in zip(range(ITEMS), value)])
        values = _union([describe(v, depth + 1) for _, v in zip(range(ITEMS), value.values())])
        return ["builtins.dict", keys, values]
    if t is tuple:
        if 0 < len(value) <= 6:
            return ["builtins.tuple"] + [describe(v, depth + 1) for v in value]
        return ["builtins.tuple", _union([describe(v, depth + 1) for _, v in zip(range(ITEMS), value)]), "..."]
    if isinstance(value, type):
        name = _nameable(value)
        return "<skip>" if name is None else ["builtins.type", name]
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
    return ["|"] + seen


def _key(value: Described) -> str:
    return json.dumps(value, sort_keys=True)


def _record(code: Any, kind: str, name: str | None, value: object) -> None:
    where = _wanted[code]
    if where is None:
        return
    entry = _data.setdefault(where, {"params": {}, "returns": {}, "yields": {}})
    bucket = entry[kind] if name is None else entry[kind].setdefault(name, {})
    described = describe(value)
    if described == "<skip>":
        return          # a test double: says nothing about the real callers
    k = _key(described)
    bucket[k] = bucket.get(k, 0) + 1


def _shape(code: Any, f_locals: dict[str, Any]) -> tuple[type, ...]:
    """The classes of a call's arguments: cheap enough to look at on every call."""
    names = code.co_varnames
    return tuple(type(f_locals.get(names[i])) for i in range(code.co_argcount + code.co_kwonlyargcount))


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
        if code not in _wanted:
            path = os.path.realpath(code.co_filename)
            if path not in _files:
                _wanted[code] = None
                return
            _wanted[code] = (path, getattr(code, "co_qualname", code.co_name), code.co_firstlineno)
        if _wanted[code] is None:
            return
        count = _counts.get(code, 0) + 1
        _counts[code] = count
        try:
            # a rare caller's classes (a str among thousands of Version calls) are kept whatever the count
            sampled = count <= FULL_SAMPLES or count % SAMPLE_EVERY == 0
            seen = _shapes.setdefault(code, set())
            if not sampled and len(seen) >= MAX_SHAPES:
                return
            f_locals = frame.f_locals       # a snapshot each time it is read: read once
            shape = _shape(code, f_locals)
            if not sampled and shape in seen:
                return
            if len(seen) < MAX_SHAPES:
                seen.add(shape)
            _pending[frame] = _params(code, f_locals)
        except Exception:
            pass
    elif event == "return":
        code = frame.f_code
        if _wanted.get(code) is None:
            return
        op = code.co_code[frame.f_lasti] if 0 <= frame.f_lasti < len(code.co_code) else -1
        try:
            if op == _YIELD and code.co_flags & _GENERATOR:
                _record(code, "yields", None, arg)
                return
            params = _pending.pop(frame, None)
            if op not in _RETURN or params is None:
                return          # raised: neither its arguments nor a return value count
            for name, value in params:
                _record(code, "params", name, value)
            if not code.co_flags & _GENERATOR:
                _record(code, "returns", None, arg)
        except Exception:
            pass


def _dump() -> None:
    sys.setprofile(None)
    threading.setprofile(None)
    if _out is None:
        return
    payload = [{"file": f, "qualname": q, "line": n, **entry} for (f, q, n), entry in _data.items()]
    path = os.path.join(_out, "trace-%d.json" % os.getpid())
    with open(path + ".tmp", "w") as fh:
        json.dump(payload, fh)
    os.replace(path + ".tmp", path)


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
