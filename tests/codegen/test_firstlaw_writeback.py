"""`mut` arguments (lists and `mut self`) reach the caller on the error exit too, as in CPython (F1, F7)."""

from __future__ import annotations

from typing import Any

import pytest
from codegen_support import compiled, outcome, plain

SRC = '''
fn push_then_check(mut xs: List[Int], v: Int) raises -> Int:
    xs.append(v)
    if v < 0:
        raise ValueError("negative value")
    return len(xs)

fn fill_then_index(mut xs: List[Int], mut ys: List[Float64], i: Int) raises -> Int:
    xs.append(7)
    ys[0] = 2.5
    return xs[i]

fn nested(mut g: List[List[Int]], v: Int) raises -> None:
    g[0].append(v)
    g.append([v, v])
    var z: Int = 10 // v
    g.append([z])

struct Acc:
    var n: Int
    var hist: Int

    fn __init__(out self, n: Int):
        self.n = n
        self.hist = 0

    fn risky(mut self, v: Int) raises -> None:
        self.n += v
        self.hist += 1
        if v < 0:
            raise ValueError("negative")

    fn overflow(mut self, v: Int) raises -> None:
        self.hist = v
        self.n = self.n * v

fn bump_each(mut accs: List[Acc], v: Int) raises -> None:
    for i in range(len(accs)):
        accs[i].n += v
        if accs[i].n < 0:
            raise ValueError("below zero")

fn bump_and_add(mut accs: List[Acc]) -> None:
    accs[0].n = 100
    accs.append(Acc(7))
'''


@pytest.fixture(scope="module")
def both() -> tuple[Any, Any]:
    return compiled(SRC, "firstlaw_writeback.pys"), plain(SRC)


CALLS = [
    ("push_then_check", lambda: [1], (-1,)),
    ("push_then_check", lambda: [1], (3,)),
    ("fill_then_index", lambda: [1, 2], (99,)),
    ("fill_then_index", lambda: [1, 2], (-1,)),
    ("nested", lambda: [[1]], (0,)),
    ("nested", lambda: [[1]], (5,)),
]


@pytest.mark.parametrize(("name", "make", "args"), CALLS)
def test_mut_lists_written_back_on_raise(both: tuple[Any, Any], name: str, make: Any, args: tuple[Any, ...]) -> None:
    results = []
    for mod in both:
        xs = make()
        extra = [[0.5]] if name == "fill_then_index" else []
        r = outcome(getattr(mod, name), xs, *extra, *args)
        results.append((r, xs, extra))
    assert results[0] == results[1]


@pytest.mark.parametrize(("meth", "arg"), [("risky", -2), ("risky", 3), ("overflow", 2**62)])
def test_mut_self_written_back_on_raise(both: tuple[Any, Any], meth: str, arg: int) -> None:
    seen = []
    for mod in both:
        a = mod.Acc(5)
        r = outcome(getattr(a, meth), arg)
        seen.append((r[0], (a.n, a.hist)))
    # beyond 64 bits the native run deopts before any write-back and the reading gives CPython's ints
    assert seen[0] == seen[1]


def test_error_is_the_callee_s(both: tuple[Any, Any]) -> None:
    """The exception raised by the callee survives the write-back (not replaced, not cleared)."""
    xs = [1]
    with pytest.raises(ValueError, match="negative value"):
        both[0].push_then_check(xs, -4)
    assert xs == [1, -4]


@pytest.mark.parametrize("v", [2, -6])
def test_mut_list_of_structs_keeps_the_caller_s_items(both: tuple[Any, Any], v: int) -> None:
    """The items are updated in place (the probe only lets through fns that keep them where they are)."""
    seen = []
    for mod in both:
        accs = [mod.Acc(1), mod.Acc(5)]
        held = list(accs)
        r = outcome(mod.bump_each, accs, v)
        seen.append((r, [a.n for a in accs], [a is h for a, h in zip(accs, held)], [h.n for h in held]))
    assert seen[0] == seen[1]


def test_mut_list_of_structs_that_grows_gets_the_values(both: tuple[Any, Any]) -> None:
    got = []
    for mod in both:
        accs = [mod.Acc(1)]
        mod.bump_and_add(accs)
        got.append([(a.n, a.hist) for a in accs])
    assert got[0] == got[1]
