"""Compiled fns and methods keep __doc__ and a signature inspect can read, as C extensions do (F13)."""

from __future__ import annotations

import inspect
from typing import Any

import pytest
from codegen_support import compiled, plain

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


@pytest.fixture(scope="module")
def both() -> tuple[Any, Any]:
    return compiled(SRC, "firstlaw_introspection.pys"), plain(SRC)


def _unannotated(sig: inspect.Signature) -> str:
    """A builtin's text signature carries no annotations; compare everything else."""
    params = [p.replace(annotation=inspect.Parameter.empty) for p in sig.parameters.values()]
    return str(sig.replace(parameters=params, return_annotation=inspect.Signature.empty))


@pytest.mark.parametrize("name", ["clamp", "nodoc", "posonly", "unicode_doc"])
def test_doc_and_signature(both: tuple[Any, Any], name: str) -> None:
    comp, orig = (getattr(m, name) for m in both)
    assert comp.__doc__ == orig.__doc__
    assert str(inspect.signature(comp)) == _unannotated(inspect.signature(orig))
    # the signature also binds like the def's
    sig = inspect.signature(comp)
    assert sig.bind(*([1] * sum(p.default is inspect.Parameter.empty for p in sig.parameters.values())))


def test_non_literal_default_has_no_signature_rather_than_a_wrong_one(both: tuple[Any, Any]) -> None:
    comp, orig = both[0].computed, both[1].computed
    assert comp.__doc__ == orig.__doc__
    with pytest.raises(ValueError):
        inspect.signature(comp)
    assert comp(1) == orig(1) == 7


def test_method_doc_and_signature(both: tuple[Any, Any]) -> None:
    comp, orig = both[0].Acc, both[1].Acc
    assert comp.__doc__ == orig.__doc__ == "An accumulator."
    assert comp.add.__doc__ == orig.add.__doc__
    # an unbound builtin method's self is positional-only, as for every C extension method
    want = _unannotated(inspect.signature(orig.add)).replace("self", "self, /", 1)
    assert str(inspect.signature(comp.add)) == want == "(self, /, v, times=1)"
    a = comp(1)
    assert str(inspect.signature(a.add)) == "(v, times=1)"
    a.add(2, times=3)
    assert a.n == 7
