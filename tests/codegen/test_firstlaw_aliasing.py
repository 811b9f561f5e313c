"""Aliasing that value semantics cannot keep blocks the upgrade (F2, F3, F6, F11), and the analyzer says why.

The ground truth for each blocked case is CPython's: the same superset code, forced through the
compiler, gives a different result than the def (checked below), so the probe must refuse it.
Cases that only read through an alias, or return a fresh list, stay upgradable.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
from codegen_support import compiled, plain

from pymigrate.analyze import analyze_source
from pymigrate.codegen.probe import fn_blockers, struct_blockers

SRC = '''
from dataclasses import dataclass


@dataclass
class Cell:
    v: int

    def bump(self) -> None:
        self.v += 1

    def get(self) -> int:
        return self.v


@dataclass
class Bag:
    items: list[int]

    def add(self, v: int) -> None:
        self.items.append(v)


def helper(xs: list[int]) -> None:
    xs.append(1)


def grow_rows(grid: list[list[int]]) -> None:
    for row in grid:
        row.append(0)


def bump_all(cs: list[Cell]) -> None:
    for c in cs:
        c.bump()


def bump_alias(c: Cell) -> int:
    d = c
    d.bump()
    return d.v


def grow_via_helper(g: list[list[int]]) -> None:
    r = g[0]
    helper(r)


def same(xs: list[int]) -> list[int]:
    return xs


def first_row(g: list[list[int]]) -> list[int]:
    return g[0]


def ident(p: Cell) -> Cell:
    return p


def row_alias(g: list[list[int]]) -> list[int]:
    r = g[1]
    return r


def sum_rows(grid: list[list[int]]) -> int:
    t = 0
    for row in grid:
        t += len(row)
    return t


def read_cells(cs: list[Cell]) -> int:
    t = 0
    for c in cs:
        t += c.get()
    return t


def fresh(n: int) -> list[int]:
    out = [0] * n
    out.append(n)
    return out


def first_value(g: list[list[int]]) -> int:
    r = g[0]
    return r[0]


def pair_alias(g: list[list[int]]) -> None:
    a, b = g[0], g[1]
    a.append(len(b))


def either_alias(g: list[list[int]], first: bool) -> None:
    r = g[0] if first else g[1]
    r.append(1)


def either_row(g: list[list[int]], first: bool) -> list[int]:
    return g[0] if first else g[1]


def bump_items(cs: list[Cell]) -> None:
    for i in range(len(cs)):
        cs[i].v += 1


def replace_item(cs: list[Cell]) -> None:
    cs[0].v += 1
    cs[0] = Cell(5)


def grow_inner(g: list[list[int]]) -> None:
    g[0].append(1)


def scale_all(xs: list[float], k: float) -> None:
    for i in range(len(xs)):
        xs[i] *= k
'''

BLOCKED = {
    "grow_rows": (29, "loop variable 'row' is an element of `grid` and is changed in the loop"),
    "bump_all": (34, "loop variable 'c' is an element of `cs` and is changed in the loop"),
    "bump_alias": (39, "'d' shares a list/object with another name and one of them is changed afterwards"),
    "grow_via_helper": (45, "'r' shares a list/object with another name and one of them is changed afterwards"),
    "same": (50, "returns `xs`, the parameter 'xs'"),
    "first_row": (54, "returns `g[0]`, part of the parameter 'g'"),
    "ident": (58, "returns `p`, the parameter 'p'"),
    "row_alias": (63, "returns `r`, a name bound to (part of) a parameter, 'r'"),
    "Bag": (18, "field 'items' of Bag holds a list"),
    "pair_alias": (92, "'a' shares a list/object with another name and one of them is changed afterwards"),
    "either_alias": (97, "'r' shares a list/object with another name and one of them is changed afterwards"),
    "either_row": (102, "returns `g[0] if first else g[1]`, part of the parameter 'g'"),
    "replace_item": (110, "parameter 'cs' holds lists/structs and its items are replaced, reordered"),
}
UPGRADABLE = {
    "Cell", "helper", "scale_all", "bump_items", "sum_rows", "read_cells", "fresh", "first_value", "grow_inner",
}


def _defs() -> tuple[ast.Module, dict[str, ast.FunctionDef | ast.ClassDef]]:
    tree = ast.parse(SRC)
    return tree, {s.name: s for s in tree.body if isinstance(s, (ast.FunctionDef, ast.ClassDef))}


@pytest.mark.parametrize("name", sorted(BLOCKED))
def test_alias_then_change_or_return_blocks(name: str) -> None:
    tree, defs = _defs()
    node = defs[name]
    reasons = fn_blockers(node, tree) if isinstance(node, ast.FunctionDef) else struct_blockers(node, tree)
    line, text = BLOCKED[name]
    assert any(r.startswith(f"{line}:") and text in r for r in reasons), reasons


@pytest.mark.parametrize("name", sorted(UPGRADABLE))
def test_reading_through_an_alias_still_upgrades(name: str) -> None:
    tree, defs = _defs()
    node = defs[name]
    reasons = fn_blockers(node, tree) if isinstance(node, ast.FunctionDef) else struct_blockers(node, tree)
    assert reasons == []


def test_analyzer_shows_the_reason() -> None:
    report = analyze_source(SRC, Path("aliasing.py"))
    status = {f.qualname: f for f in report.functions}
    classes = {c.qualname: c for c in report.classes}
    for name, (_, text) in BLOCKED.items():
        unit = classes[name] if name in classes else status[name]
        assert unit.status == "blocked", (name, unit)
        if name in ("pair_alias", "either_alias", "either_row"):
            continue  # the analyzer's own rules already refuse tuple unpacking and `x if c else y`
        assert any(text in b.message for b in unit.blockers), (name, [b.message for b in unit.blockers])
    for name in ("sum_rows", "read_cells", "fresh", "first_value"):
        assert status[name].status == "ready", (name, status[name].blockers)


# The same code forced through the compiler: what the blocked upgrade would have done.
FORCED = '''
struct Cell:
    var v: Int

    fn __init__(out self, v: Int):
        self.v = v

    fn bump(mut self) -> None:
        self.v += 1

fn grow_rows(grid: List[List[Int]]) -> None:
    for row in grid:
        row.append(0)

fn bump_alias(c: Cell) -> Int:
    var d = c
    d.bump()
    return d.v

fn same(xs: List[Int]) -> List[Int]:
    return xs
'''

FORCED_CALLS: list[tuple[str, Any]] = [
    ("grow_rows", lambda m: (lambda g: (m.grow_rows(g), g)[1])([[1], [2, 3]])),
    ("bump_alias", lambda m: (lambda c: (m.bump_alias(c), c.v))(m.Cell(1))),
    ("same", lambda m: (lambda xs: m.same(xs) is xs)([1])),
]


@pytest.mark.parametrize(("name", "call"), FORCED_CALLS, ids=[n for n, _ in FORCED_CALLS])
def test_forced_upgrade_would_change_behaviour(name: str, call: Any) -> None:
    forced = compiled(FORCED, "firstlaw_forced.pys")  # the compiler accepts it: only the probe blocks it
    assert call(forced) != call(plain(FORCED)), f"{name}: blocking is no longer needed; relax the probe rule"
