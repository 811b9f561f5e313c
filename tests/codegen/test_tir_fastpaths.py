"""The object tier's fast paths (tir/fastpaths.py, chosen by passes/specialize.py) and the dropped
unbound-local tests (passes/definite.py) against CPython: each fn runs the operations that have a
fast path, called with every pair of values that take it (compact exact ints, exact lists, tuples
and their iterators, exact strs in f-strings, list.append) and that must leave it (ints past one
30-bit digit, bools, subclasses of int, str, list and tuple that override the operation, including
__format__ and append, objects with __index__, __eq__, __lt__, __bool__ or their own append, zero
divisors, negative and out-of-range indices); results, exceptions, traceback lines, the arguments
afterwards and reference counts compared with the def's."""

from __future__ import annotations

import copy
import gc
import itertools
import sys
import types
from typing import Any

import pytest
from codegen_support import compiled, plain_python
from test_tir_object_tier import _compare_growth, cold, run

from pymigrate.codegen.tir import tir_text

SOURCE = '''
fn arith(a: object, b: object) -> object:
    x = a
    x += b
    y = a
    y -= b
    z = a
    z *= b
    return (a + b, a - b, a * b, x, y, z)

fn divide(a: object, b: object) -> object:
    q = a
    q //= b
    r = a
    r %= b
    return (a // b, a % b, q, r)

fn compare(a: object, b: object) -> object:
    return (a < b, a <= b, a == b, a != b, a > b, a >= b)

fn branches(a: object, b: object) -> object:
    n = 0
    if a:
        n += 1
    if b:
        n += 2
    if a < b:
        n += 4
    if a == b:
        n += 8
    while n > 3:
        n -= 2
    return n

fn walk(a: object, b: object) -> object:
    seen = []
    for x in a:
        seen.append(x)
        if len(seen) < 4:
            a.append(b)
        elif len(seen) == 5:
            a.pop()
    return seen

fn shrink(a: object, b: object) -> object:
    seen = []
    for x in a:
        seen.append(x)
        a.clear()
    for y in (a, b, a):
        seen.append(y)
    return seen

fn index(a: object, b: object) -> object:
    return (a[b], a[0], a[-1])

fn unpack(a: object, b: object) -> object:
    p, q = a
    [r, (s, t)] = (b, a)
    return (p, q, r, s, t)

fn late(a: object, b: object) -> object:
    if a:
        v = b
    for k in b:
        w = k
    total = 0
    while total < 3:
        total += 1
        u = total
    return (v, w, u)

fn tried(a: object, b: object) -> object:
    try:
        v = a + b
        w = v * 2
    except TypeError:
        return (v, w)
    return (v, w)

fn fmt(a: object, b: object) -> object:
    return (f"{a}", f"{a}|{b!r}", f"<{b}>{a}", f"{a:}")

fn append(a: object, b: object) -> object:
    r = a.append(b)
    return (r, a.append(a), a)

fn fdiv(a: object, b: object) -> object:
    x = a
    x /= b
    return (a / b, x, a + 0.5, 0.5 * b, a - b * 1.0)

fn strs(a: object, b: object) -> object:
    return (a == b, a != b, a == "ab", "ab" != a, a < b)

fn member(a: object, b: object) -> object:
    return (a in b, a not in b, a in "abc", b in {1: 2, "ab": 3}, a in {"ab", 2}, b in frozenset((a,)))

fn keyed(a: object, b: object) -> object:
    d = {a: b}
    d[b] = a
    e = {}
    e[(a, b)] = 1
    return (d[a], d, e[(a, b)], a[b], d[(b,)])
'''


class Int(int):
    def __add__(self, other: Any) -> Any:
        return ("Int.add", int(self), other)

    def __lt__(self, other: Any) -> Any:
        return "Int.lt"

    def __bool__(self) -> bool:
        raise ValueError("Int has no truth")


class Str(str):
    def __getitem__(self, key: Any) -> Any:
        return ("Str.getitem", key)


class List(list):  # type: ignore[type-arg]
    def __getitem__(self, key: Any) -> Any:
        return ("List.getitem", key)

    def __iter__(self) -> Any:
        return iter(["own", "iter"])

    def __bool__(self) -> bool:
        return False


class Tuple(tuple):  # type: ignore[type-arg]
    def __iter__(self) -> Any:
        return iter(("tuple", "iter"))


class FmtStr(str):
    def __format__(self, spec: str) -> str:
        return "FmtStr.format"


class Appender:
    def append(self, x: Any) -> Any:
        return ("Appender.append", x)

    def __repr__(self) -> str:
        return "Appender()"


class AppendList(list):  # type: ignore[type-arg]
    def append(self, x: Any) -> None:
        super().append(("wrapped", x))


class Index:
    def __index__(self) -> int:
        return 1

    def __repr__(self) -> str:
        return "Index()"


class Eq:
    def __eq__(self, other: object) -> bool:
        return True

    def __lt__(self, other: object) -> bool:
        raise KeyError("no lt")

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        return "Eq()"


class MissingDict(dict):  # type: ignore[type-arg]
    def __missing__(self, key: Any) -> Any:
        return ("missing", key)

    def __setitem__(self, key: Any, value: Any) -> None:
        super().__setitem__(key, ("set", value))


class SetSub(set):  # type: ignore[type-arg]
    def __contains__(self, item: Any) -> bool:
        return item == "never"


class Float(float):
    def __add__(self, other: Any) -> Any:
        return ("Float.add", other)

    def __truediv__(self, other: Any) -> Any:
        return ("Float.truediv", other)

    def __lt__(self, other: Any) -> Any:
        return "Float.lt"


class EqStr(str):
    def __eq__(self, other: object) -> bool:
        return True

    __hash__ = str.__hash__


VALUES: list[Any] = [
    0, 1, -1, 2, -7, 2**30 - 1, -(2**30 - 1), 2**30, -(2**30), 2**62, -(2**63), 2**70, True, False, Int(3), Int(0),
    1.5, -0.0, "", "ab", Str("xy"), None, [], [1, 2, 3], List([4, 5]), (), (1, 2), (2**70, -1), Tuple((6, 7)),
    Index(), Eq(), [Index(), 0], FmtStr("f"), Appender(), AppendList([1]),
    {"ab": 1, (1, 2): "t", 1: "one"}, MissingDict({"ab": 2}), {1, "ab"}, frozenset(("ab", 2)), SetSub({"ab"}),
    EqStr("zz"), "b", "abc", 0.0, -2.5, 1e308, float("inf"), float("nan"), Float(2.0),
]
NAMES = [line.split("(")[0][3:] for line in SOURCE.splitlines() if line.startswith("fn ")]


@pytest.fixture(scope="module")
def mods() -> tuple[types.ModuleType, types.ModuleType]:
    mod = compiled(SOURCE, "fastpaths.pys")
    py = types.ModuleType("fastpaths_plain")
    exec(compile(plain_python(SOURCE), "fastpaths.pys", "exec"), py.__dict__)
    return mod, py


def _safe(name: str, a: Any, b: Any) -> bool:
    """Leave out a sequence repeated a huge number of times (gigabytes under CPython too)."""
    def big(v: Any) -> bool:
        return isinstance(v, int) and abs(v) > 16

    def seq(v: Any) -> bool:
        return isinstance(v, (str, list, tuple))

    return not (name == "arith" and ((seq(a) and big(b)) or (seq(b) and big(a))))


@pytest.mark.parametrize("name", NAMES)
def test_same_as_python(mods: tuple[types.ModuleType, types.ModuleType], name: str) -> None:
    mod, py = mods
    for a, b in itertools.product(VALUES, repeat=2):
        if not _safe(name, a, b):
            continue
        got = run(getattr(mod, name), copy.deepcopy((a, b)))
        want = run(cold(getattr(py, name)), copy.deepcopy((a, b)))
        assert got == want, (name, a, b)


def test_reference_counts_are_unchanged(mods: tuple[types.ModuleType, types.ModuleType]) -> None:
    mod, py = mods
    numbers = [object(), 2**40, 5, -3, 0, Int(2)]
    sequences = [object(), 1, -1, (3, 4), (object(), object()), "ab", (0, (1, 2)), {"ab": "ab"}, "b"]  # no lists: walk keeps b in a
    gc.disable()
    try:
        _compare_growth(mod, py, numbers, ["arith", "divide", "compare", "branches"])
        _compare_growth(mod, py, sequences, ["walk", "shrink", "index", "unpack", "late", "compare", "branches", "fmt",
                                             "strs", "member", "keyed"])
    finally:
        gc.enable()


def test_the_specialized_calls_are_the_helpers() -> None:
    """Every C API call with a fast path calls its helper after the specialize pass."""
    import ast

    node = ast.parse(plain_python(SOURCE)).body[NAMES.index("branches")]
    text = tir_text("branches", "branches", node)
    for helper in ("pmo.fast.istrue", "pmo.fast.richcompare", "pmo.fast.add.PyNumber_InPlaceAdd",
                   "pmo.fast.sub.PyNumber_InPlaceSubtract"):
        assert helper in text
    assert "PyObject_IsTrue(" not in text.replace("pmo.fast.istrue(", "")
    fmt = tir_text("fmt", "fmt", ast.parse(plain_python(SOURCE)).body[NAMES.index("fmt")])
    assert "pmo.fast.join_parts.3(" in fmt and "pmo.fast.join_parts.4(" in fmt
    assert fmt.count("PyTuple_New(") == 1  # the tuple returned; the f-strings join without one


def test_only_the_reads_that_may_be_unbound_are_tested() -> None:
    """`late` reads v, w and u after an if, a for and a while: each may be unbound (the body may not
    run); `tried` reads v and w in a handler the try's first op may reach; n in `branches` and
    `seen` in `walk` are stored before every read."""
    import ast

    tree = ast.parse(plain_python(SOURCE))
    late = tir_text("late", "late", tree.body[NAMES.index("late")], "definite")
    assert sorted(line.split("'")[1] for line in late.splitlines() if "UnboundLocalError" in line) == ["u", "v", "w"]
    tried = tir_text("tried", "tried", tree.body[NAMES.index("tried")], "definite")
    assert sorted(line.split("'")[1] for line in tried.splitlines() if "UnboundLocalError" in line) == ["v", "w"]
    for name in ("branches", "walk"):
        text = tir_text(name, name, tree.body[NAMES.index(name)], "definite")
        assert "UnboundLocalError" not in text, name


RECURSIVE = '''
fn down(n: object) -> object:
    return down(n)
'''


def test_unbounded_recursion_raises_recursion_error() -> None:
    """Py_EnterRecursiveCall reports the limit with 1 (not a negative number): the guard's test is
    `!= 0`, else the recursion ran until the C stack overflowed."""
    mod = compiled(RECURSIVE, "down.pys")
    py = types.ModuleType("down_plain")
    exec(compile(plain_python(RECURSIVE), "down.pys", "exec"), py.__dict__)
    got, want = run(mod.down, (1,)), run(py.down, (1,))
    assert got[1] is want[1] is RecursionError
    assert got[2] == want[2] == "maximum recursion depth exceeded"
    assert sys.getrecursionlimit() > 50


BUILTINS_SOURCE = '''
fn sized(a: object, b: object) -> object:
    return (len(a), isinstance(a, b))
'''


class Sized:
    def __init__(self, n: Any) -> None:
        self.n = n

    def __len__(self) -> Any:
        if isinstance(self.n, type):  # a new exception per call: its traceback is compared
            raise self.n("len")
        return self.n


class Meta(type):
    def __instancecheck__(cls, obj: Any) -> bool:
        return obj == "claimed"


class Claims(metaclass=Meta):
    pass


def test_len_and_isinstance_are_the_builtins_while_bound() -> None:
    """len(x) and isinstance(x, c) call the builtins' work directly only while the global names the
    builtin module init found: a module global or a replaced builtins.len is called instead."""
    import builtins

    mod = compiled(BUILTINS_SOURCE, "sized.pys")
    py = types.ModuleType("sized_plain")
    exec(compile(plain_python(BUILTINS_SOURCE), "sized.pys", "exec"), py.__dict__)
    values = ["", "abc", "\u00e9\u20ac", [1], (1, 2, 3), {1: 2}, {1, 2}, Str("xy"), List([1, 2]), Sized(3),
              Sized(-1), Sized(2**70), Sized("3"), Sized(KeyError), Sized(True), 5, None, "claimed"]
    classes = [str, list, int, (dict, set), Claims, 5, (int, "x"), type, object]

    def compare() -> None:
        for a in values:
            for c in classes:
                assert run(mod.sized, (a, c)) == run(cold(py.sized), (a, c)), (a, c)

    compare()
    for m in (mod, py):
        m.len = lambda o: ("module len", o)  # type: ignore[attr-defined]
        m.isinstance = lambda o, c: "module isinstance"  # type: ignore[attr-defined]
    compare()
    for m in (mod, py):
        del m.len, m.isinstance  # type: ignore[attr-defined]
    saved = builtins.len
    builtins.len = lambda o: ("builtins len", o)
    try:
        compare()
    finally:
        builtins.len = saved
    compare()


DIRECT_SOURCE = '''
fn half(x: object) -> object:
    return x // 2

fn pair(x: object, y: object = 1) -> object:
    return (x, y, x / y)

fn chain(n: object) -> object:
    if n <= 0:
        return pair(n, n)
    return chain(half(n)) if n % 3 else (half(n), pair(n), pair(n, 3))

fn calls(n: object) -> object:
    return (chain(n), half(n), pair(n, 2))

fn again(n: object) -> object:
    return again(n)
'''


def test_calls_between_object_fns_enter_the_body_while_the_global_is_the_fn() -> None:
    """A call of a same-module object fn with every parameter by position enters its body directly;
    rebound (a module global replaced, a wrapper put in its place) the new object is called; errors
    keep CPython's messages and traceback entries, recursion its RecursionError."""
    from pymigrate.codegen import compile_module
    from pymigrate.superset import parse

    llvm_ir = compile_module(parse(DIRECT_SOURCE, "direct.pys"), "direct").llvm_ir
    chain = llvm_ir[llvm_ir.index('define internal ptr @"pmo.fn.chain"'):]
    chain = chain[:chain.index("\n}\n")]
    assert 'call ptr @"pmo.fn.half"' in chain and 'call ptr @"pmo.fn.chain"' in chain
    assert 'call ptr @"pmo.fn.pair"(ptr' in chain  # pair(n, n) and pair(n, 3); pair(n) goes through its binder
    mod = compiled(DIRECT_SOURCE, "direct.pys")
    py = types.ModuleType("direct_plain")
    exec(compile(plain_python(DIRECT_SOURCE), "direct.pys", "exec"), py.__dict__)
    values = [0, 1, 7, 12, 2**70, -5, 2.5, "s", None, Int(9)]

    def compare() -> None:
        for v in values:
            for name in ("calls", "chain"):
                assert run(getattr(mod, name), (v,)) == run(cold(getattr(py, name)), (v,)), (name, v)

    compare()
    for m in (mod, py):
        m.half = lambda x: ("rebound half", x)
        m.pair = lambda *a, inner=m.pair: ("wrapped pair", inner(*a))
    compare()
    for m in (mod, py):
        del m.half
    compare()  # NameError from inside chain, as the def
    got, want = run(mod.again, (1,)), run(py.again, (1,))
    assert got[1] is want[1] is RecursionError and got[2] == want[2]
