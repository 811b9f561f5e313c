"""The first law at the door: a compiled fn gives every caller what the def gives (issue 14).

Native code runs only for arguments of exactly the compiled classes; any other call runs the fn's
Python reading, and a native run that cannot finish as the reading would (a 64-bit overflow, a
recursion deeper than the stack) deopts to it. Each test compares with the same source run as plain
Python by CPython: result (value and class), exception type and message, and what happened to the
arguments.
"""

from __future__ import annotations

import math
import sys
from typing import Any

import codegen_support as support
from codegen_support import compiled, outcome, plain, same
from hypothesis import given, settings
from hypothesis import strategies as st

SRC = '''
struct P:
    var x: Float64
    var y: Float64

    fn __init__(out self, x: Float64, y: Float64):
        self.x = x
        self.y = y

    fn norm2(self) -> Float64:
        return self.x * self.x + self.y * self.y

    fn shift(mut self, d: Float64) -> None:
        self.x += d

fn ident(x: Int) -> Int:
    return x

fn fident(x: Float64) -> Float64:
    return x

fn half(x: Int) -> Int:
    return x // 2

fn power(b: Int, e: Int, m: Int) -> Int:
    var r = 1
    var k = 0
    while k < e:
        r = (r * b) % m
        k += 1
    return r

fn square(x: Int) -> Int:
    return x * x

fn flag(b: Bool) -> Bool:
    return b

fn first(s: String) -> String:
    return s[0]

fn total(xs: List[Int]) -> Int:
    var t = 0
    for x in xs:
        t += x
    return t

fn ftotal(xs: List[Float64]) -> Float64:
    var t = 0.0
    for x in xs:
        t += x
    return t

fn scale(mut xs: List[Float64], k: Float64) -> None:
    for i in range(len(xs)):
        xs[i] *= k

fn push_and_len(mut dst: List[Int], src: List[Int]) -> Int:
    dst.append(1)
    return len(src)

fn grow_rows(mut grid: List[List[Int]]) -> Int:
    for i in range(len(grid)):
        grid[i].append(len(grid[i]))
    return len(grid)

fn shift_all(mut ps: List[P], d: Float64) -> None:
    for i in range(len(ps)):
        ps[i].x += d

fn norms(ps: List[P]) -> Float64:
    var t = 0.0
    for i in range(len(ps)):
        t += ps[i].norm2()
    return t

fn fill_then_square(mut xs: List[Int], v: Int) -> Int:
    xs.append(v)
    return v * v * v

fn copy_rows(grid: List[List[Int]]) -> List[List[Int]]:
    var out = grid
    out[0].append(7)
    return out

fn has(xs: List[Float64], x: Float64) -> Bool:
    return x in xs

fn has_made(x: Float64) -> Bool:
    var xs = [1.0, x]
    return x in xs and not (x * 1.0 in xs)

fn late(x: Int) -> Int:
    var y: Int
    if x > 0:
        y = x
    return y
'''

NATIVE = compiled(SRC, "guards.pys")
PLAIN = plain(SRC)


class MyInt(int):
    def __add__(self, other: object) -> str:  # type: ignore[override]
        return "MyInt.__add__"


class MyFloat(float):
    pass


class MyList(list):  # type: ignore[type-arg]
    pass


def snapshot(value: Any) -> Any:
    """What a caller can see of an argument afterwards (lists and struct objects by content)."""
    if isinstance(value, list):
        return (type(value).__name__, [snapshot(v) for v in value])
    if hasattr(value, "__dict__") and type(value).__name__ == "P":
        return ("P", {k: snapshot(v) for k, v in vars(value).items()})
    if isinstance(value, float) and math.isnan(value):
        return ("nan",)
    return (type(value).__name__, repr(value))


def shape(mod: Any, value: Any) -> Any:
    """value with P placeholders made into mod's P (same field values, no aliasing across modules)."""
    if isinstance(value, tuple) and value and value[0] == "P!":
        return mod.P(value[1], value[2])
    if isinstance(value, list):
        return type(value)(shape(mod, v) for v in value)
    return value


def differential(name: str, *args: Any) -> None:
    """The fn of both modules on equal arguments: outcomes and argument effects agree."""
    results = []
    for mod in (NATIVE, PLAIN):
        fresh = [shape(mod, a) for a in args]
        got = outcome(getattr(mod, name), *fresh)
        if got[0] == "ok" and type(got[1]).__name__ == "P":
            got = ("ok", snapshot(got[1]))
        results.append((got, [snapshot(a) for a in fresh]))
    (got, after_n), (want, after_p) = results
    assert same(got, want) or (got[0] == want[0] == "ok" and snapshot(got[1]) == snapshot(want[1])), (name, args, got, want)
    assert after_n == after_p, (name, args, after_n, after_p)


SCALARS = st.one_of(
    st.integers(-(2**70), 2**70),
    st.integers(-(2**63), 2**63 - 1),
    st.sampled_from([0, 1, -1, 2**63 - 1, -(2**63), 2**63, 2**64 + 1]),
    st.booleans(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([math.nan, -0.0, 2.0**53, MyInt(3), MyFloat(1.5), "", "ab", b"x", None]),
    st.text(max_size=3),
)
LISTS = st.one_of(
    st.lists(SCALARS, max_size=4),
    st.lists(st.integers(-(2**40), 2**40), max_size=4),
    st.lists(st.floats(allow_nan=True), max_size=4),
    st.lists(st.integers(-5, 5), max_size=3).map(MyList),
)
VALUES = st.one_of(SCALARS, LISTS)


@settings(max_examples=120, deadline=None)
@given(x=VALUES)
def test_scalar_fns_give_the_defs_results_for_any_argument(x: Any) -> None:
    for name in ("ident", "fident", "half", "square", "flag", "first", "total", "ftotal"):
        differential(name, x)


@settings(max_examples=80, deadline=None)
@given(b=SCALARS, e=st.integers(0, 12), m=st.one_of(st.integers(1, 2**61), st.sampled_from([2**61 - 1, 2**62 + 3])))
def test_modular_power_near_64_bits_is_exact(b: Any, e: int, m: int) -> None:
    differential("power", b, e, m)


FACTORS = st.one_of(st.integers(-(2**70), 2**70), st.floats(allow_nan=True), st.booleans(), st.sampled_from([None, "", MyInt(2)]))


@settings(max_examples=80, deadline=None)
@given(xs=LISTS, k=FACTORS)
def test_mut_lists_of_any_items_change_as_the_defs(xs: Any, k: Any) -> None:
    differential("scale", xs, k)
    differential("fill_then_square", xs, k)


def test_aliasing_across_arguments_and_items_is_cpythons() -> None:
    for mod in (NATIVE, PLAIN):
        xs = [0]
        assert (mod.push_and_len(xs, xs), xs) == (2, [0, 1])
        row = [1]
        grid = [row, row, [5]]
        assert mod.grow_rows(grid) == 3 and grid == [[1, 1, 2], [1, 1, 2], [5, 1]] and grid[0] is grid[1] is row
        p = mod.P(0.0, 1.0)
        mod.shift_all([p, p], 1.0)
        assert p.x == 2.0
        q = mod.P(1.0, 1.0)
        q.shift(0.5)
        assert q.x == 1.5
    for args in ([[1], [2]], [[]], []):
        differential("grow_rows", args)


def native_and_reading(name: str, *args: Any) -> None:
    """The native path and the Python reading itself (where the superset copies, so do both) agree."""
    results = []
    for fn in (getattr(NATIVE, name), getattr(NATIVE, f"__pm_py_{name}")):
        fresh = [shape(NATIVE, a) for a in args]
        got = outcome(fn, *fresh)
        results.append((snapshot(got[1]) if got[0] == "ok" else got, [snapshot(a) for a in fresh]))
    assert results[0] == results[1], (name, args, results)


def test_value_semantics_copy_in_the_reading_as_natively() -> None:
    for grid in ([[1], [2]], [[1], [2, 3]]):
        native_and_reading("copy_rows", grid)
    for ps in ([("P!", 3.0, 4.0)], [("P!", 1.0, 2.0), ("P!", 0.5, 0.0)], []):
        native_and_reading("norms", ps)
        native_and_reading("shift_all", ps, 1.0)
    for ps in ([("P!", 1, 2.0)], [("P!", 1.0, 2.0), 5]):  # off the native path: the def's behaviour
        differential("norms", ps)
        differential("shift_all", ps, 2)


def test_subclasses_and_conversions_are_never_applied_at_the_door() -> None:
    assert NATIVE.ident(True) is True
    assert NATIVE.ident(MyInt(2)) + 1 == "MyInt.__add__"
    assert type(NATIVE.fident(1)) is int
    assert NATIVE.square(2**40) == 2**80
    assert NATIVE.half(2**64) == 2**63
    assert type(NATIVE.fident(MyFloat(1.0))) is MyFloat
    assert NATIVE.total([1, True]) == 2 and NATIVE.total([2**70, 1]) == 2**70 + 1


def test_keyword_calls_are_guarded_after_binding() -> None:
    for kwargs in ({"b": 3, "e": 70, "m": 2**62 + 3}, {"b": True, "e": 2, "m": 5}, {"b": 2.0, "e": 3, "m": 7}):
        got, want = outcome(NATIVE.power, **kwargs), outcome(PLAIN.power, **kwargs)
        assert same(got, want), (kwargs, got, want)


def test_reading_before_assignment_is_an_unbound_local_error_off_the_native_path() -> None:
    differential("late", -1.0)  # a float takes the reading: CPython's UnboundLocalError
    got = outcome(NATIVE.late, -1.0)
    assert got[0] == "raise" and got[1][0] is UnboundLocalError


def test_reading_has_the_fns_name_and_lines() -> None:
    reading = NATIVE.__pm_py_power
    assert (reading.__name__, reading.__qualname__, reading.__code__.co_name) == ("power", "power", "power")
    assert reading.__code__.co_filename == "guards.pys"
    assert reading.__code__.co_firstlineno == SRC.splitlines().index("fn power(b: Int, e: Int, m: Int) -> Int:") + 1


RECURSION = '''
fn depth(n: Int) -> Int:
    if n == 0:
        return 0
    return depth(n - 1) + 1

fn ping(n: Int) -> Int:
    if n <= 0:
        return 0
    return pong(n - 1) + 1

fn pong(n: Int) -> Int:
    return ping(n)
'''


def run_isolated(body: str) -> str:
    """`body` in a fresh interpreter with the RECURSION module loaded as `m` and the def as `py`."""
    return support.run_isolated(RECURSION, "rec.pys", body)


def test_deep_recursion_completes_where_the_def_does() -> None:
    out = run_isolated("""
        sys.setrecursionlimit(2_000_000)
        print(m.depth(800_000), py.depth(800_000), m.ping(300_000))
    """)
    assert out.split() == ["800000", "800000", "300000"]


def test_deep_recursion_in_a_thread_with_a_small_stack() -> None:
    out = run_isolated("""
        sys.setrecursionlimit(2_000_000)
        threading.stack_size(256 * 1024)
        res = []
        def run():
            res.append((m.depth(90_000), py.depth(90_000), m.ping(40_000)))
        t = threading.Thread(target=run)
        t.start()
        t.join()
        print(*res[0])
    """)
    assert out.split() == ["90000", "90000", "40000"]


def test_recursion_error_exactly_where_the_def_raises_it() -> None:
    out = run_isolated("""
        def probe(f, n, extra):
            if extra:
                return probe(f, n, extra - 1)
            try:
                return f(n)
            except RecursionError as exc:
                return type(exc).__name__ + ": " + str(exc)
        for limit in (60, 1000, 5000):
            sys.setrecursionlimit(limit)
            for extra in (0, 7):
                for n in range(limit - 30, limit + 5):
                    for name in ("depth", "ping"):
                        a, b = probe(getattr(m, name), n, extra), probe(getattr(py, name), n, extra)
                        assert a == b, (limit, extra, n, name, a, b)
        print("same")
    """)
    assert out.split() == ["same"]


def test_nan_membership_follows_identity_then_equality() -> None:
    nan, other = float("nan"), float("nan")
    for xs, x in [([nan], nan), ([nan], other), ([1.0, other], nan), ([1.0, 2.0], nan), ([nan, 1.0], 1.0), ([], nan)]:
        assert same(outcome(NATIVE.has, xs, x), outcome(PLAIN.has, xs, x)), (xs, x)
    for x in (nan, 2.0, math.inf):
        assert same(outcome(NATIVE.has_made, x), outcome(PLAIN.has_made, x)), x


BINDINGS = '''
import math

SCALE = 3

fn scaled(x: Int) -> Int:
    return x * SCALE

fn helper(x: Int) -> Int:
    return x + 1

fn calls_helper(x: Int) -> Int:
    return helper(x) * 2

fn root(x: Float64) -> Float64:
    return math.sqrt(abs(x))

fn rec(n: Int) -> Int:
    if n == 0:
        return 0
    return rec(n - 1) + 1
'''


def test_rebound_module_names_are_seen_as_by_the_def() -> None:
    """mod.X = ..., mock.patch.object and a module-level abs: compiled callers see what defs see."""
    from unittest import mock

    native, py = compiled(BINDINGS, "bindings.pys"), plain(BINDINGS)

    def both(action: Any) -> None:
        got, want = outcome(action, native), outcome(action, py)
        assert same(got, want), (got, want)

    both(lambda m: (m.scaled(2), m.calls_helper(1), m.root(-4.0), m.rec(50)))
    for mod in (native, py):
        mod.SCALE = 10
    both(lambda m: m.scaled(2))
    for mod in (native, py):
        mod.SCALE = 3
    both(lambda m: m.scaled(2))
    for mod in (native, py):
        with mock.patch.object(mod, "helper", lambda x: 100):
            got = mod.calls_helper(1)
        assert got == 200
    both(lambda m: m.calls_helper(1))
    for mod in (native, py):
        mod.abs = lambda x: 9.0  # a module global shadows the builtin for the def
    both(lambda m: m.root(-4.0))
    for mod in (native, py):
        del mod.abs
        real, mod.rec = mod.rec, lambda n: -1000
        try:
            assert real(5) == -999  # the recursion calls whatever the name holds
        finally:
            mod.rec = real
    both(lambda m: (m.scaled(2), m.calls_helper(1), m.root(-4.0), m.rec(50)))


ISSUE = '''
fn identity(value: Float64) -> Float64:
    return value

fn cost(char: String) -> Float64:
    return 1.0

fn powmod(var b: Int, var e: Int, m: Int) -> Int:
    var r = 1
    b = b % m
    while e > 0:
        if e % 2 == 1:
            r = (r * b) % m
        b = (b * b) % m
        e = e // 2
    return r
'''


def test_the_issues_inferred_type_cases_keep_the_defs_results() -> None:
    """Types inferred from a test run are hints: other callers get what the def gave them (issue 14)."""
    native, py = compiled(ISSUE, "issue14.pys"), plain(ISSUE)
    modulus = 2**61 - 1
    for name, args in [("identity", (2**53 + 1,)), ("identity", (True,)), ("cost", (5,)), ("cost", ("a",)),
                       ("powmod", (3, 10**18, modulus)), ("powmod", (2**62 + 5, 7, 2**62 + 9))]:
        got, want = outcome(getattr(native, name), *args), outcome(getattr(py, name), *args)
        assert same(got, want), (name, args, got, want)


CALLS_RECURSIVE = """
fn fib(n: Int) -> Int:
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)

fn calls_fib(n: Int) -> Int:
    return fib(n) + 1

fn calls_calls_fib(n: Int) -> Int:
    return calls_fib(n) * 2
"""


def test_a_fn_calling_a_recursive_fn_stays_native() -> None:
    """A call from Python into a fn that only calls a recursive one sets the recursion budget too: without it
    the recursive callee found no budget and every such call ran the Python reading (100x slower). The
    reading is Python code, so a profile function sees its frames; the native path has none."""
    m = compiled(CALLS_RECURSIVE, "callsrec.pys")
    py = plain(CALLS_RECURSIVE)
    seen: list[str] = []

    def profile(frame: Any, event: str, arg: Any) -> None:
        if event == "call" and frame.f_code.co_name in ("fib", "calls_fib", "calls_calls_fib"):
            seen.append(frame.f_code.co_name)

    sys.setprofile(profile)
    try:
        got = [m.calls_fib(15), m.calls_calls_fib(12), m.fib(10)]
    finally:
        sys.setprofile(None)
    assert got == [py.calls_fib(15), py.calls_calls_fib(12), py.fib(10)]
    assert seen == []
