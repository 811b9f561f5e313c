"""The object tier's `*`/`**` unpacking (calls, displays) and `import` inside a fn, against CPython: the
same source compiled and run as plain Python, compared call by call (result, exception class and
message, the fn's traceback entries, the arguments afterwards)."""

from __future__ import annotations

import gc
import itertools
import sys
import types
from typing import Any

import pytest
from codegen_support import compiled, plain_python
from test_tir_object_tier import compare_on_pairs, run


def compiled_and_plain(source: str, filename: str) -> tuple[types.ModuleType, types.ModuleType]:
    """`source` compiled, and run by CPython as plain Python in a module of the same name (messages
    naming a module-level function show the module)."""
    mod = compiled(source, filename)
    py = types.ModuleType(mod.__name__)
    exec(compile(plain_python(source), filename, "exec", dont_inherit=True), py.__dict__)  # its own futures only
    return mod, py

UNPACK = '''
def callee(*args, **kwargs):
    return (args, sorted(kwargs.items(), key=repr))

fn star(a: object, b: object) -> object:
    return callee(*a)

fn star_kw(a: object, b: object) -> object:
    return callee(*a, **b)

fn mixed(a: object, b: object) -> object:
    return callee(1, *a, 2, *b, k=3)

fn kw_runs(a: object, b: object) -> object:
    return callee(x=1, **a, y=2, **b)

fn kw_only(a: object, b: object) -> object:
    return callee(**a)

fn method(a: object, b: object) -> object:
    return a.count(*b)

fn builtin(a: object, b: object) -> object:
    return max(*a, **b)

LOG = []

def note(x):
    LOG.append(x if type(x) is not type(iter([])) else "iter")
    return x

fn order(a: object, b: object) -> object:
    LOG.clear()
    try:
        callee(note(1), *note(a), k=note(2), **note(b))
    except TypeError:
        pass
    return list(LOG)

fn displays(a: object, b: object) -> object:
    return ([*a, 1, *b], (*a, *b), (0, *a), {*a, 2, *b}, {**b, 1: 2}, {1: 0, **b, 2: 3})

fn subscript(a: object, b: object) -> object:
    return b[*a]
'''

VALUES: list[Any] = [
    (), (1, 2), [3], "ab", 5, None, {"x": 9}, {"y": 1, "k": 0}, {1: 2}, {"a": 1, "x": 2}, range(3), {7, 8},
    b"z", {"key": [1]},
]


@pytest.fixture(scope="module")
def unpack_mods() -> tuple[types.ModuleType, types.ModuleType]:
    return compiled_and_plain(UNPACK, "unpack.pys")


@pytest.mark.parametrize("name", ["star", "star_kw", "mixed", "kw_runs", "kw_only", "method", "builtin", "displays",
                                  "subscript"])
def test_unpacking_is_cpythons(unpack_mods: tuple[types.ModuleType, types.ModuleType], name: str) -> None:
    mod, py = unpack_mods
    assert type(getattr(mod, name)).__name__ == "compiled_function"
    assert compare_on_pairs(mod, py, name, list(itertools.product(VALUES, repeat=2)), run) == len(VALUES) ** 2


def test_unpacking_messages_name_the_callee(unpack_mods: tuple[types.ModuleType, types.ModuleType]) -> None:
    """The exact texts CPython builds from the callee (its qualified name) and the argument's class."""
    mod, _ = unpack_mods
    expected: list[tuple[str, tuple[Any, Any], str]] = [
        ("star", (5, None), "MOD.callee() argument after * must be an iterable, not int"),
        ("mixed", (5, ()), "Value after * must be an iterable, not int"),
        ("kw_only", (5, None), "MOD.callee() argument after ** must be a mapping, not int"),
        ("kw_runs", ({"y": 1}, {}), "MOD.callee() got multiple values for keyword argument 'y'"),
        ("kw_runs", ({}, {"x": 1}), "MOD.callee() got multiple values for keyword argument 'x'"),
        ("builtin", ((1,), 3), "max() argument after ** must be a mapping, not int"),
        ("displays", ((), 3), "Value after * must be an iterable, not int"),
    ]
    for name, args, message in expected:
        outcome = run(getattr(mod, name), args)
        assert outcome[:3] == ("raise", TypeError, message.replace("MOD", mod.__name__)), (name, args)


def test_evaluation_order_with_unpacking(unpack_mods: tuple[types.ModuleType, types.ModuleType]) -> None:
    """`*x` alone is made a tuple after the keywords are evaluated, as CALL_FUNCTION_EX does."""
    mod, py = unpack_mods
    for a, b in [((1,), {"k": 1}), (5, {}), ((), 3), (iter([1]), {"z": 0})]:
        assert mod.order(a, b) == py.order(a, b)


IMPORTS = '''
fn imports(a: object) -> object:
    import os.path
    import os.path as p
    from collections import OrderedDict as OD, deque
    from json import decoder
    return (os.sep, p.join("a", a), OD.__name__, deque.__name__, decoder.__name__)

fn missing_name(a: object) -> object:
    from os import nothing_here_pm
    return nothing_here_pm

fn missing_module(a: object) -> object:
    import no_such_module_pm
    return a

fn relative(a: object) -> object:
    from . import x
    return x

fn submodule_fallback(a: object) -> object:
    from pm_fake_pkg import sub
    return sub
'''


def _import_outcome(fn: Any, *args: Any) -> tuple[Any, ...]:
    try:
        return ("ok", fn(*args))
    except ImportError as exc:
        return ("raise", type(exc), str(exc), exc.name, exc.path)


def test_import_in_a_fn_is_the_bytecodes() -> None:
    import sys

    mod, py = compiled_and_plain(IMPORTS, "imports.pys")
    fake = types.ModuleType("pm_fake_pkg")  # `sub` only in sys.modules: IMPORT_FROM's fallback finds it
    sub = types.ModuleType("pm_fake_pkg.sub")
    sys.modules["pm_fake_pkg"], sys.modules["pm_fake_pkg.sub"] = fake, sub
    try:
        for name in ("imports", "missing_name", "missing_module", "relative", "submodule_fallback"):
            assert type(getattr(mod, name)).__name__ == "compiled_function"
            assert _import_outcome(getattr(mod, name), "b") == _import_outcome(getattr(py, name), "b"), name
        assert mod.submodule_fallback(1) is sub
        del sys.modules["pm_fake_pkg.sub"]
        got, want = _import_outcome(mod.submodule_fallback, 1), _import_outcome(py.submodule_fallback, 1)
        assert got == want and got[2] == "cannot import name 'sub' from 'pm_fake_pkg' (unknown location)"
    finally:
        sys.modules.pop("pm_fake_pkg", None)
        sys.modules.pop("pm_fake_pkg.sub", None)


def test_import_uses_the_builtins_import(monkeypatch: pytest.MonkeyPatch) -> None:
    """IMPORT_NAME calls builtins.__import__ with the module's globals, None, fromlist and level."""
    import builtins

    mod, py = compiled_and_plain(IMPORTS, "imports2.pys")
    seen: list[tuple[Any, ...]] = []
    real = builtins.__import__

    def spy(name: str, globals: Any = None, locals: Any = None, fromlist: Any = (), level: int = 0) -> Any:
        seen.append((name, globals is not None and globals.get("__name__"), locals, fromlist, level))
        return real(name, globals, locals, fromlist, level)

    monkeypatch.setattr(builtins, "__import__", spy)
    mod.imports("x")
    got, seen[:] = list(seen), []
    py.imports("x")
    assert [g[:1] + g[2:] for g in got] == [w[:1] + w[2:] for w in seen]
    assert got[0] == ("os.path", mod.__name__, None, None, 0) and got[2][3] == ("OrderedDict", "deque")


CLOSURES = '''
def apply(f, *args):
    return f(*args)

fn adder(a: object, b: object) -> object:
    def add(x, k=a, *, m=b) -> "ret":
        return x + a + k + m
    return (apply(add, 1), add(2, 3, m=4), add.__qualname__, add.__defaults__, add.__kwdefaults__,
            add.__annotations__, add.__name__, add.__module__ == __name__)

fn late_binding(a: object, b: object) -> object:
    fs = [lambda: i for i in a]
    gs = []
    for j in a:
        gs.append(lambda: j * b)
    hs = [lambda i=i: i for i in a]
    return ([f() for f in fs], [g() for g in gs], [h() for h in hs])

fn rebinding(a: object, b: object) -> object:
    f = lambda: a + b
    first = f()
    a = b
    return (first, f())

fn nonlocal_writes(a: object, b: object) -> object:
    total = a
    def add(x):
        nonlocal total
        total = total + x
        return total
    for x in b:
        add(x)
    return total

fn generators(a: object, b: object) -> object:
    g = (x * b for x in a if x)
    first = next(g, "empty")
    return (first, list(g), sum(x for x in (1, 2)), g.__name__, g.__qualname__)

fn nested_genexp(a: object, b: object) -> object:
    return list((x, y) for x in a for y in b)

fn unbound_capture(a: object, b: object) -> object:
    f = lambda: late
    if a:
        late = b
    return f()

fn own_read(a: object, b: object) -> object:
    def g():
        return a
    if b:
        x = 1
    return (g(), x)

fn decorated(a: object, b: object) -> object:
    calls = []
    def deco(tag):
        calls.append(("made", tag))
        def wrap(f):
            calls.append(("applied", tag, f.__name__))
            return lambda *args: (tag, f(*args))
        return wrap
    @deco("outer")
    @deco("inner")
    def g(x):
        return x + a
    return (g(b), calls)

fn recursive(a: object, b: object) -> object:
    def fact(n):
        return 1 if n <= 1 else n * fact(n - 1)
    return fact(a)

fn in_comprehension(a: object, b: object) -> object:
    return [f() for f in [lambda: x + b for x in a]]

fn raises_inside(a: object, b: object) -> object:
    def div(x):
        return x / b
    return [div(x) for x in a]

fn except_capture(a: object, b: object) -> object:
    try:
        raise ValueError(a)
    except ValueError as e:
        f = lambda: (e.args, b)
        first = f()
    try:
        return (first, f())
    except NameError as exc:
        return (first, str(exc))

fn default_order(a: object, b: object) -> object:
    log = []
    def note(x):
        log.append(x)
        return x
    def g(p=note(1), *, q=note(2)) -> note(3):
        pass
    return (log, g.__annotations__)
'''

CLOSURE_VALUES: list[Any] = [0, 1, 3, -2, 2.5, "ab", [1, 2], (0, 3), [], None, "", {1: 2}]
CLOSURE_NAMES = [line.split("(")[0][3:] for line in CLOSURES.splitlines() if line.startswith("fn ")]


@pytest.fixture(scope="module")
def closure_mods() -> tuple[types.ModuleType, types.ModuleType]:
    return compiled_and_plain(CLOSURES, "closures.pys")


@pytest.mark.parametrize("name", CLOSURE_NAMES)
def test_nested_functions_are_cpythons(closure_mods: tuple[types.ModuleType, types.ModuleType], name: str) -> None:
    """Results, exceptions and messages (an unbound captured variable's NameError, the fn's own
    UnboundLocalError), tracebacks through the inner Python functions, late binding and rebinding seen
    by inner functions, nonlocal writes seen by the fn."""
    mod, py = closure_mods
    assert type(getattr(mod, name)).__name__ == "compiled_function"
    pairs = list(itertools.product(CLOSURE_VALUES, repeat=2))
    assert compare_on_pairs(mod, py, name, pairs, run) == len(pairs)


def test_inner_functions_are_the_defs(closure_mods: tuple[types.ModuleType, types.ModuleType]) -> None:
    """An inner function is a plain Python function made from the def's code: its qualified name, its
    code's lines (a traceback through it shows the source lines), its defaults."""
    mod, py = closure_mods
    got = mod.adder(1, 2)
    assert got == py.adder(1, 2) and got[2] == "adder.<locals>.add" and got[3] == (1,)
    lines = CLOSURES.splitlines()
    at = lines.index("fn raises_inside(a: object, b: object) -> object:") + 1
    outcome = run(mod.raises_inside, ([1], 0))
    assert outcome[1] is ZeroDivisionError
    assert outcome[3] == [("raises_inside", at + 3), ("<listcomp>", at + 3), ("div", at + 2)]
    assert run(mod.unbound_capture, (0, 1))[1:3] == (
        NameError, "cannot access free variable 'late' where it is not associated with a value in enclosing scope")
    assert run(mod.own_read, (1, 0))[1:3] == (
        UnboundLocalError, "cannot access local variable 'x' where it is not associated with a value")


def _growth(fn: Any, *args: Any) -> list[int]:
    before = [sys.getrefcount(a) for a in args]
    for _ in range(30):
        try:
            fn(*args)
        except Exception:  # noqa: BLE001 - error paths must not leak either
            pass
    return [sys.getrefcount(a) - b for a, b in zip(args, before)]


def test_cells_release_what_they_hold(closure_mods: tuple[types.ModuleType, types.ModuleType]) -> None:
    mod, py = closure_mods
    probe, items = object(), [object(), object()]
    gc.collect()
    gc.disable()
    try:
        for name in ("rebinding", "late_binding", "nonlocal_writes", "generators", "in_comprehension", "recursive"):
            for args in ((probe, items), (items, probe), (items, items)):
                got = _growth(getattr(mod, name), *args)
                gc.collect()
                want = _growth(getattr(py, name), *args)
                gc.collect()
                assert got == want, (name, got, want)
    finally:
        gc.enable()


METHODS = '''
from __future__ import annotations

class Base:
    def describe(self):
        return "base"

class C(Base):
    def __init__(self, v):
        self.__v = v

    fn get(self, k: object) -> object:
        def __inner(k: int = k) -> str:
            return self.__v + k
        return (__inner(), __inner.__qualname__, __inner.__annotations__, __inner.__code__.co_qualname)

    fn supers(self) -> object:
        def inner(this):
            return super(C, this).describe()
        via_cell = lambda: __class__
        zero = lambda: super().describe  # no argument to bind: CPython's RuntimeError when called
        return (inner(self), via_cell(), zero.__code__.co_freevars)

    fn gens(self, n: object) -> object:
        return list(y * self.__v for y in range(n))
'''


def test_nested_functions_of_methods() -> None:
    """In a method: private names mangled in the inner functions, `super()` and `__class__` through the
    class cell, annotations kept as text under `from __future__ import annotations`."""
    mod, py = compiled_and_plain(METHODS, "methods_nested.pys")
    for name, args in (("get", (1,)), ("get", ("x",)), ("supers", ()), ("gens", (3,)), ("gens", (None,))):
        got = run(getattr(mod.C(2), name), args)
        want = run(getattr(py.C(2), name), args)
        assert got[:3] == want[:3], (name, args)
    assert mod.C(2).get(1)[1:] == ("C.get.<locals>.__inner", {"k": "int", "return": "str"}, "C.get.<locals>.__inner")
    assert mod.C(2).supers()[1] is mod.C
