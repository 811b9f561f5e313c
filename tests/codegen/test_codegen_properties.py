"""Property test: compiled Int/Float64 arithmetic agrees with CPython on random inputs, errors included."""

from __future__ import annotations

import pytest
from codegen_support import agrees, compiled, outcome, plain
from hypothesis import given, settings
from hypothesis import strategies as st

OPS = {"add": "+", "sub": "-", "mul": "*", "floordiv": "//", "mod": "%", "truediv": "/"}
CMPS = {"lt": "<", "le": "<=", "eq": "==", "ne": "!=", "gt": ">", "ge": ">="}
KINDS = {"ii": ("Int", "Int"), "ff": ("Float64", "Float64"), "if": ("Int", "Float64"), "fi": ("Float64", "Int")}


def _source() -> str:
    lines = []
    for kind, (ta, tb) in KINDS.items():
        for name, op in OPS.items():
            ret = "Float64" if op == "/" or "Float64" in (ta, tb) else "Int"
            lines += [f"fn {name}_{kind}(a: {ta}, b: {tb}) -> {ret}:", f"    return a {op} b", ""]
        for name, op in CMPS.items():
            lines += [f"fn {name}_{kind}(a: {ta}, b: {tb}) -> Bool:", f"    return a {op} b", ""]
        if "Float64" in (ta, tb):
            lines += [f"fn pow_{kind}(a: {ta}, b: {tb}) -> Float64:", "    return a ** b", ""]
    for e in (0, 1, 2, 3, 5, 7, 13):
        lines += [f"fn ipow{e}(a: Int) -> Int:", f"    return a ** {e}", ""]
    lines += ["fn chain(a: Int, b: Float64, c: Int) -> Bool:", "    return a <= b < c", ""]
    lines += ["fn expr(a: Int, b: Int, c: Float64) -> Float64:", "    return (a * 3 - b // 7) % 11 + c / 2.0 - -a", ""]
    return "\n".join(lines)


SRC = _source()
NATIVE = compiled(SRC, "props.pys")
PLAIN = plain(SRC)

I64 = st.integers(min_value=-(2**63), max_value=2**63 - 1)
SMALL = st.integers(min_value=-1000, max_value=1000)
WIDE = st.one_of(I64, SMALL, st.sampled_from([0, 1, -1, 2**63 - 1, -(2**63), 2**53, 2**53 + 1, -(2**53) - 1]))
BIG = st.integers(min_value=-(2**70), max_value=2**70)  # crosses the 64-bit boundary of the wrapper
FLOATS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -0.0, 1.0, -1.0, 0.5, 2.0**53, 2.0**63, -(2.0**63), 1e308]),
    SMALL.map(float),
)
# beyond the compiled classes too: a bool for an Int, an int for a Float64 (the Python reading runs)
STRATS = {"Int": st.one_of(WIDE, BIG, st.booleans()), "Float64": st.one_of(FLOATS, SMALL, BIG, st.booleans())}


def agree(name: str, *args: object) -> None:
    """The compiled fn gives exactly what CPython gives for the def: value, class, exception, message."""
    got = outcome(getattr(NATIVE, name), *args)
    want = outcome(getattr(PLAIN, name), *args)
    assert agrees(got, want), (name, args, got, want)


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("op", list(OPS) + list(CMPS))
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_binary_ops_agree_with_cpython(kind: str, op: str, data: st.DataObject) -> None:
    ta, tb = KINDS[kind]
    a = data.draw(STRATS[ta])
    b = data.draw(STRATS[tb])
    agree(f"{op}_{kind}", a, b)


@pytest.mark.parametrize("kind", ["ff", "if", "fi"])
@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_float_power_agrees(kind: str, data: st.DataObject) -> None:
    ta, tb = KINDS[kind]
    # (no big ints here: an int for a Float64 runs the reading, where int ** int is exact and huge)
    powers = st.one_of(FLOATS, SMALL, st.booleans())
    a = data.draw(powers if ta == "Float64" else SMALL)
    b = data.draw(powers if tb == "Float64" else SMALL)
    agree(f"pow_{kind}", a, b)  # a negative base and a fractional exponent: CPython's complex (deopt)


@pytest.mark.parametrize("e", [0, 1, 2, 3, 5, 7, 13])
@settings(max_examples=150, deadline=None)
@given(a=st.one_of(WIDE, st.integers(-(2**22), 2**22)))
def test_int_power_agrees(e: int, a: int) -> None:
    agree(f"ipow{e}", a)


@settings(max_examples=300, deadline=None)
@given(a=WIDE, b=FLOATS, c=WIDE)
def test_chained_comparison_agrees(a: int, b: float, c: int) -> None:
    agree("chain", a, b, c)


@settings(max_examples=300, deadline=None)
@given(a=st.one_of(WIDE, BIG), b=WIDE, c=FLOATS)
def test_compound_expression_agrees(a: int, b: int, c: float) -> None:
    agree("expr", a, b, c)  # an Int intermediate beyond 64 bits: the exact int (deopt)
