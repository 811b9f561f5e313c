"""The object tier's `*`/`**` unpacking (calls, displays) and `import` inside a fn, against CPython: the
same source compiled and run as plain Python, compared call by call (result, exception class and
message, the fn's traceback entries, the arguments afterwards)."""

from __future__ import annotations

import itertools
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
    exec(compile(plain_python(source), filename, "exec"), py.__dict__)
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
