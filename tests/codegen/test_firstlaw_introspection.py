"""Compiled fns keep the def's __doc__, signature and annotations; methods a C extension's (F13)."""

from __future__ import annotations

import copy
import inspect
import types
import typing
from typing import Any

import pytest
from codegen_support import compiled, plain_python

SRC = '''
K = 3

fn clamp(x: Int, lo: Int = 0, hi: Int = 10) -> Int:
    """Clamp x into [lo, hi]."""
    if x < lo:
        return lo
    if x > hi:
        return hi
    return x

fn nodoc(a: Float64, b: Float64 = -1.5, c: String = "a'b\\n", d: Bool = True) -> Float64:
    return a + b

fn posonly(a: Int, /, b: Int, *, c: Int = 2) -> Int:
    """Positional-only and keyword-only parameters."""
    return a + b + c

fn computed(a: Int, b: Int = K * 2) -> Int:
    """A default that is not a literal."""
    return a + b

fn unicode_doc() -> Int:
    """Ünïcode — docstring
        keeps its indentation as written."""
    return 1

struct Acc:
    """An accumulator."""
    var n: Int

    fn __init__(out self, n: Int):
        self.n = n

    fn add(mut self, v: Int, times: Int = 1) -> None:
        """Add v, times times."""
        self.n += v * times
'''


def plain_defs(source: str) -> types.ModuleType:
    """The twin as CPython runs a module: no future flags inherited from this file, so annotations are
    evaluated (`Int` is bound to `int`, as the migrator writes it)."""
    mod = types.ModuleType("firstlaw_introspection_plain")
    mod.__dict__.update(Int=int, Float64=float, Bool=bool, String=str)
    exec(compile(plain_python(source), "firstlaw_introspection.py", "exec", dont_inherit=True), mod.__dict__)
    return mod


@pytest.fixture(scope="module")
def both() -> tuple[Any, Any]:
    return compiled(SRC, "firstlaw_introspection.pys"), plain_defs(SRC)


def _unannotated(sig: inspect.Signature) -> str:
    """A builtin's text signature carries no annotations; compare everything else."""
    params = [p.replace(annotation=inspect.Parameter.empty) for p in sig.parameters.values()]
    return str(sig.replace(parameters=params, return_annotation=inspect.Signature.empty))


@pytest.mark.parametrize("name", ["clamp", "nodoc", "posonly", "unicode_doc", "computed"])
def test_doc_and_signature(both: tuple[Any, Any], name: str) -> None:
    """A module-level fn shows the def's signature, annotations and defaults (fn_objects.py)."""
    comp, orig = (getattr(m, name) for m in both)
    assert comp.__doc__ == orig.__doc__
    assert comp.__name__ == comp.__qualname__ == orig.__name__
    assert inspect.signature(comp) == inspect.signature(orig)
    assert str(inspect.signature(comp)) == str(inspect.signature(orig))
    assert typing.get_type_hints(comp) == typing.get_type_hints(orig)
    assert (comp.__defaults__, comp.__kwdefaults__) == (orig.__defaults__, orig.__kwdefaults__)
    # the signature also binds like the def's
    sig = inspect.signature(comp)
    assert sig.bind(*([1] * sum(p.default is inspect.Parameter.empty for p in sig.parameters.values())))


def test_non_literal_default_is_in_the_signature(both: tuple[Any, Any]) -> None:
    comp, orig = both[0].computed, both[1].computed
    assert str(inspect.signature(comp)) == "(a: int, b: int = 6) -> int"
    assert comp(1) == orig(1) == 7


def test_fn_object_behaves_like_a_function_by_name(both: tuple[Any, Any]) -> None:
    comp = both[0].clamp
    assert repr(comp).startswith("<function clamp at 0x")
    assert copy.copy(comp) is comp and copy.deepcopy(comp) is comp
    assert inspect.isroutine(comp) and not inspect.isfunction(comp)

    class Holder:
        f = comp  # binds as a def does: Holder().f(50) passes the instance as x
        g = both[1].clamp

    assert Holder.f(50) == Holder.g(50) == 10
    for bound in (Holder().f, Holder().g):
        with pytest.raises(TypeError):
            bound(50)
    with pytest.raises(TypeError):
        type(comp)()
    assert comp(x=3, hi=2) == 2 and comp(-3, lo=-1) == -1


def test_unevaluable_annotation_leaves_the_signature_unannotated() -> None:
    """A migrator-written annotation naming a struct declared later cannot be evaluated at the def."""
    m = compiled(
        "fn first(p: Later) -> Int:\n    return p.x\n\n"
        "struct Later:\n    var x: Int\n\n    fn __init__(out self, x: Int):\n        self.x = x\n",
        "unevaluable.pys",
    )
    assert str(inspect.signature(m.first)) == "(p)"
    assert m.first(m.Later(4)) == 4


def test_method_doc_and_signature(both: tuple[Any, Any]) -> None:
    """Methods are function objects too: the def's signature unbound and bound, docstring, hints."""
    comp, orig = both[0].Acc, both[1].Acc
    assert comp.__doc__ == orig.__doc__ == "An accumulator."
    for name in ("add", "__init__"):
        c, o = getattr(comp, name), getattr(orig, name)
        assert c.__doc__ == o.__doc__ and c.__qualname__ == o.__qualname__ and c.__name__ == o.__name__
        assert str(inspect.signature(c)) == str(inspect.signature(o))
        assert typing.get_type_hints(c) == typing.get_type_hints(o)
    assert str(inspect.signature(comp.add)) == "(self, v: int, times: int = 1) -> None"
    a, b = comp(1), orig(1)
    assert str(inspect.signature(a.add)) == str(inspect.signature(b.add)) == "(v: int, times: int = 1) -> None"
    assert repr(a.add).startswith("<bound method Acc.add of ")
    a.add(2, times=3)
    comp.add(a, 1)
    assert a.n == 8
    messages = []
    for cls in (comp, orig):
        with pytest.raises(TypeError) as info:
            cls.add()
        messages.append(str(info.value))
    assert messages[0] == messages[1] == "Acc.add() missing 2 required positional arguments: 'self' and 'v'"
