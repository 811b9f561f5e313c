"""Scalars end to end: each case is one superset source, run compiled and as plain Python."""

from __future__ import annotations

import pytest
from codegen_support import compiled, outcome, plain, same

SRC = '''
LIMIT = 1000
SCALE: float = 0.5
NEG = -3

fn add(a: Int, b: Int) -> Int:
    return a + b

fn sub(a: Int, b: Int) -> Int:
    return a - b

fn mul(a: Int, b: Int) -> Int:
    return a * b

fn floordiv(a: Int, b: Int) -> Int:
    return a // b

fn mod(a: Int, b: Int) -> Int:
    return a % b

fn truediv(a: Int, b: Int) -> Float64:
    return a / b

fn fdiv(a: Float64, b: Float64) -> Float64:
    return a / b

fn ffloordiv(a: Float64, b: Float64) -> Float64:
    return a // b

fn fmod(a: Float64, b: Float64) -> Float64:
    return a % b

fn fpow(a: Float64, b: Float64) -> Float64:
    return a ** b

fn ipow3(a: Int) -> Int:
    return a ** 3

fn ipow2(a: Int) -> Int:
    return a ** 2

fn mixed(a: Int, b: Float64) -> Float64:
    return a * b + a - b

fn neg(a: Int) -> Int:
    return -a

fn shl(a: Int, b: Int) -> Int:
    return a << b

fn shr(a: Int, b: Int) -> Int:
    return a >> b

fn bits(a: Int, b: Int) -> Int:
    return (a & b) | (a ^ ~b)

fn chain(a: Int, b: Float64, c: Int) -> Bool:
    return a < b <= c

fn cmp_if(a: Int, b: Float64) -> Bool:
    return a == b

fn lt_if(a: Int, b: Float64) -> Bool:
    return a < b

fn logic(a: Bool, b: Bool, c: Bool) -> Bool:
    return (a and not b) or c

fn pick(a: Int, b: Int) -> Int:
    return a or b

fn sign(x: Float64) -> Int:
    if x > 0.0:
        return 1
    elif x < 0.0:
        return -1
    else:
        return 0

fn collatz(n: Int) -> Int:
    var steps = 0
    var m = n
    while m != 1:
        if m % 2 == 0:
            m = m // 2
        else:
            m = 3 * m + 1
        steps += 1
    return steps

fn sum_range(a: Int, b: Int, c: Int) -> Int:
    var s = 0
    for i in range(a, b, c):
        s += i
    return s

fn sum_to(n: Int) -> Int:
    var s = 0
    for i in range(n):
        s = s + i
    return s

fn loops(n: Int) -> Int:
    var total = 0
    for i in range(1, n):
        if i % 3 == 0:
            continue
        if i > 50:
            break
        var j = 0
        while True:
            j += 1
            if j >= i:
                break
        total += j
    return total

fn fib(n: Int) -> Int:
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)

fn is_even(n: Int) -> Bool:
    if n == 0:
        return True
    return is_odd(n - 1)

fn is_odd(n: Int) -> Bool:
    if n == 0:
        return False
    return is_even(n - 1)

fn consts(x: Float64) -> Float64:
    return x * SCALE + LIMIT + NEG

fn defaults(a: Int, b: Int = 10, *, c: Float64 = 0.25) -> Float64:
    return a + b * c

fn swap(a: Int, b: Int) -> Int:
    var x = a
    var y = b
    x, y = y, x
    return x * 10 + y

fn ternary(a: Int) -> Int:
    return a if a > 0 else -a

fn flag(b: Bool) -> Bool:
    return b

fn nothing(a: Int) -> None:
    var x = a + 1
    x += 1

fn tofloat(a: Int) -> Float64:
    return float(a)

fn cond_add(start: Int, step: Int, flags: Int) -> Int:
    var x = start
    for i in range(4):
        if (flags >> i) & 1 == 1:
            x += step
        if i == 2:
            x -= 0
    return x
'''


@pytest.fixture(scope="module")
def mods():  # type: ignore[no-untyped-def]
    return compiled(SRC, "scalars.pys"), plain(SRC)


def check(mods, name: str, *args: object, **kwargs: object) -> None:  # type: ignore[no-untyped-def]
    native, py = mods
    got = outcome(getattr(native, name), *args, **kwargs)
    want = outcome(getattr(py, name), *args, **kwargs)
    assert same(got, want), (name, args, got, want)


INTS = [0, 1, -1, 7, -7, 3, -3, 2**62, -(2**62), 2**63 - 1, -(2**63)]
FLOATS = [0.0, -0.0, 1.5, -1.5, 3.0, -2.0, 1e308, float("inf"), float("-inf"), float("nan"), 1e-300]


@pytest.mark.parametrize("name", ["floordiv", "mod"])
def test_floor_division_and_modulo(mods, name: str) -> None:  # type: ignore[no-untyped-def]
    for a in INTS:
        for b in INTS:
            check(mods, name, a, b)


def test_int_min_floordiv_minus_one_is_the_exact_int(mods) -> None:  # type: ignore[no-untyped-def]
    check(mods, "floordiv", -(2**63), -1)  # beyond 64 bits: the native run deopts to the reading
    assert mods[0].floordiv(-(2**63), -1) == 2**63


@pytest.mark.parametrize("name", ["add", "sub", "mul"])
def test_checked_arithmetic_never_wraps(mods, name: str) -> None:  # type: ignore[no-untyped-def]
    for a in INTS:
        for b in INTS:
            check(mods, name, a, b)  # a result beyond 64 bits is CPython's exact int


def test_true_division(mods) -> None:  # type: ignore[no-untyped-def]
    for a in INTS + [2**53 + 1, 3**39]:
        for b in INTS + [2**53 + 1]:
            check(mods, "truediv", a, b)


@pytest.mark.parametrize("name", ["fdiv", "ffloordiv", "fmod", "fpow"])
def test_float_ops(mods, name: str) -> None:  # type: ignore[no-untyped-def]
    for a in FLOATS:
        for b in FLOATS:
            check(mods, name, a, b)  # a negative base, a fractional exponent: CPython's complex


def test_powers(mods) -> None:  # type: ignore[no-untyped-def]
    for a in [0, 1, -1, 2, -2, 3, 1000, 2**21, 2**21 + 1, -(2**21) - 1, 3037000499, 3037000500]:
        for name in ("ipow3", "ipow2"):
            check(mods, name, a)


def test_negative_base_fractional_power_is_cpythons_complex(mods) -> None:  # type: ignore[no-untyped-def]
    check(mods, "fpow", -8.0, 1 / 3)
    assert isinstance(mods[0].fpow(-8.0, 1 / 3), complex)


def test_unary_shift_bits(mods) -> None:  # type: ignore[no-untyped-def]
    native, py = mods
    for a in INTS:
        check(mods, "neg", a)
        for b in [0, 1, 5, 62, 63, 64, 100, -1]:
            check(mods, "shl", a, b)
            check(mods, "shr", a, b)
        for b in INTS:
            check(mods, "bits", a, b)


def test_comparisons_exact_between_int_and_float(mods) -> None:  # type: ignore[no-untyped-def]
    ints = INTS + [2**53 + 1, 2**53, -(2**53) - 1]
    floats = FLOATS + [2.0**53, 2.0**63, -(2.0**63), 9007199254740992.0]
    for a in ints:
        for b in floats:
            check(mods, "cmp_if", a, b)
            check(mods, "lt_if", a, b)
            check(mods, "chain", a, b, 5)


def test_logic_and_control_flow(mods) -> None:  # type: ignore[no-untyped-def]
    for a in (True, False):
        for b in (True, False):
            for c in (True, False):
                check(mods, "logic", a, b, c)
    for a, b in [(0, 5), (3, 5), (0, 0), (-1, 0)]:
        check(mods, "pick", a, b)
    for x in FLOATS:
        check(mods, "sign", x)
    for n in (1, 6, 27, 97):
        check(mods, "collatz", n)
    for args in [(0, 10, 1), (10, 0, -1), (0, 10, 3), (5, 5, 1), (-5, 5, 2), (0, 10, -1), (0, 1, 0)]:
        check(mods, "sum_range", *args)
    for n in (0, 1, 100):
        check(mods, "sum_to", n)
        check(mods, "loops", n)
    check(mods, "sum_range", 2**63 - 3, 2**63 - 1, 5)


def test_calls_recursion_constants_defaults(mods) -> None:  # type: ignore[no-untyped-def]
    check(mods, "fib", 20)
    check(mods, "is_even", 11)
    check(mods, "is_odd", 11)
    check(mods, "consts", 2.0)
    for args, kwargs in [((1,), {}), ((1, 2), {}), ((1,), {"c": 2.0}), ((), {"a": 1, "b": 3}), ((1, 2, 3), {}),
                         ((1,), {"d": 1}), ((), {}), ((1,), {"a": 2}), ((1,), {"b": 2, "c": 1.0})]:
        check(mods, "defaults", *args, **kwargs)
    check(mods, "swap", 1, 2)
    check(mods, "ternary", -4)
    check(mods, "nothing", 3)
    assert mods[0].tofloat(3) == 3.0


def test_conditional_update_overflows_only_when_taken(mods) -> None:  # type: ignore[no-untyped-def]
    for start in (0, 2**63 - 1, -(2**63), 5):
        for step in (1, -1, 2**62):
            for flags in range(16):
                check(mods, "cond_add", start, step, flags)


def test_runaway_recursion_is_a_recursion_error_not_a_crash() -> None:
    src = """
fn down(n: Int) -> Int:
    if n == 0:
        return 0
    return 1 + down(n - 1)

fn ping(n: Int) -> Int:
    return pong(n + 1)

fn pong(n: Int) -> Int:
    return ping(n + 1)
"""
    native, py = compiled(src), plain(src)
    assert native.down(500) == py.down(500) == 500
    for f in (native.down, py.down):
        with pytest.raises(RecursionError, match="maximum recursion depth exceeded"):
            f(10**6)
    with pytest.raises(RecursionError, match="maximum recursion depth exceeded"):
        native.ping(0)
    assert native.down(500) == 500  # the depth count is back to zero after an error


def test_wrapper_rejects_bad_arguments(mods) -> None:  # type: ignore[no-untyped-def]
    """Arguments beyond the compiled classes run the Python reading: the def's result or exception."""
    for args in [("x", 1), (1.0, 1), (2**64, 1), (True, True), ([], 1), ("a", "b"), (None, 1)]:
        check(mods, "add", *args)
    for args in [(1.0, "2"), (1, 4), (True, 2.0), (2**80, 3), (1.0, 0)]:
        check(mods, "fdiv", *args)
    for b in (None, True, False, 1, 0, 2.5, "", [1]):
        check(mods, "flag", b)


def test_mixed_module_plain_python_shares_namespace() -> None:
    src = '''
import math

fn square(x: Float64) -> Float64:
    return x * x

def norm(a, b):
    return math.sqrt(square(a) + square(b))

class Box:
    def area(self, s):
        return square(s)

RESULT = norm(3.0, 4.0)
'''
    m = compiled(src)
    assert m.RESULT == 5.0
    assert m.Box().area(3.0) == 9.0
    assert type(m.square).__name__ == "compiled_function"  # fn_objects.py
