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
