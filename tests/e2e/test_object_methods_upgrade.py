"""Methods of ordinary classes become `fn` end to end: the analyzer asks the checker (the class kept Python,
each method an object-tier fn), `pymigrate migrate --write` writes `fn` on the accepted ones and nothing
else, `pymigrate build` and the import hook compile them, and every call agrees with CPython's: results,
exceptions, effects on arguments, through instances, the class, subclasses overriding and calling back
through `super()`, properties with setters, static and class methods, dunder slots. A method the checker
refuses (a generator, a method of a class with a metaclass) stays a def with the checker's hint code.
"""

from __future__ import annotations

import ast
import itertools
from pathlib import Path

import pytest
from e2e_harness import MODES, Package, call, differences, make_package

from pymigrate.analyze import analyze_source
from pymigrate.codegen.probe import method_diagnostics
from pymigrate.superset import parse

SHAPES = '''\
import abc
import functools


class ShapeError(ValueError):
    pass


class Shape:
    """A base class with a class attribute: never a struct."""
    sides = 0

    def __init__(self, name, scale=1, *, tags=()):
        if scale is None:
            raise ShapeError("no scale")
        self.name = name
        self.scale = scale
        self.tags = list(tags)

    def __repr__(self):
        return f"{type(self).__name__}({self.name!r}, {self.scale!r})"

    def __eq__(self, other):
        return type(other) is type(self) and self.name == other.name and self.scale == other.scale

    def __hash__(self):
        return hash((self.name, self.scale))

    def area(self):
        return self.sides * self.scale

    def grow(self, by):
        self.scale = self.scale + by
        return self

    def tag_into(self, out):
        out.append(self.name)
        out.extend(self.tags)
        return len(out)

    @property
    def label(self):
        return f"{self.name}x{self.scale}"

    @label.setter
    def label(self, value):
        name, _, scale = value.partition("x")
        self.name = name
        self.scale = int(scale or 1)

    @staticmethod
    def parse(text):
        name, _, scale = text.partition(":")
        return Shape(name, int(scale) if scale else 1)

    @classmethod
    def unit(cls, name):
        return cls(name, 1)

    @functools.lru_cache(maxsize=None)
    def cached(self, k):
        return (self.name, k * 2)

    def names(self):
        yield self.name

    def keyed(self, xs):
        return sorted(xs, key=lambda x: -x)


class Square(Shape):
    sides = 4

    def __init__(self, side, **kw):
        super().__init__("square", side, **kw)

    def area(self):
        return super().area() * self.scale

    def describe(self):
        return (super(Square, self).area(), self.label, Shape.area(self))


class Triangle(Shape):
    sides = 3

    def area(self):
        base = Shape.area(self)
        return base / 2


class Sized(metaclass=abc.ABCMeta):
    def area(self):
        return 0
'''

CALLS = [
    "s = m.Shape('a', 2, tags=['x']); result = (repr(s), s.area(), s.label, s.grow(3) is s, s.scale)",
    "result = m.Shape('a', None)",
    "result = m.Shape()",
    "result = m.Shape('a', 1, 2)",
    "result = m.Shape('a', 'b').grow(1)",
    "result = m.Shape('a', [1]).grow([2]).scale",
    "result = (m.Shape('a', 2) == m.Shape('a', 2), m.Shape('a', 2) == m.Square(2), hash(m.Shape('a', 2)) == hash(('a', 2)))",
    "s = m.Shape('p', 1); s.label = 'q' + 'x7'; result = (s.name, s.scale, s.label)",
    "s = m.Shape('p', 1); s.label = 'qxz'; result = s.label",
    "s = m.Shape('p', 1); s.label = 5; result = s.label",
    "result = (m.Shape.parse('tri:3'), m.Shape.parse('x'), m.Shape.parse('x:'))",
    "result = m.Shape.parse('x:y')",
    "result = (m.Shape.unit('u'), m.Square.unit(5), type(m.Triangle.unit('t')).__name__)",
    "s = m.Square(3, tags=('t',)); result = (s.area(), s.describe(), s.label, repr(s), s.sides)",
    "result = (m.Triangle('t', 4).area(), m.Triangle('t', 3.5).area(), m.Triangle('t', 'ab').label)",
    "result = m.Triangle('t', 'ab').area()",
    "s = m.Shape('c', 2); result = (s.cached(3), s.cached(3), m.Shape.cached.cache_info().hits > 0)",
    "result = (list(m.Shape('g', 1).names()), m.Shape('k').keyed([3, 1, 2]))",
    "result = m.Shape('k').keyed([3, 'a'])",
    "result = (m.Shape.area.__qualname__, m.Shape.__init__.__name__, m.Square.area.__qualname__, m.Shape.area.__doc__)",
    # parameters and defaults (the annotations inference inserts are the migrator's, not the compiler's)
    "import inspect; result = [(p.name, p.kind, p.default) for f in (m.Shape.__init__, m.Square.__init__, m.Shape.grow)"
    " for p in inspect.signature(f).parameters.values()]",
    "result = sorted({m.Shape('a', 1), m.Shape('a', 1), m.Square(1)}, key=repr)",
    "result = (m.Sized().area(), m.Square(2, tags=[1]).tags, m.Square(2, nope=1))",
]


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Package:
    return make_package(tmp_path_factory.mktemp("methods"), "methods", {"shapes": SHAPES})


def _fn_methods(pys: str) -> set[str]:
    result = parse(pys, "shapes.pys")
    return {f"{c.name}.{f.name}" for c in result.tree.body if isinstance(c, ast.ClassDef)
            for f in c.body if isinstance(f, ast.FunctionDef) and result.is_fn(f)}


def test_accepted_methods_become_fn_and_nothing_else_changes(package: Package) -> None:
    pys = package.pys["shapes"]
    assert _fn_methods(pys) == {
        "Shape.__init__", "Shape.__repr__", "Shape.__eq__", "Shape.__hash__", "Shape.area", "Shape.grow",
        "Shape.tag_into", "Shape.label", "Shape.parse", "Shape.unit", "Shape.cached",
        "Shape.keyed", "Square.__init__", "Square.area", "Square.describe", "Triangle.area",
    }
    # the property's getter and setter are both fn; the generator and the methods of a class with a metaclass stay defs
    assert pys.count("fn label(self") == 2
    assert "    def names(self)" in pys and "    def area(self)" in pys.split("class Sized")[1]
    # only the keyword changes (and the annotations inference inserts): the .pys read as Python is the module
    assert _unannotated(parse(pys, "shapes.pys").tree) == _unannotated(ast.parse(SHAPES))


def _unannotated(tree: ast.Module) -> list[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.arg):
            node.annotation = None
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            node.returns = None
    # the imports inference adds for its annotations left out
    return [ast.dump(s) for s in _plain_assigns(tree).body if not isinstance(s, (ast.Import, ast.ImportFrom))]


def _plain_assigns(tree: ast.Module) -> ast.Module:
    """`x: T = v` read as `x = v` (inference may annotate a local's first binding)."""
    class Plain(ast.NodeTransformer):
        def visit_AnnAssign(self, node: ast.AnnAssign) -> ast.AST:
            if node.value is None:
                return node
            return ast.copy_location(ast.Assign(targets=[node.target], value=node.value), node)
    return ast.fix_missing_locations(Plain().visit(tree))


def test_refused_methods_keep_the_checkers_hint() -> None:
    path = Path("shapes.py")
    analysis = analyze_source(SHAPES, path)
    tree = ast.parse(SHAPES)
    nodes = {f"{c.name}.{f.name}": f for c in tree.body if isinstance(c, ast.ClassDef)
             for f in c.body if isinstance(f, ast.FunctionDef)}
    for info in analysis.functions:
        checker = [d.code for d in method_diagnostics(nodes[info.qualname], tree)]
        assert (info.status == "ready") == (not checker), (info.qualname, info.status, checker)
        if checker:
            assert set(checker) <= {f.code for f in info.blockers}, (info.qualname, info.blockers)
    # the checker's codes; the missing annotations (PM2xx) are noted as well, a refused method's upgrade is no fn
    hints = {f.qualname: sorted({x.code for x in f.blockers if not x.code.startswith("PM2")})
             for f in analysis.functions if f.status != "ready"}
    assert hints == {"Shape.names": ["PM305"], "Sized.area": ["PM315"]}


def test_every_call_agrees_with_cpython(package: Package) -> None:
    items = [call("methods.shapes", code) for code in CALLS]
    # effects on an argument: the list handed to a method, compared after the call
    for tags, out in itertools.product(["()", "('t', 'u')", "'ab'", "None"], ["[]", "[0]", "()", "None"]):
        items.append(call("methods.shapes", f"a = [{out}]\nresult = (m.Shape('n', 1, tags={tags}).tag_into(a[0]), a)"))
    found = differences(package, items, MODES)
    assert not found, "\n".join(map(str, found[:10]))


def test_the_build_is_what_runs(package: Package) -> None:
    assert list((package.dir("so") / "methods").glob("shapes*.so")), package.build_log
