"""An exception leaving compiled fns carries one traceback entry per fn, as CPython's frames (F14).

Each case runs the compiled module and its plain-Python twin (the same text with the superset
marks removed, compiled under the same file name, so line numbers agree) and compares what
`traceback.extract_tb` shows below the caller: file, function name, line and source line.
"""

from __future__ import annotations

import sys
import traceback
import types
from collections.abc import Callable
from typing import Any

import pytest
from codegen_support import parse, plain_python

from pymigrate.codegen import compile_module
from pymigrate.runtime import jit

SRC = '''
fn div(a: Int, b: Int) -> Int:
    return a // b

fn outer(a: Int,
         b: Int) -> Int:
    var x: Int = 1
    x = (a +
         div(a, b))
    return x

fn pick(xs: List[Int], i: Int) -> Int:
    var t: Int = 0
    t = (xs[0] +
         xs[i])
    return t

fn grow(mut xs: List[Int], v: Int) -> None:
    xs.append(v)
    assert v >= 0, "negative"

fn countdown(n: Int) -> Int:
    var k: Int = n
    while 10 // k > 0:
        k -= 1
    return k

fn rec(n: Int) -> Int:
    if n == 0:
        raise ValueError("bottom")
    return rec(n - 1) + 1

fn big(a: Int) -> Int:
    return a * a * a

struct Box:
    var n: Int

    fn __init__(out self, n: Int):
        self.n = n

    fn take(mut self, k: Int) -> Int:
        if k > self.n:
            raise ValueError("not enough")
        self.n -= k
        return self.n

fn use_box(b: Box, k: Int) -> Int:
    var c: Box = b
    return c.take(k)
'''

CALLS: dict[str, Callable[[Any], Any]] = {
    "direct": lambda m: m.div(1, 0),
    "nested_multiline": lambda m: m.outer(1, 0),
    "multiline_subscript": lambda m: m.pick([1, 2], 5),
    "assert_after_mut": lambda m: m.grow([1], -1),
    "while_condition": lambda m: m.countdown(3),
    "recursion": lambda m: m.rec(3),
    "method": lambda m: m.Box(1).take(5),
    "method_from_fn": lambda m: m.use_box(m.Box(1), 5),
    "keyword_call": lambda m: m.div(a=1, b=0),
}


@pytest.fixture(scope="module")
def modules(tmp_path_factory: pytest.TempPathFactory) -> tuple[types.ModuleType, types.ModuleType]:
    path = tmp_path_factory.mktemp("tb") / "tbmod.pys"
    path.write_text(SRC)  # linecache reads the source lines from here for both modules
    comp = types.ModuleType("tbmod")
    comp.__file__ = str(path)
    sys.modules["tbmod"] = comp  # imported as a module is, so struct classes find their module
    jit.load(compile_module(parse(SRC, str(path)), "tbmod"), comp)
    orig = types.ModuleType("tbmod_plain")
    orig.__dict__.update(Int=int, Float64=float, Bool=bool, String=str)
    exec("from typing import List", orig.__dict__)
    exec(compile(plain_python(SRC), str(path), "exec"), orig.__dict__)
    return comp, orig


def entries(call: Callable[[Any], Any], module: types.ModuleType) -> tuple[str, str, list[tuple[str, str, int | None, str | None]]]:
    try:
        call(module)
    except Exception as exc:  # noqa: BLE001 - the exception and its traceback are the behaviour
        frames = traceback.extract_tb(exc.__traceback__)
        assert [f.name for f in frames[:2]] == ["entries", "<lambda>"]  # the callers' frames come first
        return type(exc).__name__, str(exc), [(f.filename, f.name, f.lineno, f.line) for f in frames[2:]]
    raise AssertionError("the call did not raise")


@pytest.mark.parametrize("case", sorted(CALLS))
def test_traceback_entries_match_cpython(modules: tuple[types.ModuleType, types.ModuleType], case: str) -> None:
    comp, orig = modules
    got_type, _, got = entries(CALLS[case], comp)
    if case == "overflow":  # Int raises where CPython makes a big int: the fn's entry is still there
        assert got_type == "OverflowError"
        line = SRC.splitlines().index("    return a * a * a") + 1
        assert got == [(comp.__file__, "big", line, "return a * a * a")]
        return
    want_type, _, want = entries(CALLS[case], orig)
    assert got_type == want_type
    assert got == want
    assert got and all(f[0].endswith("tbmod.pys") for f in got)


def test_repeated_raises_reuse_the_entry_and_keep_the_exception(modules: tuple[types.ModuleType, types.ModuleType]) -> None:
    comp, _ = modules
    for _ in range(3):
        with pytest.raises(ZeroDivisionError, match="integer division or modulo by zero") as info:
            comp.outer(2, 0)
        assert [(f.name, f.lineno) for f in traceback.extract_tb(info.value.__traceback__)[1:]] == [
            ("outer", 9), ("div", 3),
        ]
    xs = [1]
    with pytest.raises(AssertionError, match="negative"):
        comp.grow(xs, -1)
    assert xs == [1, -1]  # the mut write-back on the error exit still happens


def test_a_result_beyond_64_bits_is_the_exact_int_without_a_traceback(modules: tuple[types.ModuleType, types.ModuleType]) -> None:
    comp, orig = modules
    assert comp.big(2**40) == orig.big(2**40) > 2**63  # the native overflow deopts to the Python reading
