"""The analyzer's plan agrees with the hand-written expected migrations in fixtures/packages/:
what it calls ready at module level is exactly what the expected `.pys` writes as `fn`/`struct`."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from pymigrate.analyze import analyze_source
from pymigrate.superset import parse

PACKAGES = Path(__file__).resolve().parents[2] / "fixtures" / "packages"
PAIRS = sorted(
    (source, expected)
    for expected in PACKAGES.glob("*.expected/*.pys")
    for source in [PACKAGES / expected.parent.name.removesuffix(".expected") / f"{expected.stem}.py"]
    if source.is_file()
)


@pytest.mark.parametrize(("source", "expected"), PAIRS, ids=[str(s.relative_to(PACKAGES)) for s, _ in PAIRS])
def test_ready_matches_expected_migration(source: Path, expected: Path) -> None:
    result = parse(expected.read_text(encoding="utf-8"), str(expected))
    upgraded = {
        node.name
        for node in result.tree.body
        if (isinstance(node, ast.FunctionDef) and result.is_fn(node))
        or (isinstance(node, ast.ClassDef) and result.is_struct(node))
    }
    module = analyze_source(source.read_text(encoding="utf-8"), source)
    ready = {u.qualname for u in module.units if u.status == "ready" and "." not in u.qualname}
    assert ready == upgraded


def test_pairs_found() -> None:
    assert len(PAIRS) >= 4
