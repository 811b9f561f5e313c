"""math, builtins, raise, lists, structs and strings: compiled vs plain CPython from one source."""

from __future__ import annotations

import math

import pytest
from codegen_support import agrees, compiled, outcome, plain

SRC = '''
import math
from math import sqrt, pi

fn m_sqrt(x: Float64) -> Float64:
    return math.sqrt(x)

fn m_sqrt2(x: Float64) -> Float64:
    return sqrt(x) + pi

fn m_log(x: Float64) -> Float64:
    return math.log(x)

fn m_logb(x: Float64, b: Float64) -> Float64:
    return math.log(x, b)

fn m_exp(x: Float64) -> Float64:
    return math.exp(x)

fn m_sin(x: Float64) -> Float64:
    return math.sin(x) + math.cos(x) + math.tan(x)

fn m_floor(x: Float64) -> Int:
    return math.floor(x) + math.ceil(x) + math.trunc(x)

fn m_atan2(y: Float64, x: Float64) -> Float64:
    return math.atan2(y, x) + math.hypot(y, x)

fn m_pow(x: Float64, y: Float64) -> Float64:
    return math.pow(x, y)

fn m_fmod(x: Float64, y: Float64) -> Float64:
    return math.fmod(x, y)

fn m_asin(x: Float64) -> Float64:
    return math.asin(x) + math.acos(x)

fn m_checks(x: Float64) -> Int:
    var r = 0
    if math.isnan(x):
        r += 1
    if math.isinf(x):
        r += 10
    if math.isfinite(x):
        r += 100
    return r

fn b_abs(x: Int, y: Float64) -> Float64:
    return abs(x) + abs(y)

fn b_minmax(a: Int, b: Int, c: Int) -> Int:
    return min(a, b, c) * 1000 + max(a, b)

fn b_fminmax(a: Float64, b: Float64) -> Float64:
    return min(a, b) - max(b, a)

fn b_int(x: Float64) -> Int:
    return int(x)

fn b_float(x: Int) -> Float64:
    return float(x) / 3

fn b_bool(x: Int) -> Bool:
    return bool(x)

fn checked_sqrt(x: Float64) raises -> Float64:
    if x < 0.0:
        raise ValueError("negative input")
    return math.sqrt(x)

fn fail_plain() raises -> Int:
    raise NotImplementedError

fn assert_pos(x: Int) -> Int:
    assert x > 0, "must be positive"
    return x

fn l_build(n: Int) -> List[Int]:
    var xs: List[Int] = []
    for i in range(n):
        xs.append(i * i)
    return xs

fn l_sum(xs: List[Float64]) -> Float64:
    var s = 0.0
    for x in xs:
        s += x
    return s

fn l_index(xs: List[Int], i: Int) -> Int:
    return xs[i]

fn l_set(n: Int, i: Int) -> List[Int]:
    var xs = [0] * n
    xs[i] = 7
    xs[-1] += 1
    return xs

fn l_repeat(n: Int) -> List[Float64]:
    return [1.5, 2.5] * n

fn l_nested(n: Int) -> List[List[Int]]:
    var m: List[List[Int]] = []
    for i in range(n):
        var row = [0] * n
        for j in range(n):
            row[j] = i * n + j
        m.append(row)
    m[0][0] = -1
    return m

fn l_copy_semantics() -> List[Int]:
    var a = [1, 2, 3]
    var b = a.copy()
    b.append(4)
    return a + b

fn l_pop(xs: List[Int], i: Int) -> Int:
    var ys = xs.copy()
    var last = ys.pop()
    var other = ys.pop(i)
    return last * 100 + other * 10 + len(ys)

fn l_minmax(xs: List[Float64]) -> Float64:
    return max(xs) - min(xs)

fn l_contains(xs: List[Int], x: Int) -> Bool:
    return x in xs and not (x + 1000 in xs)

fn l_scale(mut xs: List[Float64], k: Float64) -> None:
    for i in range(len(xs)):
        xs[i] = xs[i] * k
    xs.append(k)

fn l_grow(mut rows: List[List[Int]]) -> None:
    rows.append([len(rows)])
    rows[0].append(99)

fn l_truthy(xs: List[Int]) -> Int:
    if xs:
        return len(xs)
    return -1

fn s_concat(a: String, b: String) -> String:
    return a + ", " + b

fn s_len(a: String) -> Int:
    return len(a)

fn s_eq(a: String, b: String) -> Bool:
    return a == b or a < b

fn s_count(text: String, ch: String) -> Int:
    var n = 0
    for c in text:
        if c == ch:
            n += 1
    return n + len(text[-1])

fn s_words(n: Int) -> List[String]:
    var out: List[String] = []
    for i in range(n):
        out.append("w")
    out[0] = "first"
    return out

fn s_fail(msg: String) raises -> Int:
    raise KeyError(msg)
'''


@pytest.fixture(scope="module")
def mods():  # type: ignore[no-untyped-def]
    return compiled(SRC, "features.pys"), plain(SRC)


def check(mods, name: str, *args: object) -> None:  # type: ignore[no-untyped-def]
    native, py = mods
    got = outcome(getattr(native, name), *args)
    want = outcome(getattr(py, name), *args)
    assert agrees(got, want), (name, args, got, want)


FLOATS = [0.0, -0.0, 0.5, -0.5, 1.0, -1.0, 2.5, -2.5, 10.0, 700.0, 710.0, -1000.0, 1e308, math.inf, -math.inf, math.nan]


@pytest.mark.parametrize(
    "name", ["m_sqrt", "m_sqrt2", "m_log", "m_exp", "m_sin", "m_floor", "m_asin", "m_checks", "b_int"]
)
def test_math_unary_with_cpython_errors(mods, name: str) -> None:  # type: ignore[no-untyped-def]
    for x in FLOATS:
        check(mods, name, x)


@pytest.mark.parametrize("name", ["m_atan2", "m_pow", "m_fmod", "m_logb", "b_fminmax"])
def test_math_binary(mods, name: str) -> None:  # type: ignore[no-untyped-def]
    for x in FLOATS:
        for y in FLOATS:
            check(mods, name, x, y)


def test_builtins(mods) -> None:  # type: ignore[no-untyped-def]
    for a in (-5, 0, 3, -(2**63) + 1):
        check(mods, "b_abs", a, -2.5)
        check(mods, "b_float", a)
        check(mods, "b_bool", a)
        for b in (-1, 4):
            check(mods, "b_minmax", a, b, 2)
    check(mods, "b_abs", -(2**63), 0.0)  # abs beyond 64 bits: CPython's exact int


def test_raise_and_assert(mods) -> None:  # type: ignore[no-untyped-def]
    for x in (4.0, -1.0):
        check(mods, "checked_sqrt", x)
    check(mods, "fail_plain")
    for x in (1, 0):
        check(mods, "assert_pos", x)
    check(mods, "s_fail", "missing")


def test_lists(mods) -> None:  # type: ignore[no-untyped-def]
    check(mods, "l_build", 5)
    check(mods, "l_build", 0)
    check(mods, "l_sum", [1.0, 2.5, -0.5])
    check(mods, "l_sum", [1, 2])
    for i in (0, 2, -1, -3, 3, -4):
        check(mods, "l_index", [10, 20, 30], i)
    for i in (0, 3, -4, 4):
        check(mods, "l_set", 4, i)
    check(mods, "l_repeat", 3)
    check(mods, "l_repeat", -1)
    check(mods, "l_nested", 3)
    check(mods, "l_copy_semantics")
    for i in (0, 1, -1, 5):
        check(mods, "l_pop", [1, 2, 3, 4], i)
    check(mods, "l_pop", [], 0)
    check(mods, "l_minmax", [3.0, -1.0, 7.5])
    check(mods, "l_minmax", [])
    check(mods, "l_contains", [1, 2, 3], 2)
    check(mods, "l_contains", [1, 2, 3], 5)
    check(mods, "l_truthy", [])
    check(mods, "l_truthy", [4, 5])


def test_list_arguments_are_checked(mods) -> None:  # type: ignore[no-untyped-def]
    """A list argument that is not exactly a list of the item class runs the Python reading."""
    for xs in [(1.0,), [1.0, "x"], [1.0, 2], [True], (), "ab", None, [1.0, 2.0**53, 1]]:
        check(mods, "l_sum", xs)


def test_mut_list_parameter_writes_back(mods) -> None:  # type: ignore[no-untyped-def]
    native, py = mods
    a, b = [1.0, 2.0], [1.0, 2.0]
    native.l_scale(a, 3.0)
    py.l_scale(b, 3.0)
    assert a == b == [3.0, 6.0, 3.0]
    rows_a, rows_b = [[1], [2, 3]], [[1], [2, 3]]
    native.l_grow(rows_a)
    py.l_grow(rows_b)
    assert rows_a == rows_b


def test_strings(mods) -> None:  # type: ignore[no-untyped-def]
    check(mods, "s_concat", "a", "b")
    check(mods, "s_len", "héllo")
    for a, b in [("a", "a"), ("a", "b"), ("b", "a")]:
        check(mods, "s_eq", a, b)
    check(mods, "s_count", "banana", "a")
    check(mods, "s_count", "", "a")
    check(mods, "s_words", 3)
    check(mods, "s_words", 0)


STRUCT_SRC = '''
import math

struct Vec:
    var x: Float64
    var y: Float64

    fn __init__(out self, x: Float64, y: Float64 = 0.0):
        self.x = x
        self.y = y

    fn norm(self) -> Float64:
        return math.sqrt(self.x * self.x + self.y * self.y)

    fn scale(mut self, k: Float64) -> None:
        self.x *= k
        self.y *= k

    fn plus(self, other: Vec) -> Vec:
        return Vec(self.x + other.x, self.y + other.y)

struct Path:
    var points: List[Vec]
    var name: String

    fn __init__(out self, name: String):
        self.points = []
        self.name = name

    fn add(mut self, p: Vec) -> None:
        self.points.append(p)

    fn length(self) -> Float64:
        var total = 0.0
        for i in range(1, len(self.points)):
            var d = Vec(self.points[i].x - self.points[i - 1].x, self.points[i].y - self.points[i - 1].y)
            total += d.norm()
        return total

fn copies() -> Float64:
    var a = Vec(3.0, 4.0)
    var b = a
    b.scale(2.0)
    return a.norm() * 100.0 + b.norm()

fn make(x: Float64) -> Vec:
    var v = Vec(x)
    v.scale(2.0)
    return v.plus(Vec(1.0, 1.0))

fn total_norm(vs: List[Vec]) -> Float64:
    var t = 0.0
    for v in vs:
        t += v.norm()
    return t

fn walk(n: Int) -> Float64:
    var p = Path("walk")
    for i in range(n):
        p.add(Vec(float(i), float(i * i)))
    return p.length()

fn bump(mut v: Vec) -> None:
    v.x += 1.0
'''


@pytest.fixture(scope="module")
def smods():  # type: ignore[no-untyped-def]
    return compiled(STRUCT_SRC, "structs.pys"), plain(STRUCT_SRC)


def test_struct_value_semantics_and_methods(smods) -> None:  # type: ignore[no-untyped-def]
    native, py = smods
    # value semantics: `var b = a` copies, so a keeps its norm (5) and b is scaled (10)
    assert native.copies() == 510.0
    assert native.walk(5) == py.walk(5)
    assert native.total_norm([native.Vec(3.0, 4.0), native.Vec(0.0, 1.0)]) == 6.0


def test_struct_seen_from_python(smods) -> None:  # type: ignore[no-untyped-def]
    native, py = smods
    v = native.Vec(3.0, 4.0)
    assert (v.x, v.y) == (3.0, 4.0)
    assert v.norm() == 5.0
    v.scale(2.0)
    assert (v.x, v.y) == (6.0, 8.0)
    assert repr(v) == "Vec(x=6.0, y=8.0)"
    assert v == native.Vec(6.0, 8.0) and v != native.Vec(6.0, 8.5)
    w = native.make(1.0)
    assert type(w) is native.Vec and (w.x, w.y) == (3.0, 1.0)
    assert native.Vec(2.0).y == 0.0 and native.Vec(x=1.0, y=2.0).y == 2.0
    native.bump(v)
    assert v.x == 7.0
    p = native.Path("p")
    p.add(native.Vec(0.0, 0.0))
    p.add(native.Vec(3.0, 4.0))
    assert p.length() == 5.0 and p.name == "p" and len(p.points) == 2
    with pytest.raises(TypeError, match="missing 1 required positional argument: 'x'"):
        native.Vec()
    for args in [("a",), (1,), (True, 2)]:  # the reading's __init__: the values stored as given
        assert vars(native.Vec(*args)) == vars(py.Vec(*args))
    for xs in ([1.0], [native.Vec(1.0, 2.0), 3], []):
        got, want = outcome(native.total_norm, xs), outcome(py.total_norm, [py.Vec(1.0, 2.0), 3] if len(xs) == 2 else xs)
        assert got[0] == want[0] and (got[0] == "ok" or got[1][0] is want[1][0]), (xs, got, want)


ARITY_SRC = """
struct P:
    \"\"\"A point.\"\"\"
    var x: Float64
    var y: Float64

    fn __init__(out self, x: Float64, y: Float64):
        self.x = x
        self.y = y

    fn scaled(self, k: Float64, *, off: Float64 = 0.0) -> Float64:
        \"\"\"x times k, plus off.\"\"\"
        return self.x * k + off

fn clamp(x: Int, lo: Int = 0, hi: Int = 10) -> Int:
    \"\"\"Clamp x into [lo, hi].\"\"\"
    return min(max(x, lo), hi)
"""


def test_method_arity_messages_count_self_and_bound_methods_work() -> None:
    native, py = compiled(ARITY_SRC), plain(ARITY_SRC)
    calls = [
        lambda m: m.P(1.0, 2.0, 3.0),
        lambda m: m.P(),
        lambda m: m.P(x=1.0, y=2.0).scaled(2.0, off=1.0),
        lambda m: m.P(1.0, 2.0).scaled(2.0, 3.0),
        lambda m: m.P(1.0, 2.0).scaled(k=3.0),
        lambda m: m.P.scaled(m.P(1.0, 2.0), 2.0, off=0.5),
        lambda m: m.clamp(12, hi=5),
    ]
    for call in calls:
        assert agrees(outcome(call, native), outcome(call, py))


def test_docstrings_are_kept() -> None:
    native, py = compiled(ARITY_SRC), plain(ARITY_SRC)
    assert native.clamp.__doc__ == py.clamp.__doc__ == "Clamp x into [lo, hi]."
    assert native.P.__doc__ == py.P.__doc__ == "A point."
    assert native.P.scaled.__doc__ == py.P.scaled.__doc__
