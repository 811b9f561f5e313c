"""Stand-ins that follow the compiler contract (CONTRACTS.md section 4), for runtime tests.

The runtime and build only rely on CompiledModule's fields, so a hand-written LLVM module whose
init symbol adds one builtin (`add`, METH_FASTCALL) exercises the whole path from object code to
an importable extension without depending on the compiler's progress.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

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


@dataclass
class StandinParse:
    """Enough of pymigrate.superset.ParseResult for the stub writer."""

    tree: ast.Module
    source: str
    filename: str

    def is_fn(self, node: ast.AST) -> bool:
        return False

    def is_struct(self, node: ast.AST) -> bool:
        return False


def standin_compile(source: Path, module_name: str, *, opt_level: int = 3) -> tuple[Any, Any]:
    """Compile a stand-in `.pys`: plain Python whose namespace also gets the native `add`."""
    text = source.read_text(encoding="utf-8")
    if "COMPILE ERROR" in text:
        raise RuntimeError(f"{source}:1:1: error: stand-in compile error")
    tree = ast.parse(text, str(source))
    symbol = "pm_init_" + module_name.replace(".", "_")
    compiled = StandinCompiled(STANDIN_IR.replace("SYMBOL", symbol), symbol, tree)
    return StandinParse(tree, text, str(source)), compiled


@pytest.fixture
def standin_compiler(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Any]:
    """Route pymigrate's compile step to the stand-in for this test."""
    from pymigrate.codegen import build

    monkeypatch.setattr(build, "compile_source", standin_compile)
    return standin_compile
