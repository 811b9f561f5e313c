"""Stand-ins that follow the compiler contract (docs/contracts.md section 4), for runtime tests.

The runtime and build only rely on CompiledModule's fields, so a hand-written LLVM module whose
init symbol adds one builtin (`add`, METH_FASTCALL) exercises the whole path from object code to
an importable extension without depending on the compiler's progress.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

STANDIN_IR = r"""
%PyMethodDef = type { ptr, ptr, i32, ptr }

@.name = private unnamed_addr constant [4 x i8] c"add\00"
@.msg = private unnamed_addr constant [33 x i8] c"add() takes exactly 2 arguments\00\00"
@add_def = internal global %PyMethodDef { ptr @.name, ptr @add_wrap, i32 128, ptr null }
@PyExc_TypeError = external global ptr

declare ptr @PyCMethod_New(ptr, ptr, ptr, ptr)
declare i64 @PyLong_AsLongLong(ptr)
declare ptr @PyLong_FromLongLong(i64)
declare ptr @PyErr_Occurred()
declare void @PyErr_SetString(ptr, ptr)
declare i32 @PyModule_AddObjectRef(ptr, ptr, ptr)
declare void @Py_DecRef(ptr)

define internal ptr @add_wrap(ptr %self, ptr %args, i64 %nargs) {
entry:
  %ok = icmp eq i64 %nargs, 2
  br i1 %ok, label %go, label %bad
bad:
  %exc = load ptr, ptr @PyExc_TypeError
  call void @PyErr_SetString(ptr %exc, ptr @.msg)
  ret ptr null
go:
  %p0 = load ptr, ptr %args
  %p1p = getelementptr ptr, ptr %args, i64 1
  %p1 = load ptr, ptr %p1p
  %a = call i64 @PyLong_AsLongLong(ptr %p0)
  %b = call i64 @PyLong_AsLongLong(ptr %p1)
  %e = call ptr @PyErr_Occurred()
  %has = icmp ne ptr %e, null
  br i1 %has, label %fail, label %sum
fail:
  ret ptr null
sum:
  %s = add i64 %a, %b
  %r = call ptr @PyLong_FromLongLong(i64 %s)
  ret ptr %r
}

define i32 @SYMBOL(ptr %m) {
entry:
  %f = call ptr @PyCMethod_New(ptr @add_def, ptr null, ptr null, ptr null)
  %isnull = icmp eq ptr %f, null
  br i1 %isnull, label %err, label %ok
err:
  ret i32 -1
ok:
  %r = call i32 @PyModule_AddObjectRef(ptr %m, ptr @.name, ptr %f)
  call void @Py_DecRef(ptr %f)
  ret i32 %r
}
"""


@dataclass
class StandinCompiled:
    """Same fields as pymigrate.codegen.CompiledModule."""

    llvm_ir: str
    init_symbol: str
    python_tree: ast.Module
    functions: list[str] = field(default_factory=lambda: ["add"])
    structs: list[str] = field(default_factory=list)
    opt_level: int = 3


def standin_compile(
    source: Path, module_name: str, *, opt_level: int = 3, data: bytes | None = None
) -> tuple[Any, Any]:
    """Compile a stand-in `.pys`: plain Python whose namespace also gets the native `add`.

    A line containing COMPILE ERROR is rejected with a CompileError pointing at it.
    """
    from pymigrate.codegen.diagnostics import CompileError, Diagnostic
    from pymigrate.superset import parse

    text = (source.read_bytes() if data is None else data).decode("utf-8")
    result = parse(text, str(source))
    for lineno, line in enumerate(text.splitlines(), 1):
        col = line.find("COMPILE ERROR")
        if col >= 0:
            raise CompileError([Diagnostic(str(source), lineno, col + 1, "stand-in compile error")])
    symbol = "pm_init_" + module_name.replace(".", "_")
    compiled = StandinCompiled(STANDIN_IR.replace("SYMBOL", symbol), symbol, result.tree)
    return result, compiled


@pytest.fixture
def standin_compiler(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Any]:
    """Route pymigrate's compile step to the stand-in for this test."""
    from pymigrate.codegen import build

    monkeypatch.setattr(build, "compile_source", standin_compile)
    return standin_compile


STANDIN_PRELUDE = f"""
import importlib.util, sys
_spec = importlib.util.spec_from_file_location("runtime_standin", {str(Path(__file__))!r})
_standin = importlib.util.module_from_spec(_spec)
sys.modules["runtime_standin"] = _standin
_spec.loader.exec_module(_standin)
from pymigrate.codegen import build as _build
_build.compile_source = _standin.standin_compile
"""
"""Code that makes a fresh interpreter compile with the stand-in (for subprocess tests)."""

BASE_PYTHON_CANDIDATES = ("/root/.pyenv/versions/3.11.7/bin/python3",)


def find_base_python() -> str:
    """An interpreter without pymigrate on its path: the venv's base interpreter."""
    import os
    import sys

    for candidate in (getattr(sys, "_base_executable", ""), *BASE_PYTHON_CANDIDATES):
        if candidate and os.path.exists(candidate):
            return candidate
    return sys.executable


STANDIN_MODULE = """\
X = add(1, 2)


def twice(x):
    return add(x, x)


def boom():
    raise ValueError("boom from the remainder")
"""
"""A module for the stand-in: `add` comes from its native init, the rest is the remainder."""


@pytest.fixture
def module_source() -> str:
    return STANDIN_MODULE


@pytest.fixture
def standin_prelude() -> str:
    return STANDIN_PRELUDE


@pytest.fixture(scope="session")
def base_python() -> str:
    return find_base_python()


@pytest.fixture
def pys_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A directory on sys.path with the `.pys` hook installed and the cache settings cleared;
    modules imported from it are forgotten afterwards (pymigrate's and llvmlite's stay)."""
    import sys

    from pymigrate.runtime import cache, hook

    root = tmp_path / "site"
    root.mkdir()
    monkeypatch.syspath_prepend(str(root))
    for name in (cache.CACHE_ENV, cache.NO_CACHE_ENV, hook.MODE_ENV):
        monkeypatch.delenv(name, raising=False)
    before = set(sys.modules)
    hook.install().invalidate_caches()
    yield root
    hook.uninstall()
    for name in set(sys.modules) - before:
        if name.partition(".")[0] not in ("pymigrate", "llvmlite"):
            del sys.modules[name]
