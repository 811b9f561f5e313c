"""A fn declared to return an Int or a Float64 cannot return a Bool: CPython's twin returns the bool itself
(`True`, not `1`), so the compiler refuses it with a diagnostic at the returned value; converting explicitly
compiles and matches CPython."""

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
