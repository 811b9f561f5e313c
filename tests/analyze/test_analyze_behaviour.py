"""Ready means behaviour is kept: the ready functions and structs of the readiness fixtures, migrated and
JIT-compiled, give the same results and raise the same exceptions as CPython on the same inputs."""

from __future__ import annotations

import math
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

ROOT = Path(__file__).resolve().parents[2]
READINESS = ROOT / "fixtures" / "analyze" / "readiness"


def both(name: str) -> tuple[types.ModuleType, types.ModuleType, set[str]]:
    """(CPython module, compiled module, names compiled) for fixtures/analyze/readiness/<name>.py."""
    path = READINESS / f"{name}.py"
    text = path.read_text(encoding="utf-8")
    analysis = analyze_source(text, path)
    ready_f = {f.qualname for f in analysis.functions if f.status == "ready"}
    ready_c = {c.qualname for c in analysis.classes if c.status == "ready"}
    tree, marks = upgrade_module(cst.parse_module(text), Plan(frozenset(ready_f), frozenset(ready_c)))
    compiled = compile_module(parse(render_superset(tree, marks), str(path.with_suffix(".pys"))), name)
    modules = []
    for label in ("cpython", "compiled"):
        module = types.ModuleType(f"_analyze_behaviour_{name}_{label}")
        sys.modules[module.__name__] = module
        modules.append(module)
    exec(compile(text, str(path), "exec"), modules[0].__dict__)
    load(compiled, modules[1])
    return modules[0], modules[1], set(compiled.functions) | set(compiled.structs)


def outcome(call: Callable[[], Any]) -> tuple[str, Any]:
    try:
        value = call()
    except Exception as exc:  # noqa: BLE001 - the exception type is the observable behaviour
        return ("raises", type(exc).__name__)
    if isinstance(value, float) and math.isnan(value):
        return ("nan", None)
    return ("returns", repr(value))


NUMERIC_CASES: list[tuple[str, tuple[Any, ...]]] = [
    ("dot", ([1.0, 2.0, 3.0], [4.0, 5.0, 6.0])), ("dot", ([], [])), ("dot", ([1.0, 2.0], [1.0])),
    ("norm", ([3.0, 4.0],)), ("clamp", (5, 0, 3)), ("clamp", (-5, 0, 3)), ("clamp", (2, 0, 3)),
    ("collatz_steps", (27,)), ("collatz_steps", (6,)), ("collatz_steps", (1,)), ("fib", (20,)), ("fib", (-3,)),
    ("mean", ([1.0, 2.5],)), ("mean", ([],)), ("scaled", ([1.0, -2.0], 0.5)), ("zeros", (3,)), ("zeros", (-1,)),
    ("between", (0.0, 0.5, 1.0)), ("between", (0.0, 0.0, 1.0)), ("between", (0.0, 1.0, 1.0)),
    ("hypot2", (3.0, 4.0)), ("hypot2", (-1.5, 2.5)), ("count_up", (10,)), ("count_up", (10, 3)),
    ("count_up", (10, 0)), ("count_up", (5, -1)),
]


def test_records() -> None:
    original, compiled, names = both("records")
    assert {"Point", "make_point", "point_norm"} <= names
    # a struct field is a value: Particle(pos=a) would copy `a`, so Particle stays a class (PM320)
    assert not {"Particle", "heavier"} & names
    seen = []
    for m in (original, compiled):
        a = m.Point(1.0, 2.0)
        a.shift(0.5)
        b = m.make_point(3.0)
        seen.append((repr(a), a == m.Point(1.5, 2.0), a == b, m.point_norm(b), m.heavier(m.Particle(a, 2.0)),
                     outcome(partial(hash, a))))
    assert seen[0] == seen[1]


NAN = float("nan")
TRUTH_CASES: list[tuple[str, tuple[Any, ...]]] = [
    ("truthy_float", (0.0,)), ("truthy_float", (-0.0,)), ("truthy_float", (NAN,)), ("truthy_float", (3.0,)),
    ("truthy_float", (float("inf"),)), ("truthy_float", (5e-324,)), ("truthy_float", (3,)),
    ("truthy_int", (3,)), ("truthy_int", (0,)), ("truthy_int", (-(2**63),)), ("truthy_int", (True,)),
    ("truthy_flag", (False,)), ("truthy_flag", (True,)), ("truthy_text", ("",)), ("truthy_text", ("0",)),
    ("truthy_list", ([],)), ("truthy_list", ([0.0],)), ("count_nonzero", ([0.0, -0.0, NAN, 2.5, 0.0],)),
    ("defaults", ()), ("truthy_root", (2.5,)), ("truthy_root", (0.5,)), ("truthy_root", (-1.0,)),
    ("truthy_root", (NAN,)), ("truthy_root", (float("inf"),)), ("from_flag", (True,)), ("from_flag", (False,)),
]


EXTREMES_CASES: list[tuple[str, tuple[Any, ...]]] = [
    ("largest", ([],)), ("largest", ([NAN, 1.0],)), ("largest", ([1.0, NAN],)), ("largest", ([-0.0, 0.0],)),
    ("largest", ([0.0, -0.0],)), ("largest", ([2.5, -1.0, 7.0],)), ("smallest", ([NAN, 1.0],)),
    ("smallest", ([1.0, NAN],)), ("smallest", ([0.0, -0.0],)), ("smallest", ([],)), ("largest_count", ([3, 9, -2],)),
    ("largest_count", ([],)), ("any_set", (True, False)), ("any_set", (False, False)), ("all_set", ([True, False],)),
    ("all_set", ([True],)), ("all_set", ([],)),
]
CASES = [("numeric", name, args) for name, args in NUMERIC_CASES]
CASES += [("truth", name, args) for name, args in TRUTH_CASES]
CASES += [("extremes", name, args) for name, args in EXTREMES_CASES]


@pytest.fixture(scope="module")
def fixtures() -> dict[str, tuple[types.ModuleType, types.ModuleType, set[str]]]:
    """Each readiness fixture run by CPython and compiled, built once for all its cases."""
    return {name: both(name) for name in ("numeric", "truth", "extremes")}


@pytest.mark.parametrize(("fixture", "name", "args"), CASES, ids=[f"{f}.{n}{a}" for f, n, a in CASES])
def test_fixture_behaviour(fixtures: dict[str, tuple[types.ModuleType, types.ModuleType, set[str]]], fixture: str,
                           name: str, args: tuple[Any, ...]) -> None:
    """What the analyzer calls ready compiles, runs natively and returns (or raises) what CPython does;
    in truth.py, bool(x) (PM317 allows it) gives CPython's truth value: bool(nan) is True, bool(-0.0) False."""
    original, compiled, names = fixtures[fixture]
    assert name in names, f"{name} was expected to be ready and compiled"
    assert not isinstance(getattr(compiled, name), types.FunctionType)  # the native fn, not the Python def
    assert outcome(lambda: getattr(compiled, name)(*args)) == outcome(lambda: getattr(original, name)(*args))


def test_truth_expected_values(fixtures: dict[str, tuple[types.ModuleType, types.ModuleType, set[str]]]) -> None:
    """The values themselves, written out: the comparison above is not between two wrong answers."""
    _, compiled, _ = fixtures["truth"]
    f = compiled.truthy_float
    assert (f(0.0), f(-0.0), f(NAN), f(3.0)) == (False, False, True, True)
    assert (compiled.truthy_int(3), compiled.truthy_int(0)) == (True, False)
    assert compiled.count_nonzero([0.0, -0.0, NAN, 2.5]) == 2
    assert compiled.defaults() == 0.0 and type(compiled.defaults()) is float
    assert compiled.from_flag(True) == 3.0 and type(compiled.from_flag(True)) is float
