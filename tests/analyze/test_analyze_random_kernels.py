"""Randomly generated arithmetic functions (fixed seeds): whatever the analyzer calls ready compiles and,
JIT-loaded, returns the same value of the same type, or raises the same exception, as CPython."""

from __future__ import annotations

import math
import random
import sys
import types
from functools import partial
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


def build(source: str, name: str) -> tuple[list[str], types.ModuleType, dict[str, Any]]:
    """(ready names, the module with them compiled and JIT-loaded, the module run by CPython)."""
    analysis = analyze_source(source, Path(f"{name}.py"))
    ready = [f.qualname for f in analysis.functions if f.status == "ready"]
    tree, marks = upgrade_module(cst.parse_module(source), Plan(frozenset(ready), frozenset()))
    compiled = compile_module(parse(render_superset(tree, marks), f"{name}.pys"), name)
    assert set(ready) <= set(compiled.functions)
    native = types.ModuleType(f"_analyze_{name}")
    sys.modules[native.__name__] = native
    load(compiled, native)
    reference: dict[str, Any] = {}
    exec(compile(source, f"{name}.py", "exec"), reference)
    return ready, native, reference


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_kernels(seed: int) -> None:
    rng = random.Random(seed)
    functions = generate(rng, 40)
    source = "\n".join(text for _, _, text in functions)
    ready, native, reference = build(source, f"random_{seed}")
    assert 5 <= len(ready) < len(functions)  # the check below has material, and the analyzer does refuse some
    for name, param_types, _ in functions:
        if name not in ready:
            continue
        for _ in range(30):
            args = [rng.randint(-7, 7) if t == "int" else rng.choice(FLOATS) for t in param_types]
            assert outcome(partial(getattr(native, name), *args)) == outcome(partial(reference[name], *args)), (
                name, args)


def generate_loops(rng: random.Random, count: int) -> list[tuple[str, str, str]]:
    """Loops over range(), lists and while, with list reads and writes, math, break and raise."""

    def num(depth: int, names: list[str]) -> str:
        if depth == 0 or rng.random() < 0.3:
            pick = rng.random()
            if pick < 0.6:
                return rng.choice(names)
            if pick < 0.8:
                return str(rng.randint(-3, 9))
            return repr(rng.choice([0.5, -1.0, 2.0]))
        kind = rng.random()
        if kind < 0.5:
            return f"({num(depth - 1, names)} {rng.choice(['+', '-', '*', '//', '%', '/'])} {num(depth - 1, names)})"
        if kind < 0.6:
            return f"xs[{num(depth - 1, ['i', 'n', 'k'])}]"
        if kind < 0.7:
            return "len(xs)"
        if kind < 0.8:
            return f"math.sqrt({num(depth - 1, names)})"
        if kind < 0.9:
            return f"float({num(depth - 1, names)})"
        return f"min({num(depth - 1, names)}, {num(depth - 1, names)})"

    def cond(names: list[str]) -> str:
        text = f"{num(1, names)} {rng.choice(['<', '<=', '==', '!=', '>'])} {num(1, names)}"
        if rng.random() < 0.3:
            text = f"{text} and {num(1, names)} < {num(1, names)}"
        if rng.random() < 0.2:
            text = f"not ({text})"
        return text

    out = []
    for i in range(count):
        elem = rng.choice(["int", "float"])
        names = ["n", "acc", "k"]
        lines = [f"def g{i}(xs: list[{elem}], n: int) -> {rng.choice(['int', 'float'])}:",
                 f"    acc = {rng.choice(['0', '0.0', '1'])}", "    k = 0"]
        loop = rng.choice(["for i in range(n):", "for x in xs:", "while k < n:"])
        lines.append("    " + loop)
        inner = names + (["i"] if "range" in loop else ["x"] if "xs:" in loop else [])
        lines.append(f"        acc = acc + {num(2, inner)}")
        if rng.random() < 0.5:
            lines.append(f"        if {cond(inner)}:\n            break")
        if rng.random() < 0.3:
            lines.append(f"        xs.append({num(1, inner)})" if rng.random() < 0.5 else f"        xs[0] = {num(1, inner)}")
        lines.append("        k += 1")
        if rng.random() < 0.3:
            lines.append(f"    if {cond(names)}:\n        raise ValueError('bad')")
        lines.append("    return acc")
        out.append((f"g{i}", elem, "\n".join(lines) + "\n"))
    return out


@pytest.mark.parametrize("seed", [1, 5, 8])  # seeds whose generated loops all terminate under CPython
def test_random_loops(seed: int) -> None:
    rng = random.Random(seed)
    functions = generate_loops(rng, 30)
    source = "import math\n\n" + "\n".join(text for _, _, text in functions)
    ready, native, reference = build(source, f"loops_{seed}")
    assert ready
    for name, elem, _ in functions:
        if name not in ready:
            continue
        for _ in range(20):
            n = rng.randint(-1, 6)
            xs = [rng.randint(-4, 9) if elem == "int" else rng.choice([0.0, 1.5, -2.0, 4.0])
                  for _ in range(rng.randint(0, 5))]
            mine, theirs = list(xs), list(xs)
            assert outcome(partial(getattr(native, name), mine, n)) == outcome(partial(reference[name], theirs, n)), (
                name, xs, n)
            assert mine == theirs  # changes made to the list are seen by the caller alike
