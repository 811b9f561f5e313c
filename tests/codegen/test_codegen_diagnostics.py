"""Checker diagnostics: exact path:line:col and a message that says what to write instead."""

from __future__ import annotations

import pytest
from codegen_support import parse

from pymigrate.codegen import CompileError, compile_module


def errors(src: str) -> list[str]:
    with pytest.raises(CompileError) as info:
        compile_module(parse(src, "m.pys"), "m")
    text = str(info.value)
    assert text == "\n".join(str(d) for d in info.value.diagnostics)
    return text.splitlines()


def test_undeclared_local() -> None:
    assert errors("fn f(a: Int) -> Int:\n    x = a\n    return x\n") == [
        "m.pys:2:5: error: undeclared local 'x': declare it with `var x = ...`"
    ]


def test_type_mismatch() -> None:
    assert errors("fn f(a: Float64) -> Int:\n    return a\n") == [
        "m.pys:2:12: error: returns Float64 but fn 'f' is declared -> Int"
    ]
    assert errors("fn f(a: Int) -> Int:\n    var x = 1\n    x = 2.5\n    return x\n") == [
        "m.pys:3:9: error: cannot assign a Float64 to 'x' of type Int"
    ]


def test_unsupported_construct() -> None:
    assert errors("fn f(a: Int) -> Int:\n    with open('x') as fh:\n        pass\n    return a\n") == [
        "m.pys:2:5: error: with is not supported in a fn; keep this function a def"
    ]


def test_wrong_conventions() -> None:
    assert errors("fn f(xs: List[Int]) -> None:\n    xs.append(1)\n") == [
        "m.pys:2:5: error: parameter 'xs' is read-only in a fn: declare it `mut xs` so the caller sees the "
        "change (or `var xs` for an owned copy)"
    ]
    assert errors("fn f(n: Int) -> Int:\n    n += 1\n    return n\n") == [
        "m.pys:2:5: error: parameter 'n' is read-only in a fn: declare it `var n` (an owned copy) or `mut n` "
        "(the caller sees the change)"
    ]


def test_missing_types_and_returns() -> None:
    # a module-level fn's missing types mean `object` (codegen/fill.py): it compiles, as an object fn
    assert compile_module(parse("fn f(a, b: Int):\n    return a\n", "m.pys"), "m").functions == ["f"]
    # a struct method's do not: its parameters need native types, and a result it returns needs its type
    struct = "struct P:\n    var x: Int\n\n    fn __init__(out self, x: Int):\n        self.x = x\n\n"
    assert errors(struct + "    fn get(self, a) -> Int:\n        return self.x\n") == [
        "m.pys:7:18: error: parameter 'a' needs a type: write `a: Int` (or its type)"
    ]
    assert errors(struct + "    fn get(self):\n        return self.x\n") == [
        "m.pys:7:5: error: fn 'get' returns a value: write its return type"
    ]
    assert errors("fn f(a: Int) -> Int:\n    if a > 0:\n        return 1\n") == [
        "m.pys:1:1: error: fn 'f' can reach its end without returning Int: add a return (or raise)"
    ]


def test_int_power_needs_literal_exponent() -> None:
    (msg,) = errors("fn f(a: Int, b: Int) -> Int:\n    return a ** b\n")
    assert msg.startswith("m.pys:2:12: error: Int ** Int needs a non-negative integer literal exponent")


def test_every_error_is_reported_not_just_the_first() -> None:
    assert len(errors("fn f(a: Int) -> Int:\n    x = 1\n    y = 2\n    return a\n")) == 2


def test_mut_argument_may_not_alias_another_argument() -> None:
    src = (
        "fn f(mut a: List[Int], b: List[Int]) -> None:\n    a.append(len(b))\n\n"
        "fn g() -> None:\n    var xs = [1]\n    f(xs, xs)\n"
    )
    assert errors(src) == [
        "m.pys:6:11: error: 'xs' is passed to f() as `mut` and also in another argument; copy it first (`var c = ...`)"
    ]
