"""A read of a local before any assignment raises CPython's UnboundLocalError, compiled as in the def.

The checker's definite-assignment analysis (pymigrate/codegen/definite.py) lists the reads that may
run first; only those get an "assigned" flag. Also: `async fn` is refused with its position.
"""

from __future__ import annotations

import ast

import pytest
from codegen_support import assert_same_as_cpython, compiled, parse, plain

from pymigrate.codegen import CompileError, compile_module
from pymigrate.codegen.definite import unbound_reads

SRC = '''
fn in_branch(c: Bool) -> Int:
    if c:
        var x = 1
    return x

fn after_loop(n: Int) -> Int:
    for i in range(n):
        var last = i
    return last

fn declared_only(n: Int) -> Int:
    var x: Int
    if n > 0:
        x = n
    x += 1
    return x

fn broke_out(var n: Int) -> Int:
    while True:
        if n > 3:
            var y = n
            break
        n += 1
    return y

fn string_after_loop(xs: List[Int]) -> String:
    for x in xs:
        var s = "a"
    return s

fn list_method(c: Bool) -> Int:
    var ys: List[Int]
    if c:
        ys = [1]
    ys.append(2)
    return len(ys)

fn loop_var_after(xs: List[Float64]) -> Float64:
    for x in xs:
        pass
    return x

fn in_elif(n: Int) -> Int:
    if n > 0:
        var r = 1
    elif n < 0:
        r = -1
    else:
        return 0
    return r

fn redeclared(n: Int) -> Int:
    var x = n
    var x: Int
    return x
'''

CASES = [
    ("in_branch", (True,)), ("in_branch", (False,)),
    ("after_loop", (3,)), ("after_loop", (0,)),
    ("declared_only", (1,)), ("declared_only", (0,)),
    ("broke_out", (0,)),
    ("string_after_loop", ([1],)), ("string_after_loop", ([],)),
    ("list_method", (True,)), ("list_method", (False,)),
    ("loop_var_after", ([1.5],)), ("loop_var_after", ([],)),
    ("in_elif", (2,)), ("in_elif", (-2,)), ("in_elif", (0,)),
    ("redeclared", (7,)),
]


@pytest.fixture(scope="module")
def mods() -> tuple[object, object]:
    return compiled(SRC), plain(SRC)


@pytest.mark.parametrize(("name", "args"), CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
def test_read_before_assignment_as_cpython(mods: tuple[object, object], name: str, args: tuple[object, ...]) -> None:
    assert_same_as_cpython(mods, name, args)


def test_unbound_read_has_the_fns_traceback_line(mods: tuple[object, object]) -> None:
    m, _ = mods
    with pytest.raises(UnboundLocalError) as info:
        m.after_loop(0)
    tb = info.value.__traceback__
    while tb.tb_next is not None:
        tb = tb.tb_next
    assert (tb.tb_frame.f_code.co_name, tb.tb_lineno) == ("after_loop", 10)


def _reads(src: str) -> list[str]:
    func = ast.parse(src).body[0]
    assert isinstance(func, ast.FunctionDef)
    params = {a.arg for a in func.args.args}
    names = {n.id for n in ast.walk(func) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    names |= {n.target.id for n in ast.walk(func) if isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name)}
    found = unbound_reads(func, params, names)
    return [f"{n.id}@{n.lineno}" for n in ast.walk(func) if id(n) in found]


def test_analysis_lists_only_reads_some_path_reaches_unassigned() -> None:
    assert _reads("def f(a):\n    x = a\n    if a:\n        y = x\n    return x\n") == []
    assert _reads("def f(a):\n    if a:\n        y = 1\n    return y\n") == ["y@4"]
    assert _reads("def f(a):\n    if a:\n        y = 1\n    else:\n        y = 2\n    return y\n") == []
    assert _reads("def f(a):\n    if a:\n        y = 1\n    else:\n        raise ValueError\n    return y\n") == []
    assert _reads("def f(a):\n    while True:\n        y = 1\n        break\n    return y\n") == []
    assert _reads("def f(a):\n    while a:\n        y = 1\n    return y\n") == ["y@4"]
    assert _reads("def f(a):\n    for i in a:\n        z = i\n    return z + i\n") == ["z@4", "i@4"]
    assert _reads("def f(a):\n    x: int\n    return x\n") == ["x@3"]


def test_definitely_assigned_locals_get_no_flag() -> None:
    ir = compile_module(parse("fn f(a: Int) -> Int:\n    var x = a\n    if a > 0:\n        x += 1\n    return x\n",
                              "m.pys"), "m").llvm_ir
    assert "UnboundLocalError" not in ir and "x.bound" not in ir
    ir = compile_module(parse("fn f(a: Int) -> Int:\n    if a > 0:\n        var x = 1\n    return x\n", "m.pys"),
                        "m").llvm_ir
    assert "PyExc_UnboundLocalError" in ir and "x.bound" in ir


def test_async_fn_is_refused_with_its_position() -> None:
    with pytest.raises(CompileError) as info:
        compile_module(parse("x = 1\n\nasync fn f(a: Int) -> Int:\n    return a\n", "m.pys"), "m")
    assert str(info.value) == (
        "m.pys:3:1: error: `async fn f` is not supported: a fn cannot be a coroutine; keep it an `async def`")
