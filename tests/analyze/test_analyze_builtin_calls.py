"""PM317/PM316 and builtin calls: the analyzer calls `bool(...)`, `min(...)` and the other builtins a `fn` may
call fine exactly where the compiler compiles them, except where the compiled function would answer
differently from CPython (then PM318 says why)."""

from __future__ import annotations

import ast
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from pymigrate.analyze import analyze_source
from pymigrate.codegen import compile_module
from pymigrate.codegen.probe import fn_blockers
from pymigrate.runtime.jit import load
from pymigrate.superset import parse

ARG_TYPES = ["int", "float", "bool", "str", "list[float]", "list[int]", "list[str]"]
FORMS = [(t, n) for t in ARG_TYPES for n in (0, 1, 2)]


def verdicts(text: str) -> tuple[str, list[str], bool]:
    """(the analyzer's own status for f, its blocker codes, whether the compiler compiles f)."""
    f = analyze_source(text, Path("m.py"), use_probe=False).function("f")
    tree = ast.parse(text)
    func = tree.body[0]
    assert isinstance(func, ast.FunctionDef)
    return f.status, sorted({b.code for b in f.blockers}), not fn_blockers(func, tree)


@pytest.mark.parametrize(("arg", "nargs"), FORMS, ids=[f"{t}-{n}" for t, n in FORMS])
def test_bool_call_agrees_with_the_compiler(arg: str, nargs: int) -> None:
    text = f"def f(x: {arg}) -> bool:\n    return bool({', '.join(['x'] * nargs)})\n"
    status, codes, compiles = verdicts(text)
    assert compiles == (nargs < 2)  # CPython: bool() takes at most 1 argument
    assert (status == "ready") == compiles
    assert "PM317" not in codes


BUILTINS = ["bool", "float", "int", "abs", "len", "min", "max"]
SWEEP_TYPES = ["int", "float", "bool", "str", "list[float]", "list[int]", "list[bool]", "list[str]"]


def natural_return(builtin: str, arg: str) -> str:
    """The type CPython's builtin returns for an argument of type `arg`, so no conversion is involved."""
    if builtin in ("bool", "float", "int"):
        return builtin
    if builtin == "len":
        return "int"
    if builtin == "abs" and arg == "bool":
        return "int"
    return arg[5:-1] if arg.startswith("list[") else arg


@pytest.mark.parametrize("builtin", BUILTINS)
def test_builtin_calls_agree_with_the_compiler(builtin: str) -> None:
    """Every argument type and count (also two different types): ready exactly when the compiler compiles."""
    disagree = []
    for arg in SWEEP_TYPES:
        calls = [(f"x: {arg}", ", ".join(["x"] * n)) for n in range(4)]
        calls += [(f"x: {arg}, y: {other}", "x, y") for other in ("int", "float", "bool")]
        for params, args in calls:
            text = f"def f({params}) -> {natural_return(builtin, arg)}:\n    return {builtin}({args})\n"
            status, codes, compiles = verdicts(text)
            if (status == "ready") != compiles:
                disagree.append((text, status, codes, compiles))
    assert disagree == []


@pytest.mark.parametrize(("ret", "compiled_answer"), [("int", "1"), ("float", "1.0")])
def test_a_bool_returned_as_a_number_stays_blocked(ret: str, compiled_answer: str) -> None:
    """The compiler (today) accepts it but converts: the fn would return 1 or 1.0 where CPython returns True."""
    text = f"def f(x: {ret}) -> {ret}:\n    return bool(x)\n"
    status, codes, compiles = verdicts(text)
    assert (status, codes) == ("blocked", ["PM318"])
    python: dict[str, Any] = {}
    exec(text, python)
    assert repr(python["f"](3)) == "True"
    if compiles:
        name = f"_analyze_bool_as_{ret}"
        module = types.ModuleType(name)
        sys.modules[name] = module
        load(compile_module(parse(text.replace("def f", "fn f"), f"{name}.pys"), name), module)
        assert repr(module.f(3)) == compiled_answer
