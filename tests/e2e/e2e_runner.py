"""Subprocess side of the differential harness: import modules one way, run calls, print outcomes.

Run as `python e2e_runner.py MODE ROOT CALLS.pickle START`. MODE is `cpython` (plain import of
the original `.py`), `jit` (through `pymigrate.importer`, PYMIGRATE_IMPORT_MODE=jit) or `so`
(plain import of the `pymigrate build` extension; pymigrate must not be imported). Each outcome is
printed as one line `index<TAB>repr(canonical outcome)` and flushed at once, so that when compiled
code kills the process the parent knows exactly which call did it and can resume after it. Before
each call, once its module is imported, a line `-2<TAB>call` lets the parent time the call alone (a
call that runs on is killed as a hang).
The lines go to a private copy of the original stdout: a call that prints (chardet's `main`) writes
into a buffer whose text joins its outcome, a call that reads stdin reads an empty one, and writes to
file descriptor 1 from C land on stderr, so no call can corrupt the protocol.
This file imports nothing from pymigrate on purpose (the `so` mode must run without it).
"""

from __future__ import annotations

import importlib
import io
import math
import os
import pickle
import sys
from typing import Any


def canon(value: Any, depth: int = 0) -> Any:
    """A form that compares equal exactly when CPython would call two results the same.

    Floats are compared bit for bit (through float.hex: -0.0 and 0.0 differ, every nan is one
    value), the type is part of every scalar, and objects (classes, structs) are compared by type
    name and public data attributes.
    """
    if depth > 20:
        return ("deep",)
    if value is None or isinstance(value, str):
        return (type(value).__name__, str(value) if value is not None else None)
    if isinstance(value, bytes):
        return (type(value).__name__, bytes(value))
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, int):
        return (type(value).__name__, int(value))
    if isinstance(value, float):
        return (type(value).__name__, "nan" if math.isnan(value) else float.hex(value))
    if isinstance(value, complex):
        return ("complex", canon(value.real), canon(value.imag))
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [canon(v, depth + 1) for v in value])
    if isinstance(value, dict):
        return ("dict", sorted((repr(k), canon(v, depth + 1)) for k, v in value.items()))
    fields = []
    for name in sorted(dir(value)):
        if name.startswith("_"):
            continue
        try:
            attr = getattr(value, name)
        except Exception as exc:  # an attribute that raises is part of the behaviour
            fields.append((name, ("exc", type(exc).__name__, str(exc))))
            continue
        if callable(attr):
            continue
        fields.append((name, canon(attr, depth + 1)))
    return ("obj", type(value).__name__, fields)


def outcome(item: dict[str, Any]) -> Any:
    """The outcome of one call item, with what it printed to stdout appended when it printed anything."""
    printed = io.StringIO()
    sys.stdout, sys.stdin = printed, io.StringIO()
    try:
        result = _outcome(item)
    finally:
        sys.stdout, sys.stdin = sys.__stdout__, sys.__stdin__
    return (*result, ("printed", printed.getvalue())) if printed.getvalue() else result


def _outcome(item: dict[str, Any]) -> Any:
    """Run one call item; an item is {"module", "call", "args"} or {"module", "code"} (with optional "args": a
    list the code sees as `args`, compared afterwards like a call's arguments)."""
    module = importlib.import_module(item["module"])
    args = item.get("args", ())
    try:
        if "code" in item:
            env: dict[str, Any] = {"m": module, "math": math, "args": args}
            exec(item["code"], env)
            result = env.get("result")
        else:
            result = getattr(module, item["call"])(*args, **item.get("kwargs", {}))
    except BaseException as exc:  # noqa: BLE001 - every exception is an outcome to compare
        return ("raise", type(exc).__name__, str(exc), canon(list(args)))
    return ("return", canon(result), canon(list(args)))


def where(item: dict[str, Any]) -> str:
    module = importlib.import_module(item["module"])
    return str(getattr(module, "__file__", ""))


def main() -> None:
    mode, root, calls_path, start = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    sys.path.insert(0, root)
    if mode == "jit":
        import pymigrate.importer  # noqa: F401 - installs the .pys hook
    with open(calls_path, "rb") as fh:
        items: list[dict[str, Any]] = pickle.load(fh)
    protocol = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    for index in range(start, len(items)):
        item = items[index]
        try:  # the import (a JIT compile) is not part of the call's time: `-2` says the call starts
            importlib.import_module(item["module"])
        except BaseException:  # noqa: BLE001, S110 - the call reports it
            pass
        protocol.write("-2\tcall\n")
        protocol.flush()
        try:
            line = repr(("file", where(item), outcome(item)))
        except BaseException as exc:  # noqa: BLE001 - import errors are reported, not fatal
            line = repr(("import-error", type(exc).__name__, str(exc)))
        protocol.write(f"{index}\t{line}\n")
        protocol.flush()
    if mode == "so":
        leaked = sorted(m for m in sys.modules if m.startswith(("pymigrate", "llvmlite")))
        protocol.write(f"-1\t{leaked!r}\n")
        protocol.flush()


if __name__ == "__main__":
    main()
