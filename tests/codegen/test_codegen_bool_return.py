"""A fn declared to return an Int or a Float64 cannot return a Bool: CPython's twin returns the bool itself
(`True`, not `1`), so the compiler refuses it with a diagnostic at the returned value; converting explicitly
compiles and matches CPython. The same holds wherever a Bool would be stored as a number (a local, an
argument, a list item, a default): CPython keeps the bool there too."""

from __future__ import annotations

import ast
from typing import Any

import pytest
from codegen_support import compiled, outcome, plain, plain_python, same

from pymigrate.codegen.diagnostics import CompileError

# (declared return type, returned expression): every one returns a bool in CPython
BOOL_RETURNS = [
    (ret, expr)
    for ret in ("Int", "Float64", "int", "float")
    for expr in ("bool(x)", "x > 0", "not x", "True", "x == 0 or x > 2", "flag", "math.isnan(float(x))")
]


def source(ret: str, expr: str) -> str:
    return f"import math\n\n\nfn f(x: Int) -> {ret}:\n    var flag = x > 1\n    return {expr}\n"


@pytest.mark.parametrize(("ret", "expr"), BOOL_RETURNS)
def test_returning_a_bool_as_a_number_is_refused(ret: str, expr: str) -> None:
    text = source(ret, expr)
    assert type(plain(text).f(3)) is bool  # what CPython's twin returns
    with pytest.raises(CompileError) as info:
        compiled(text, "m.pys")
    (diag,) = info.value.diagnostics
    value = ast.parse(plain_python(text)).body[1].body[1].value  # type: ignore[attr-defined]
    assert (diag.line, diag.col) == (value.lineno, value.col_offset + 1)
    assert str(diag).startswith(f"m.pys:6:{value.col_offset + 1}: error: returns a Bool but fn 'f' is declared -> ")
    convert = "int" if ret in ("Int", "int") else "float"
    assert f"`return {convert}({expr})`" in str(diag)


@pytest.mark.parametrize("ret", ["Int", "Float64"])
@pytest.mark.parametrize("expr", ["bool(x)", "x > 0", "flag"])
def test_the_suggested_conversion_matches_cpython(ret: str, expr: str) -> None:
    convert = "int" if ret == "Int" else "float"
    text = source(ret, f"{convert}({expr})")
    native, python = compiled(text, "m.pys"), plain(text)
    for x in (-2, 0, 1, 3):
        assert same(outcome(native.f, x), outcome(python.f, x)), x


@pytest.mark.parametrize(("ret", "expr", "args"), [
    ("Bool", "x > 0", (3,)),  # a Bool declared as such stays a bool
    ("Int", "x + (x > 0)", (3,)),  # arithmetic on a bool makes a number, as in CPython
    ("Float64", "x * 1.0", (3,)),
])
def test_numbers_and_declared_bools_compile(ret: str, expr: str, args: tuple[Any, ...]) -> None:
    text = source(ret, expr)
    native, python = compiled(text, "m.pys"), plain(text)
    assert same(outcome(native.f, *args), outcome(python.f, *args))


G = "fn g(n: Int) -> Int:\n    return n\n\n\n"
# (superset module, call of f, the value CPython's twin gives; a compiled fn would hold 1 where it holds True,
# line:col of the Bool the compiler points at)
BOOL_AS_NUMBER = [
    ("var", "fn f(x: Int) -> Int:\n    var y: Int = x > 0\n    return y\n", (3,), True, (2, 18)),
    ("assign", "fn f(x: Int) -> Int:\n    var y = 0\n    y = x > 0\n    return y\n", (3,), True, (3, 9)),
    ("argument", G + "fn f(x: Int) -> Int:\n    return g(x > 0)\n", (3,), True, (6, 14)),
    ("append", "fn f(mut xs: List[Int], x: Int) -> None:\n    xs.append(x > 0)\n", ([], 3), None, (2, 15)),
    ("list-item", "fn f(x: Int) -> List[Int]:\n    var xs: List[Int] = [x, x > 0]\n    return xs\n", (3,), [3, True],
     (2, 29)),
    ("default", "fn f(x: Int = True) -> Int:\n    return x\n", (), True, (1, 15)),
    ("float-var", "fn f(x: Int) -> Float64:\n    var y: Float64 = x > 0\n    return y\n", (3,), True, (2, 22)),
]


@pytest.mark.parametrize(("text", "args", "python", "where"), [c[1:] for c in BOOL_AS_NUMBER],
                         ids=[c[0] for c in BOOL_AS_NUMBER])
def test_a_bool_is_never_taken_for_a_number(text: str, args: tuple[Any, ...], python: Any,
                                            where: tuple[int, int]) -> None:
    twin = plain(text)
    got = twin.f(*args)
    if python is None:  # the list the caller passed holds the bool
        got = args[0]
        python = [True]
    assert repr(got) == repr(python)
    with pytest.raises(CompileError) as info:
        compiled(text, "m.pys")
    diag = info.value.diagnostics[0]  # the first one; a failed declaration may leave the name undeclared
    assert (diag.line, diag.col) == where
    assert "Bool" in diag.message
    assert "CPython would keep the bool; convert it with" in diag.message
