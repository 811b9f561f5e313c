"""The wrapper's call path and the recursion ring keep CPython's behaviour and the shape that makes them fast.

Shape is checked on the LLVM IR, never by timing: static stack slots only in entry blocks (an alloca
elsewhere costs every call a frame), the compact-int read of `pm.from_py.Int`, the copies of a
self-recursive fn forced inline (the traceback call on their error exit kept LLVM from merging them).
Behaviour is checked against CPython: the same source run as plain Python.
"""

from __future__ import annotations

import re
import sys

import pytest
from codegen_support import outcome, same
from test_codegen_perf_passes import FIB, function_body, load, optimized_ir, python_twin

CALLS = '''
fn add1(x: int) raises -> int:
    return x + 1


fn twice(x: float) raises -> float:
    return x * 2.0


struct P:
    var a: int

    fn __init__(out self, a: int):
        self.a = a

    fn plus(self, y: int) raises -> int:
        return self.a + y
'''


class Sub(int):
    pass


def defines(text: str) -> list[str]:
    return re.findall(r'^define [^\n]*@"?([\w.]+)"?\(', text, flags=re.M)


def test_static_allocas_sit_in_the_entry_block_of_every_binding_function() -> None:
    _, raw = load(CALLS)
    checked = 0
    for name in defines(raw):
        if not name.startswith(("pmw.", "pm.from_py.", "pm.traceback", "pm.bind_method")):
            continue
        body = function_body(raw, name)
        blocks = re.split(r"\n(?=[\w.\"]+:)", body)[2:]  # past the define line and the entry block
        late = [line for blk in blocks for line in blk.splitlines() if "= alloca " in line and ", i64 %" not in line]
        assert late == [], (name, late)
        checked += 1
    assert checked >= 6
    # the one alloca sized by the call (a method's binder arguments) lives in its cold helper alone
    sized = [n for n in defines(raw) if re.search(r"= alloca ptr, i64 %", function_body(raw, n))]
    assert sized == ["pm.bind_method"]


def test_compact_ints_are_read_without_a_call_and_convert_like_cpython() -> None:
    mod, raw = load(CALLS)
    conv = function_body(raw, "pm.from_py.Int")
    compact = re.search(r"= mul i64 ", conv)
    slow = conv.find("@\"PyLong_AsLongLongAndOverflow\"")
    assert compact is not None and 0 < compact.start() < slow  # the call is kept for larger ints
    ns = python_twin(CALLS.split("struct")[0])
    values = [0, 1, -1, 5, -5, 2**30 - 1, -(2**30 - 1), 2**30, -(2**30), 2**31, 2**40, -(2**62), 2**63 - 2, -(2**63)]
    values += [True, False, Sub(7), Sub(-3), Sub(2**35), Sub(0)]
    # beyond 64 bits, a result beyond them, other classes: the Python reading, as the def
    values += [2**63 - 1, 2**63, 2**100, -(2**63) - 1, 1.0, 2.5, "a", None]
    for v in values:
        for name in ("add1", "twice"):
            got, want = outcome(getattr(mod, name), v), outcome(ns[name], v)
            assert same(got, want), (name, v, got, want)


def test_method_calls_through_the_binder_keep_cpythons_behaviour() -> None:
    mod, _ = load(CALLS)
    p = mod.P(3)
    assert (p.plus(4), p.plus(y=5), mod.P.plus(p, 6), mod.P.plus(p, y=7)) == (7, 8, 9, 10)
    with pytest.raises(TypeError, match=r"takes 2 positional arguments but 3 were given"):
        p.plus(1, 2)
    with pytest.raises(TypeError, match=r"got an unexpected keyword argument 'z'"):
        p.plus(z=2)
    with pytest.raises(TypeError, match=r"missing 1 required positional argument: 'y'"):
        p.plus()


def test_copies_of_a_self_recursive_fn_are_inlined_into_it() -> None:
    mod, raw = load(FIB)
    for twin in ("pmn.fib.twin1", "pmn.fib.twin2"):
        assert "alwaysinline" in function_body(raw, twin).splitlines()[0]
    assert "alwaysinline" not in function_body(raw, "pmn.fib").splitlines()[0]  # the ring stays finite
    opt = optimized_ir(raw)
    assert not re.search(r'@"?pmn\.fib\.twin\d"?\(', opt)  # inlined away: each native call runs three levels
    calls = re.findall(r'call [^\n]*@"?(pmn\.fib[\w.]*)"?\(', function_body(opt, "pmn.fib"))
    assert calls and set(calls) == {"pmn.fib"}
    ns = python_twin(FIB)
    for n in range(22):
        assert mod.fib(n) == ns["fib"](n)  # type: ignore[operator]
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(90)
    try:
        for n in (300, 301, 302):
            with pytest.raises(RecursionError):
                mod.down(n)
    finally:
        sys.setrecursionlimit(old)


def test_a_large_recursive_body_is_left_to_the_inliner() -> None:
    calls = " + ".join(f"big(n - {k})" for k in range(1, 9))
    src = f"fn big(n: int) raises -> int:\n    if n < 9:\n        return n\n    return {calls}\n"
    mod, raw = load(src)
    assert "alwaysinline" not in function_body(raw, "pmn.big.twin1").splitlines()[0]  # 1 + 8 + 64 bodies
    ns = python_twin(src)
    assert mod.big(12) == ns["big"](12)  # type: ignore[operator]


BODIES = '''
struct B:
    var x: float
    var y: float
    var m: float
    var n: int

    fn __init__(out self, x: float, y: float, m: float, n: int):
        self.x = x
        self.y = y
        self.m = m
        self.n = n


fn step(mut bodies: list[B], dt: float) raises -> None:
    for i in range(len(bodies)):
        bodies[i].x += dt * bodies[i].m
        bodies[i].n += 1


fn moved(b: B, dx: float) raises -> B:
    return B(b.x + dx, b.y, b.m, b.n)
'''


def test_struct_fields_are_written_by_one_shared_function_per_struct() -> None:
    mod, raw = load(BODIES)
    names = defines(raw)
    assert names.count("pm.set_fields.SB") == 1 and names.count("pm.set_fields.SB.fresh") == 1
    assert names.count("pm.float.match") == 1  # the F9 search: one loop over the call's float arguments
    assert "br " in function_body(raw, "pm.float.match")
    for wrapper in ("pmw.B.__init__", "pmw.step", "pmw.moved"):
        assert "PyObject_SetAttr" not in function_body(raw, wrapper)  # no field written out inline
    # behaviour (ground truth: the dataclass CPython makes of the same fields)
    x, y, dt = 0.1 + 0.2, float("nan"), 0.5
    b = mod.B(x, y, 2.0, 3)
    assert (b.x is x, b.y is y, b == b) == (True, True, True)
    bodies = [mod.B(1.0, y, 2.0, 0), mod.B(-0.0, 5.0, 0.0, 7)]
    kept = bodies[1]
    kept_y = kept.y
    mod.step(bodies, dt)
    assert [(q.x, q.n) for q in bodies] == [(2.0, 1), (0.0, 8)]
    assert bodies[1] is kept and kept.y is kept_y and bodies[0].y is y  # unchanged fields keep their objects
    assert str(bodies[1].x) == str(-0.0 + dt * 0.0)  # the sign of zero as CPython computes it
    c = mod.moved(b, 0.0)
    assert (c.x is x, c.y is y, c.n) == (True, True, 3)  # bit-identical to an argument's field: that object
