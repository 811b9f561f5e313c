"""The compiler's performance lowerings keep Python's behaviour, and have the shape that makes them pay.

Shape is checked on the LLVM IR (never by timing): shared raise helpers, error flags that are plain
i1 values after inlining, the twin body of a self-recursive fn. Behaviour is checked against CPython
(the same source run as plain Python), including the raise paths the lowerings restructure.
"""

from __future__ import annotations

import re
import sys
import types

import llvmlite.binding as llvm
import pytest

from pymigrate.codegen import compile_module
from pymigrate.codegen.target import host_target_machine, optimize
from pymigrate.runtime import jit
from pymigrate.superset import parse

SPECTRAL = '''
fn eval_a(i: int, j: int) raises -> float:
    return 1.0 / ((i + j) * (i + j + 1) // 2 + i + 1)


fn mul_av(v: list[float], mut out: list[float]) raises -> None:
    var n = len(v)
    for i in range(n):
        var s = 0.0
        for j in range(n):
            s += eval_a(i, j) * v[j]
        out[i] = s


fn row_sum(i: int, n: int) raises -> float:
    var s = 0.0
    for j in range(n):
        s += eval_a(i, j)
    return s


fn check_pos(x: int) raises -> int:
    if x < 0:
        raise ValueError("negative")
    if x > 1000:
        raise ValueError("negative")
    return x * 2
'''

FIB = '''
fn fib(n: int) raises -> int:
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


fn down(n: int) raises -> int:
    if n == 0:
        return 0
    return down(n - 1) + 1
'''

_counter = iter(range(10**6))


def load(src: str) -> tuple[types.ModuleType, str]:
    name = f"perfmod{next(_counter)}"
    compiled = compile_module(parse(src, f"{name}.pys"), name)
    mod = types.ModuleType(name)
    jit.load(compiled, mod)
    return mod, compiled.llvm_ir


def optimized_ir(llvm_ir: str) -> str:
    module = llvm.parse_assembly(llvm_ir)
    machine = host_target_machine(3)
    module.triple = machine.triple
    module.data_layout = str(machine.target_data)
    optimize(module, 3)
    return str(module)


def function_body(text: str, name: str) -> str:
    """The text of one `define` (symbol quoted or not) up to its closing brace."""
    m = re.search(r'define [^\n]*@"?' + re.escape(name) + r'"?\(', text)
    assert m is not None, name
    rest = text[m.start() :]
    return rest[: rest.index("\n}")]


def natives(text: str) -> list[str]:
    return re.findall(r'define [^\n]*@"?(pm[ni]\.[\w.]+?)"?\(', text)


def python_twin(src: str) -> dict[str, object]:
    plain = re.sub(r"^fn ", "def ", src, flags=re.M)
    plain = re.sub(r"\braises\b ", "", plain)
    plain = re.sub(r"\bmut (\w+)", r"\1", plain)
    plain = re.sub(r"^(\s*)var ", r"\1", plain, flags=re.M)
    ns: dict[str, object] = {}
    exec(compile(plain, "<twin>", "exec"), ns)
    return ns


def test_each_distinct_exception_has_one_shared_raise_helper() -> None:
    _, raw = load(SPECTRAL)
    # check_pos raises the same ValueError twice: one helper, called from both sites.
    helpers = re.findall(r'define internal void @"?(pm\.raise\.\d+)"?\(\) cold noinline', raw)
    assert len(helpers) == len(set(helpers)) >= 4  # overflow, zero division, two index errors, ValueError
    for name in helpers:  # one exception set per helper (the overflow one sets the private deopt)
        body = function_body(raw, name)
        assert body.count("PyErr_SetString") + body.count('@"pm.deopt"') == 1
    assert natives(raw)
    for name in natives(raw):  # no native sets an exception itself: each raise site calls a helper
        assert "PyErr_SetString" not in function_body(raw, name)
    called = re.findall(r'call void @"?(pm\.raise\.\d+)"?\(\)', function_body(raw, "pmi.check_pos"))
    assert len(called) == 3 and len(set(called)) == 2  # two ValueError sites share one helper; x * 2 overflows


def test_inlined_error_paths_do_not_merge_back_into_the_loop() -> None:
    _, raw = load(SPECTRAL)
    opt = optimized_ir(raw)
    # eval_a is inlined into the loops of mul_av and row_sum; its error result used to reach them as a
    # {double, i1} aggregate merged through a phi, which kept a dead flag test and a call in the loop.
    loops = "".join(function_body(opt, name) for name in ("pmw.mul_av", "pmn.row_sum"))
    assert "@pmi.eval_a" not in loops and "@pmn.eval_a" not in loops  # (eval_a's own entries may call it)
    assert "phi { double, i1 }" not in opt
    assert re.search(r"call fastcc void @pm\.raise\.\d+\(\)", opt)


def test_restructured_raise_paths_raise_what_cpython_raises() -> None:
    mod, _ = load(SPECTRAL)
    ns = python_twin(SPECTRAL)
    for n in (0, 1, 7):
        v = [float(k + 1) for k in range(n)]
        out_c, out_p = [0.0] * n, [0.0] * n
        mod.mul_av(v, out_c)
        ns["mul_av"](v, out_p)  # type: ignore[operator]
        assert out_c == out_p
    assert mod.row_sum(3, 50) == ns["row_sum"](3, 50)  # type: ignore[operator]
    # (i + j) * (i + j + 1) exceeds 64 bits: the inlined check deopts, from inside the loop, and the
    # Python reading gives CPython's exact result
    for args in ((2**32, 3), (2**62, 2)):
        assert mod.row_sum(*args) == ns["row_sum"](*args)  # type: ignore[operator]
    # (i + j) * (i + j + 1) // 2 + i + 1 == 0 for i = -1, j = 0: division by zero, as in CPython.
    with pytest.raises(ZeroDivisionError) as got:
        mod.row_sum(-1, 5)
    with pytest.raises(ZeroDivisionError) as want:
        ns["row_sum"](-1, 5)  # type: ignore[operator]
    assert str(got.value) == str(want.value)
    assert mod.check_pos(4) == 8
    for bad in (-1, 1001):
        with pytest.raises(ValueError, match="^negative$"):
            mod.check_pos(bad)


def test_self_recursive_fn_calls_a_ring_of_copies_of_its_body() -> None:
    mod, raw = load(FIB)
    ring = ["pmn.fib", "pmn.fib.twin1", "pmn.fib.twin2"]  # each copy calls the next, the last the first
    for here, following in zip(ring, ring[1:] + ring[:1]):
        calls = re.findall(r'call [^\n]*@"?(pmn\.fib[\w.]*)"?\(', function_body(raw, here))
        assert calls == [following] * 2
    ns = python_twin(FIB)
    for n in range(20):
        assert mod.fib(n) == ns["fib"](n)  # type: ignore[operator]
    assert mod.down(300) == 300


def test_twin_recursion_raises_recursion_error_at_the_limit() -> None:
    mod, _ = load(FIB)
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(120)
    try:
        # depth is counted on the fn and on its copies: every depth modulo 3 hits the limit alike
        for n in (500, 501, 502):
            with pytest.raises(RecursionError, match="maximum recursion depth exceeded"):
                mod.down(n)
        for n in (60, 61, 62):
            assert mod.down(n) == n
    finally:
        sys.setrecursionlimit(old)


COUNTERS = '''
fn count_true(flags: list[bool], start: int) raises -> int:
    var count = start
    for k in range(len(flags)):
        if flags[k]:
            count += 1
    return count


fn count_up(c: int, n: int) raises -> int:
    var x = c
    for k in range(n):
        x += 1
    return x


fn count_nested(c: int, n: int) raises -> int:
    var x = c
    for k in range(n):
        for m in range(2):
            x += 1
    return x


fn count_twice(c: int, n: int) raises -> int:
    var x = c
    for k in range(n):
        x += 1
        if k > 1:
            x += 1
    return x
'''

TOP = 2**63 - 1


def self_loop_blocks(function_text: str) -> list[str]:
    """Basic blocks that branch back to themselves (the hot loop of an unrolled or vectorized body)."""
    blocks = re.split(r"\n(?=[\w.\-]+:)", function_text)
    out = []
    for block in blocks:
        label = block.split(":", 1)[0]
        terminator = block.rstrip().rsplit("\n", 1)[-1]
        if terminator.lstrip().startswith("br ") and f"%{label}," in terminator + ",":
            out.append(block)
    return out


def test_counter_in_a_range_loop_loses_its_overflow_check() -> None:
    _, raw = load(COUNTERS)
    opt = optimized_ir(raw)
    for name in ("count_true",):  # (count_up's loop is folded to a closed form on its safe path)
        symbols = set(re.findall(r'define [^\n]*@"?([\w.]*' + name + r')"?\(', opt))
        loops = [blk for sym in symbols for blk in self_loop_blocks(function_body(opt, sym))]
        assert loops, name
        # the hot loop (taken when start + trip count fits in 64 bits) has no overflow check left
        assert any("with.overflow" not in blk for blk in loops), name


def test_counters_near_the_top_of_int_give_the_exact_int() -> None:
    mod, _ = load(COUNTERS)
    ns = python_twin(COUNTERS)
    for name, args in (("count_up", (TOP - 3, 3)), ("count_true", ([True, False, True], TOP - 2))):
        assert getattr(mod, name)(*args) == ns[name](*args) == TOP  # type: ignore[operator]
    for name, args in (("count_up", (TOP - 3, 4)), ("count_true", ([True, False, True, True], TOP - 2)),
                       ("count_nested", (TOP - 5, 3)), ("count_twice", (TOP - 5, 4))):
        assert getattr(mod, name)(*args) == ns[name](*args) > TOP  # type: ignore[operator]
    assert mod.count_true([False] * 5 + [True], TOP - 1) == TOP
    assert mod.count_nested(TOP - 6, 3) == TOP
    assert mod.count_twice(TOP - 6, 4) == TOP
    for c in (-(2**63), -5, 0, 7):
        for n in (-3, 0, 1, 9):
            for name in ("count_up", "count_nested", "count_twice"):
                assert getattr(mod, name)(c, n) == ns[name](c, n)  # type: ignore[operator]
    flags = [k % 3 == 0 for k in range(50)]
    assert mod.count_true(flags, 11) == ns["count_true"](flags, 11)  # type: ignore[operator]
