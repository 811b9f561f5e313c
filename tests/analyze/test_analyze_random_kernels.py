"""Randomly generated arithmetic functions (fixed seeds): whatever the analyzer calls ready compiles and,
JIT-loaded, returns the same value of the same type, or raises the same exception, as CPython."""

from __future__ import annotations

import math
import random
import sys
import types
from pathlib import Path
from typing import Any, Callable

import libcst as cst
import pytest

from pymigrate.analyze import analyze_source
from pymigrate.codegen import compile_module
from pymigrate.migrate.emit import render_superset
from pymigrate.migrate.upgrade import Plan, upgrade_module
from pymigrate.runtime.jit import load
from pymigrate.superset import parse

OPS = ["+", "-", "*", "//", "%", "/", "**"]
FLOATS = [0.0, -0.5, 2.0, 1e308, -3.75]


def generate(rng: random.Random, count: int) -> list[tuple[str, list[str], str]]:
    def expr(depth: int, names: list[str]) -> str:
        if depth == 0 or rng.random() < 0.3:
            pick = rng.random()
            if pick < 0.5:
                return rng.choice(names)
            if pick < 0.75:
                return str(rng.randint(-5, 5))
            return repr(rng.choice([0.0, 1.5, -2.25, 3.0]))
        kind = rng.random()
        if kind < 0.7:
            return f"({expr(depth - 1, names)} {rng.choice(OPS)} {expr(depth - 1, names)})"
        if kind < 0.8:
            return f"abs({expr(depth - 1, names)})"
        if kind < 0.9:
            return f"max({expr(depth - 1, names)}, {expr(depth - 1, names)})"
        return f"-{expr(depth - 1, names)}"

    out = []
    for i in range(count):
        types_ = [rng.choice(["int", "float"]) for _ in range(2)]
        body = f"    r = {expr(3, ['a', 'b'])}\n"
        if rng.random() < 0.5:
            body += f"    if {expr(2, ['a', 'b', 'r'])} < {expr(2, ['a', 'b'])}:\n        r = {expr(2, ['a', 'b', 'r'])}\n"
        body += "    return r\n"
        text = f"def f{i}(a: {types_[0]}, b: {types_[1]}) -> {rng.choice(['int', 'float'])}:\n{body}"
        out.append((f"f{i}", types_, text))
    return out


def outcome(call: Callable[[], Any]) -> tuple[str, Any]:
    try:
        value = call()
    except Exception as exc:  # noqa: BLE001 - the exception type is the observable behaviour
        return ("raises", type(exc).__name__)
    if isinstance(value, float) and math.isnan(value):
        return ("nan", None)
    return (type(value).__name__, value)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_kernels(seed: int) -> None:
    rng = random.Random(seed)
    functions = generate(rng, 40)
    source = "\n".join(text for _, _, text in functions)
    analysis = analyze_source(source, Path(f"random_{seed}.py"))
    ready = [f.qualname for f in analysis.functions if f.status == "ready"]
    assert 5 <= len(ready) < len(functions)  # the check below has material, and the analyzer does refuse some
    tree, marks = upgrade_module(cst.parse_module(source), Plan(frozenset(ready), frozenset()))
    compiled = compile_module(parse(render_superset(tree, marks), f"random_{seed}.pys"), f"random_{seed}")
    assert set(ready) <= set(compiled.functions)
    native = types.ModuleType(f"_random_kernels_{seed}")
    sys.modules[native.__name__] = native
    load(compiled, native)
    reference: dict[str, Any] = {}
    exec(compile(source, f"random_{seed}.py", "exec"), reference)
    for name, param_types, _ in functions:
        if name not in ready:
            continue
        for _ in range(30):
            args = [rng.randint(-7, 7) if t == "int" else rng.choice(FLOATS) for t in param_types]
            assert outcome(lambda: getattr(native, name)(*args)) == outcome(lambda: reference[name](*args)), (
                name, args)
