"""The compiler is the authority: every function and class the analyzer calls ready in
fixtures/analyze/ is upgraded by the migrator and compiled by pymigrate.codegen.compile_module."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from pymigrate.analyze import analyze_source
from pymigrate.codegen import compile_module
from pymigrate.migrate.emit import render_superset
from pymigrate.migrate.upgrade import Plan, upgrade_module
from pymigrate.superset import parse

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = sorted((ROOT / "fixtures" / "analyze").rglob("*.py"))


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: str(p.relative_to(ROOT / "fixtures" / "analyze")))
def test_ready_means_it_compiles(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    module = analyze_source(text, path)
    assert module.error is None
    ready_functions = {f.qualname for f in module.functions if f.status == "ready"}
    ready_classes = {c.qualname for c in module.classes if c.status == "ready"}
    tree, marks = upgrade_module(cst.parse_module(text), Plan(frozenset(ready_functions), frozenset(ready_classes)))
    superset = render_superset(tree, marks)
    compiled = compile_module(parse(superset, str(path.with_suffix(".pys"))), path.stem)
    top_level = {q for q in ready_functions if "." not in q}
    assert top_level <= set(compiled.functions)
    assert ready_classes <= set(compiled.structs)


def test_fixtures_have_ready_functions_to_compile() -> None:
    """The check above is not vacuous: the readiness fixtures hold ready functions and a struct."""
    numeric = ROOT / "fixtures" / "analyze" / "readiness" / "numeric.py"
    module = analyze_source(numeric.read_text(encoding="utf-8"), numeric)
    assert sum(f.status == "ready" for f in module.functions) >= 10
    records = ROOT / "fixtures" / "analyze" / "readiness" / "records.py"
    module = analyze_source(records.read_text(encoding="utf-8"), records)
    assert {c.qualname for c in module.classes if c.status == "ready"} >= {"Point"}


def test_a_struct_field_of_struct_type_is_blocked_by_the_compiler() -> None:
    """Particle(pos=p) would copy `p` into a struct field, so later changes to `p` would not reach it."""
    records = ROOT / "fixtures" / "analyze" / "readiness" / "records.py"
    module = analyze_source(records.read_text(encoding="utf-8"), records)
    particle = next(c for c in module.classes if c.qualname == "Particle")
    assert particle.status == "blocked"
    assert [b.code for b in particle.blockers] == ["PM320"]
    assert "field 'pos' of Particle holds a struct" in particle.blockers[0].message


CALL_GRAPH_SOURCE = '''
def fill(out: list[float], n: int) -> None:
    for i in range(n):
        out.append(i * 0.5)


def square_into(out: list[float], xs: list[float]) -> None:
    for x in xs:
        out.append(x * x)


def scale(xs: list[float], k: float) -> None:
    for i in range(len(xs)):
        xs[i] *= k


def scale_twice(ys: list[float], k: float) -> None:
    scale(k=k, xs=ys)
    scale(ys, k)


def driver(a: list[float], b: list[float], n: int) -> float:
    fill(a, n)
    square_into(b, a)
    total = 0.0
    for x in b:
        total += x
    return total


def outer(a: list[float], b: list[float], n: int) -> float:
    return driver(a, b, n) + driver(b, a, n)
'''


def test_mut_follows_the_call_graph() -> None:
    """A parameter handed to another function's in-place-changed parameter is changed too, to a fixed point
    (driver -> fill, outer -> driver, keywords too): the analyzer calls them ready, the migrator writes `mut`
    for each, the compiler accepts what it wrote, and the compiled module gives the caller what CPython gives."""
    import types

    from pymigrate.runtime import jit

    path = Path("callgraph.py")
    module = analyze_source(CALL_GRAPH_SOURCE, path)
    status = {f.qualname: f.status for f in module.functions}
    assert status == dict.fromkeys(["fill", "square_into", "scale", "scale_twice", "driver", "outer"], "ready")
    ready = frozenset(status)
    tree, marks = upgrade_module(cst.parse_module(CALL_GRAPH_SOURCE), Plan(ready, frozenset()))
    superset = render_superset(tree, marks)
    assert "fn driver(mut a: list[float], mut b: list[float], n: int)" in superset
    assert "fn outer(mut a: list[float], mut b: list[float], n: int)" in superset
    assert "fn scale_twice(mut ys: list[float], k: float)" in superset
    compiled_module = types.ModuleType("callgraph")
    jit.load(compile_module(parse(superset, "callgraph.pys"), "callgraph"), compiled_module)
    assert set(compiled_module.__dict__) >= set(ready)
    plain: dict[str, object] = {}
    exec(compile(CALL_GRAPH_SOURCE, "callgraph.py", "exec"), plain)
    for mod in (compiled_module.__dict__, plain):
        assert type(mod["outer"]).__name__ == ("compiled_function" if mod is not plain else "function")
    for n in (0, 1, 4):
        got_a: list[float] = [1.5]
        got_b: list[float] = []
        want_a: list[float] = [1.5]
        want_b: list[float] = []
        got = compiled_module.outer(got_a, got_b, n)
        want = plain["outer"](want_a, want_b, n)  # type: ignore[operator]
        assert (got, got_a, got_b) == (want, want_a, want_b)
    got_ys, want_ys = [1.0, -2.5], [1.0, -2.5]
    compiled_module.scale_twice(got_ys, 3.0)
    plain["scale_twice"](want_ys, 3.0)  # type: ignore[operator]
    assert got_ys == want_ys == [9.0, -22.5]
