"""A compiled struct's class is the dataclass CPython would make of its fields (F8), and a float
field keeps the object it was set from (F9); ground truth is a real @dataclass run by CPython."""

from __future__ import annotations

import dataclasses
import math
import types
from collections.abc import Callable
from typing import Any

from codegen_support import compiled

SRC = '''
from typing import List

struct Point:
    var x: Float64
    var n: Int
    var tags: List[String]

    fn __init__(out self, x: Float64, n: Int, tags: List[String]):
        self.x = x
        self.n = n
        self.tags = tags

    fn moved(mut self, d: Float64) -> None:
        self.x += d

    fn keep(mut self, d: Float64) -> Float64:
        self.n += 1
        return self.x + d

struct Counter:
    """Counts."""
    var count: Int
    var label: String

    fn __init__(out self, label: String):
        self.count = 0
        self.label = label

struct Plain:
    var count: Int
    var label: String

    fn __init__(out self, label: String):
        self.count = 0
        self.label = label
'''


@dataclasses.dataclass
class Point:  # the dataclass a migrated Point would have been
    x: float
    n: int
    tags: list[str]


def _module() -> types.ModuleType:
    return compiled(SRC, "structclass.pys")


def _fields(cls: Any) -> list[tuple[Any, ...]]:
    return [(f.name, f.type, f.default, f.default_factory, f.init, f.repr, f.compare, f.hash, f.kw_only)
            for f in dataclasses.fields(cls)]


def test_the_class_is_the_dataclass_of_its_fields() -> None:
    m = _module()
    # the annotations evaluate to the types Python callers see (this module is not in sys.modules and
    # its tests run under `from __future__ import annotations`, neither of which may matter)
    py: Any = dataclasses.dataclass(type("Point", (), {"__annotations__": {"x": float, "n": int, "tags": list[str]}}))
    assert _fields(m.Point) == _fields(py)
    assert m.Point.__doc__ == py.__doc__ == "Point(x: float, n: int, tags: list[str])"
    assert repr(m.Point.__dataclass_params__) == repr(py.__dataclass_params__)
    assert m.Point.__match_args__ == Point.__match_args__ and m.Point.__hash__ is None
    p, q = m.Point(1.5, 2, ["a"]), Point(1.5, 2, ["a"])
    assert dataclasses.asdict(p) == dataclasses.asdict(q) and dataclasses.astuple(p) == dataclasses.astuple(q)
    assert vars(p) == vars(q) and list(vars(p)) == list(vars(q))
    r = dataclasses.replace(p, n=7)
    assert type(r) is m.Point and vars(r) == vars(dataclasses.replace(q, n=7))
    p.moved(1.0)
    assert p == m.Point(2.5, 2, ["a"]) and repr(p) == repr(dataclasses.replace(q, x=2.5))


def test_own_init_and_docstring() -> None:
    m = _module()
    assert m.Counter.__doc__ == "Counts."
    assert m.Plain.__doc__ is None  # the dataclass's text would list the fields, not what __init__ takes
    c = m.Counter("x")
    assert dataclasses.is_dataclass(c) and not isinstance(c, type) and dataclasses.asdict(c) == {"count": 0, "label": "x"}
    assert [f.name for f in dataclasses.fields(m.Plain)] == ["count", "label"]


def test_float_field_identity_matches_the_dataclass() -> None:
    m = _module()
    nan, other = float("nan"), float("nan")
    cases: list[Callable[[Any], bool]] = [
        lambda P: P(nan, 1, []) == P(nan, 1, []),
        lambda P: P(nan, 1, []) == P(other, 1, []),
        lambda P: P(-0.0, 1, []) == P(0.0, 1, []),
        lambda P: P(nan, 1, []).x is nan,
    ]
    for case in cases:
        assert case(m.Point) == case(Point)
    p, q = m.Point(nan, 1, []), Point(nan, 1, [])
    p.keep(1.0)  # changes n only: x keeps its object
    q.n += 1
    assert (p.x is nan, p == m.Point(nan, 2, [])) == (q.x is nan, q == Point(nan, 2, [])) == (True, True)
    x = float("2.5")
    p, q = m.Point(x, 1, []), Point(x, 1, [])
    p.moved(1.0)  # x recomputed: a new float in both
    q.x += 1.0
    assert (p.x, p.x is x, math.isnan(p.x)) == (q.x, q.x is x, False) == (3.5, False, False)
