"""A @dataclass upgraded to a struct stays a dataclass, and its __eq__ sees the same objects (F8, F9).

Each call runs on the original module under CPython, on the migrated module through the import
hook and on the built extension; the outcomes must be the same. Every module is checked to be
really upgraded, so the comparison is between the dataclass and the compiled struct.
"""

from __future__ import annotations

import pytest
from e2e_harness import Package, call, differences, fn_names, make_package

POINT = '''
from dataclasses import dataclass


@dataclass
class P:
    x: float
    y: float

    def shift(self, d: float) -> None:
        self.y += d

    def set_x(self, v: float) -> None:
        self.x = v

    def norm2(self) -> float:
        return self.x * self.x + self.y * self.y

    def with_x(self, v: float) -> "P":
        return P(v, self.y)


@dataclass
class Tagged:
    """A documented record."""

    n: int
    label: str
    ok: bool


def moved(p: P, d: float) -> float:
    return p.x + d


def make(x: float) -> P:
    return P(x, 1.0)


def swapped(p: P) -> P:
    return P(p.y, p.x)
'''

FUTURE = '''
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class F:
    a: float
    b: int
'''

MODULES = {"point": POINT, "future": FUTURE}
UPGRADED = {"point": {"P", "P.with_x", "Tagged", "moved", "make", "swapped"}, "future": {"F"}}

FIELDS = ("result = [(f.name, f.type if isinstance(f.type, str) else f.type.__name__, f.default is dc.MISSING, "
          "f.default_factory is dc.MISSING, f.init, f.repr, f.compare, f.hash, f.kw_only, f._field_type is dc._FIELD) "
          "for f in dc.fields({})]")

PROTOCOL = [
    "import dataclasses as dc; " + FIELDS.format("m.P"),
    "import dataclasses as dc; " + FIELDS.format("m.P(1.0, 2.0)"),
    "import dataclasses as dc; " + FIELDS.format("m.Tagged"),
    "import dataclasses as dc; result = dc.asdict(m.P(1.0, 2.0))",
    "import dataclasses as dc; result = dc.asdict(m.Tagged(3, 'a', True), dict_factory=list)",
    "import dataclasses as dc; result = dc.astuple(m.P(1.0, 2.0))",
    "import dataclasses as dc; result = dc.astuple(m.Tagged(3, 'a', False))",
    "import dataclasses as dc; result = dc.replace(m.P(1.0, 2.0), y=5.0)",
    "import dataclasses as dc; result = dc.replace(m.Tagged(3, 'a', True))",
    "import dataclasses as dc; result = dc.replace(m.P(1.0, 2.0), z=5.0)",
    "import dataclasses as dc; result = (dc.is_dataclass(m.P), dc.is_dataclass(m.P(1.0, 2.0)))",
    "import dataclasses as dc; result = dc.asdict(m.P)",
    "result = repr(m.P.__dataclass_params__)",
    "result = m.P.__match_args__",
    "result = (m.P.__doc__, m.Tagged.__doc__)",
    "result = vars(m.P(1.0, 2.0))",
    "p = m.P(1.0, 2.0); p.shift(1.0); result = p.__dict__",
    "p = m.P(1.0, 2.0); p.extra = 7; result = (vars(p), p)",
    "result = hash(m.P(1.0, 2.0))",
    "result = repr(m.Tagged(1, 'x', True))",
    "class R(m.P):\n    pass\nresult = (repr(R(1.0, 2.0)), R(1.0, 2.0) == m.P(1.0, 2.0))",
    "match m.P(1.0, 2.0):\n    case m.P(a, b):\n        result = (a, b)",
    "import copy; p = m.P(1.0, 2.0); q = copy.deepcopy(p); q.shift(1.0); result = (p, q, copy.copy(p) == p)",
    "import pickle; p = m.P(1.0, 2.0); result = pickle.loads(pickle.dumps(p)) == p",
    "import weakref; p = m.P(1.0, 2.0); result = weakref.ref(p)() is p",
    "result = m.moved(m.P(1.0, 2.0), 0.5)",
]

FUTURE_CALLS = [
    "import dataclasses as dc; " + FIELDS.format("m.F"),
    "result = m.F.__doc__",
    "import dataclasses as dc; result = (dc.asdict(m.F(1.5, 2)), dc.replace(m.F(1.5, 2), b=3))",
]

IDENTITY = [
    "x = float('nan'); result = m.P(x, 1.0) == m.P(x, 1.0)",
    "result = m.P(float('nan'), 1.0) == m.P(float('nan'), 1.0)",
    "x = float('nan'); result = m.P(x, 1.0) != m.P(x, 1.0)",
    "result = (m.P(-0.0, 1.0) == m.P(0.0, 1.0), m.P(0.0, -0.0) == m.P(0.0, 0.0))",
    "x = float('nan'); y = -x; result = m.P(x, 1.0) == m.P(y, 1.0)",
    "x = float('nan'); result = m.P(x, x) == m.P(x, x)",
    "x = float('nan'); p = m.P(x, 1.0); p.shift(1.0); result = (p == m.P(x, 2.0), p.x is x)",
    "x = float('nan'); p = m.P(0.0, 1.0); p.set_x(x); result = (p == m.P(x, 1.0), p.x is x)",
    "x = float('nan'); p = m.P(x, 1.0); p.set_x(0.0); result = p == m.P(x, 1.0)",
    "x = 1.5; y = 2.5; p = m.P(x, y); result = (p.x is x, p.y is y)",
    "x = float('nan'); p = m.P(x, 1.0); n = p.norm2(); result = (p == m.P(x, 1.0), p.x is x)",
    "x = float('nan'); result = [m.P(x, 1.0)] == [m.P(x, 1.0)]",
    "x = float('nan'); result = m.P(x, 1.0) in [m.P(x, 1.0)]",
    "import dataclasses as dc; x = float('nan'); p = m.P(x, 1.0); result = dc.replace(p, y=2.0) == m.P(x, 2.0)",
    "x = float('inf'); result = (m.P(x, -x) == m.P(x, -x), m.P(x, 1.0) == m.P(-x, 1.0))",
    # a struct a fn returns holds the float objects it was built from
    "x = float('nan'); result = (m.make(x) == m.make(x), m.make(x).x is x, m.make(x) == m.P(x, 1.0))",
    "result = m.make(float('nan')) == m.make(float('nan'))",
    "x = float('nan'); p = m.P(1.0, x); q = p.with_x(2.5); result = (q.y is x, q == m.P(2.5, x), p.with_x(x) == m.P(x, x))",
    "x = float('nan'); p = m.P(x, 2.0); result = (m.swapped(p).y is x, m.swapped(p).x is p.y)",
]


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Package:
    pkg = make_package(tmp_path_factory.mktemp("e2estruct"), "e2estruct", MODULES)
    for mod, names in UPGRADED.items():
        assert names <= fn_names(pkg.pys.get(mod, "")), f"{mod} was not upgraded as expected:\n{pkg.migrate_log}"
    return pkg


@pytest.mark.parametrize(("mod", "snippets"), [
    ("point", PROTOCOL), ("future", FUTURE_CALLS), ("point", IDENTITY),
], ids=["dataclass-protocol", "future-annotations", "eq-identity"])
def test_struct_agrees_with_dataclass(package: Package, mod: str, snippets: list[str]) -> None:
    found = differences(package, [call(f"e2estruct.{mod}", s) for s in snippets])
    assert not found, "\n".join(map(str, found))

