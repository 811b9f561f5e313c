"""Golden files: marks, query answers and printer output for fixtures/superset/*.pys."""

from __future__ import annotations

import ast

import pytest
from inline_snapshot import external_file
from superset_golden import describe, expected_paths, sources

from pymigrate.superset import parse, unparse

SOURCES = sources()


def test_there_are_fixtures() -> None:
    assert len(SOURCES) >= 5


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.name)
def test_marks_and_queries_match_golden(source) -> None:
    marks_path, _ = expected_paths(source)
    result = parse(source.read_text(encoding="utf-8"), source.name)
    assert describe(result) == external_file(marks_path, format=".txt")


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.name)
def test_printer_matches_golden(source) -> None:
    _, printed_path = expected_paths(source)
    result = parse(source.read_text(encoding="utf-8"), source.name)
    assert unparse(result) == external_file(printed_path, format=".txt")


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.name)
def test_printer_round_trip(source) -> None:
    result = parse(source.read_text(encoding="utf-8"), source.name)
    printed = unparse(result)
    again = parse(printed, "printed.pys")
    assert ast.dump(again.tree) == ast.dump(result.tree)
    assert [(m.kind, m.name) for m in again.marks] == [(m.kind, m.name) for m in result.marks]
    assert unparse(again) == printed  # the printer's layout is a fixed point


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.name)
def test_positions_point_into_the_original_source(source) -> None:
    """Every mark covers exactly its keyword or backticked name in the original text."""
    text = source.read_text(encoding="utf-8")
    lines = text.splitlines()
    result = parse(text, source.name)
    for m in result.marks:
        raw = lines[m.line - 1].encode()[m.col : m.end_col].decode()
        if m.kind.name == "BACKTICK":
            assert raw.startswith("`") and raw.endswith("`"), m
        else:
            assert raw == m.kind.value.replace("param-", ""), m
