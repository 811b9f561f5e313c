"""Golden before/after tests: each fixtures/migrate/<case>/input.py against its expected file."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from inline_snapshot import external_file
from migrate_support import FIXTURES, PlannedTypes, plan_of, planned_analyzer

from pymigrate.migrate.audit import comment_tokens as comments
from pymigrate.migrate.pipeline import Options, Stages, migrate_source
from pymigrate.superset import MarkKind, parse


def _identity(module: object, types: object) -> object:
    return module


def _migrate(case: str) -> tuple[str, str]:
    plan = plan_of(case)
    stages = Stages(infer=lambda *a, **k: None, annotate=_identity, analyze=planned_analyzer(plan))  # type: ignore[arg-type]
    source = FIXTURES / case / "input.py"
    types = PlannedTypes(attributes=plan.get("attributes", {}))
    result = migrate_source(source.read_bytes(), source, types, Options(compiler_check=False), stages)  # type: ignore[arg-type]
    assert result.error is None, result.error
    assert result.after is not None and result.output_path is not None
    return result.after, result.output_path.suffix


def _expected(case: str) -> Path:
    found = [p for p in (FIXTURES / case / "expected.pys", FIXTURES / case / "expected.py") if p.exists()]
    assert len(found) == 1, f"{case}: need exactly one of expected.pys / expected.py"
    return found[0]


def test_fixture_matches_golden(case: str) -> None:
    expected = _expected(case)
    text, suffix = _migrate(case)
    assert suffix == expected.suffix
    assert text == external_file(expected, format=".txt")


def test_fixture_output_parses(case: str) -> None:
    expected = _expected(case)
    text = expected.read_text(encoding="utf-8")
    if expected.suffix == ".pys":
        result = parse(text, str(expected))
        fns = [m for m in result.marks if m.kind is MarkKind.FN]
        assert len(fns) == len(re.findall(r"^\s*fn\b", text, re.M))
    else:
        ast.parse(text)


def test_fixture_keeps_every_comment(case: str) -> None:
    source = (FIXTURES / case / "input.py").read_text(encoding="utf-8")
    output = _expected(case).read_text(encoding="utf-8")
    assert comments(source), "each fixture has comments to keep"
    position = 0
    for comment in comments(source):
        position = output.index(comment, position) + len(comment)
