"""probe.fn_blockers / struct_blockers: the checker's verdict on plain Python, and agreement with compiling."""

from __future__ import annotations

import ast

import pytest
from codegen_support import compiled

from pymigrate.codegen.probe import fn_blockers, struct_blockers

SRC = '''
import math

def ok(a: int, b: float) -> float:
    s = 0.0
    for i in range(a):
        s += b * i
    return s

def untyped(a, b: int) -> int:
    return a + b

def calls_ok(n: int) -> float:
    return ok(n, 1.0)

def calls_python(n: int) -> int:
    print(n)
    return n

def aliasing(xs: list[int]) -> int:
    ys = xs
    ys.append(1)
    return len(xs)

def mutates(xs: list[int]) -> None:
    xs.append(1)

def rebinds(n: int) -> int:
    n = n * 2
    return n

def with_try(n: int) -> int:
    try:
        return n
    except Exception:
        return 0

class Point:
    def __init__(self, x: float, y: float) -> None:
        self.x = x
        self.y = y

    def norm(self) -> float:
        return math.sqrt(self.x * self.x + self.y * self.y)

    def move(self, d: float) -> None:
        self.x += d

class Cached:
    x: float

    def __init__(self, x: float) -> None:
        self.x = x
        self.cache = {}

def uses_point(p: Point) -> float:
    return p.norm()

class Scaled:
    k: int

    def __init__(self, k) -> None:
        self.k = k
'''

MODULE = ast.parse(SRC)
NODES = {n.name: n for n in MODULE.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}


def blockers(name: str) -> list[str]:
    node = NODES[name]
    if isinstance(node, ast.ClassDef):
        return struct_blockers(node, MODULE)
    return fn_blockers(node, MODULE)


def test_ready_functions_have_no_blockers() -> None:
    for name in ("ok", "untyped", "calls_ok", "mutates", "rebinds", "uses_point"):
        assert blockers(name) == [], name
    assert blockers("Point") == []


def test_blockers_name_the_reason_and_place() -> None:
    # a module-level def's missing annotation is filled with `object` (probe.fill); a method's is not
    assert blockers("Scaled") == ["62:24: parameter 'k' needs a type: write `k: Int` (or its type)"]
    assert any("'print' is not a fn" in r for r in blockers("calls_python"))
    assert any(r.startswith("21:5:") and "shares a list" in r for r in blockers("aliasing"))
    assert any("try/except is not supported" in r for r in blockers("with_try"))
    assert any("has no field 'cache'" in r for r in blockers("Cached"))


def test_a_method_is_judged_with_its_class() -> None:
    point = NODES["Point"]
    assert isinstance(point, ast.ClassDef)
    norm = next(s for s in point.body if isinstance(s, ast.FunctionDef) and s.name == "norm")
    assert fn_blockers(norm, MODULE) == []


def test_what_the_probe_accepts_compiles_and_agrees() -> None:
    """The probe's synthesized upgrade, written as superset text, compiles and behaves like the def."""
    superset = SRC.replace("def ok(", "fn ok(").replace("    s = 0.0", "    var s = 0.0")
    superset = superset.replace("def untyped(a,", "fn untyped(a: object,")
    superset = superset.replace("def mutates(xs:", "fn mutates(mut xs:").replace("def rebinds(n:", "fn rebinds(var n:")
    mod = compiled(superset)
    assert mod.ok(4, 0.5) == 3.0
    xs = [0]
    mod.mutates(xs)
    assert xs == [0, 1]
    assert mod.rebinds(21) == 42
    assert mod.untyped(40, 2) == 42  # the object fn the fill makes
    with pytest.raises(TypeError, match="can only concatenate str"):
        mod.untyped("a", 2)
