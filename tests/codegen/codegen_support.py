"""Helpers for compiler tests: parse superset text and derive the plain-Python twin.

Uses `pymigrate.superset.parse` when it is available; otherwise a small line-based
stand-in that understands the subset of superset syntax these tests use (one-line
fn signatures). Both forms of every test case come from ONE superset source:
`plain_python(src)` removes the superset marks to give the def/class CPython runs.
"""

from __future__ import annotations

import ast
import re
import types
from dataclasses import dataclass, field
from itertools import count
from typing import Any

from pymigrate.codegen import compile_module
from pymigrate.runtime import jit

PRELUDE = "Int = int\nFloat64 = float\nBool = bool\nString = str\nfrom typing import List\n"

_FN = re.compile(r"^(\s*)fn\s+")
_STRUCT = re.compile(r"^(\s*)struct\s+")
_VAR = re.compile(r"^(\s*)var\s+")
_CONV = re.compile(r"\b(mut|out|var)\s+(\w+)(?=\s*[:,)])")
_RAISES = re.compile(r"\)\s*raises\s*(->|:)")


@dataclass
class StandinResult:
    tree: ast.Module
    source: str
    filename: str
    fn_lines: set[int] = field(default_factory=set)
    struct_lines: set[int] = field(default_factory=set)
    var_lines: set[int] = field(default_factory=set)
    conventions: dict[tuple[int, str], str] = field(default_factory=dict)
    raises_lines: set[int] = field(default_factory=set)

    def is_fn(self, node: ast.FunctionDef) -> bool:
        return node.lineno in self.fn_lines

    def is_struct(self, node: ast.ClassDef) -> bool:
        return node.lineno in self.struct_lines

    def is_var_decl(self, node: ast.stmt) -> bool:
        return node.lineno in self.var_lines

    def convention(self, func: ast.FunctionDef, arg: ast.arg) -> str:
        return self.conventions.get((arg.lineno, arg.arg), "read")

    def raises(self, func: ast.FunctionDef) -> bool:
        return func.lineno in self.raises_lines


def _translate(source: str) -> tuple[str, StandinResult]:
    res = StandinResult(ast.Module(body=[], type_ignores=[]), source, "<test>")
    out = []
    for i, line in enumerate(source.splitlines(keepends=True), 1):
        m = _FN.match(line)
        if m:
            res.fn_lines.add(i)
            line = m.group(1) + "def " + line[m.end():]
            for cm in _CONV.finditer(line):
                res.conventions[(i, cm.group(2))] = cm.group(1)
            line = _CONV.sub(r"\2", line)
            if _RAISES.search(line):
                res.raises_lines.add(i)
                line = _RAISES.sub(r") \1", line)
        m = _STRUCT.match(line)
        if m:
            res.struct_lines.add(i)
            line = m.group(1) + "class " + line[m.end():]
        m = _VAR.match(line)
        if m:
            res.var_lines.add(i)
            line = m.group(1) + line[m.end():]
        out.append(line)
    return "".join(out), res


def plain_python(source: str) -> str:
    return _translate(source)[0]


def parse(source: str, filename: str = "<test>") -> Any:
    try:
        from pymigrate.superset import parse as real_parse  # type: ignore[attr-defined]
    except ImportError:
        real_parse = None
    if real_parse is not None:
        return real_parse(source, filename)
    text, res = _translate(source)
    res.tree = ast.parse(text, filename)
    res.filename = filename
    return res


_ids = count()


def compiled(source: str, filename: str = "<test>") -> types.ModuleType:
    """Compile superset source and load it into a fresh module."""
    name = f"pm_test_{next(_ids)}"
    mod = types.ModuleType(name)
    mod.__file__ = filename
    jit.load(compile_module(parse(source, filename), name), mod)
    return mod


def plain(source: str) -> types.ModuleType:
    """The same source as plain Python, run by CPython."""
    mod = types.ModuleType(f"pm_plain_{next(_ids)}")
    exec(compile(PRELUDE + plain_python(source), "<plain>", "exec"), mod.__dict__)
    return mod


def run_isolated(source: str, filename: str, body: str, setup: str = "") -> str:
    """Run `body` in a fresh interpreter with `source` compiled as `m` and run as plain Python as `py` (then
    `setup`): a crash fails the test, not the test run. Returns what the body printed."""
    import subprocess
    import sys
    import textwrap

    script = textwrap.dedent(f"""
        import sys, threading, types
        sys.path[:0] = {sys.path!r}
        from codegen_support import compiled, plain
        m = compiled({source!r}, {filename!r})
        py = plain({source!r})
    """) + textwrap.dedent(setup) + textwrap.dedent(body)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, (proc.returncode, proc.stderr[-3000:])
    return proc.stdout


def outcome(fn: Any, *args: Any, **kwargs: Any) -> tuple[str, Any]:
    """('ok', result) or ('raise', (type, message)) for comparing both forms."""
    try:
        return "ok", fn(*args, **kwargs)
    except Exception as exc:  # noqa: BLE001 - the exception IS the observed behaviour
        return "raise", (type(exc), str(exc))


def same(a: tuple[str, Any], b: tuple[str, Any]) -> bool:
    """Outcomes equal, floats compared bit-for-bit (nan == nan, -0.0 != 0.0)."""
    if a[0] != b[0]:
        return False
    return _eq(a[1], b[1])


def _eq(x: Any, y: Any) -> bool:
    if isinstance(x, float) and isinstance(y, float):
        if x != x and y != y:
            return True
        return x == y and (x != 0.0 or str(x) == str(y))
    if isinstance(x, (list, tuple)) and isinstance(y, (list, tuple)):
        return type(x) is type(y) and len(x) == len(y) and all(_eq(a, b) for a, b in zip(x, y))
    return type(x) is type(y) and x == y


def agrees(got: tuple[str, Any], want: tuple[str, Any]) -> bool:
    """`same`: a compiled fn gives what its Python reading gives, big ints included."""
    return same(got, want)


def assert_same_as_cpython(mods: tuple[Any, Any], name: str, args: tuple[Any, ...]) -> None:
    """Call `name` in the compiled and the plain module (each on its own copy of args): same outcome."""
    import copy

    got = outcome(getattr(mods[0], name), *copy.deepcopy(args))
    want = outcome(getattr(mods[1], name), *copy.deepcopy(args))
    assert same(got, want), (got, want)
