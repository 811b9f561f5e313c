"""docs/language.md: every ```superset example parses (and prints back to the same tree and
marks), and every ```python example runs."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from pymigrate.superset import parse, unparse

DOC = Path(__file__).resolve().parents[2] / "docs" / "language.md"
BLOCK = re.compile(r"^```(\w+)\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def _blocks(lang: str) -> list[str]:
    return [m.group(2) for m in BLOCK.finditer(DOC.read_text(encoding="utf-8")) if m.group(1) == lang]


SUPERSET = _blocks("superset")
PYTHON = _blocks("python")


def test_the_reference_has_examples() -> None:
    assert len(SUPERSET) >= 5
    assert len(PYTHON) >= 1
    assert len(_blocks("ebnf")) == 1


@pytest.mark.parametrize("code", SUPERSET, ids=[f"superset-{i}" for i in range(len(SUPERSET))])
def test_superset_examples_parse_and_round_trip(code: str) -> None:
    result = parse(code, "language.md")
    again = parse(unparse(result), "printed.pys")
    assert ast.dump(again.tree) == ast.dump(result.tree)
    assert [(m.kind, m.name) for m in again.marks] == [(m.kind, m.name) for m in result.marks]


@pytest.mark.parametrize("code", PYTHON, ids=[f"python-{i}" for i in range(len(PYTHON))])
def test_python_examples_run(code: str) -> None:
    exec(compile(code, "language.md", "exec"), {})


def _error_rows() -> list[tuple[str, str]]:
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## Errors", 1)[1].split("\n## ", 1)[0]
    span = re.compile(r"(`+) ?(.*?) ?\1(?!`)")
    rows = []
    for line in section.splitlines():
        if not line.startswith("| ") or line.startswith("| input") or line.startswith("|---"):
            continue
        cells = [c.strip() for c in line.strip("|").split(" | ")]
        source = span.search(cells[0])
        message = span.search(cells[1])
        assert source is not None and message is not None, line
        rows.append((source.group(2), message.group(2)))
    return rows


ERRORS = _error_rows()


def test_the_error_table_is_there() -> None:
    assert len(ERRORS) >= 10


@pytest.mark.parametrize("source, message", ERRORS, ids=[r[0] for r in ERRORS])
def test_error_table_says_what_the_parser_says(source: str, message: str) -> None:
    code = source + "\n" if source.endswith(":") is False else source + "\n    pass\n"
    with pytest.raises(SyntaxError) as info:
        parse(code, "t.pys")
    assert info.value.msg.startswith(message.removesuffix("...").removesuffix(": ").rstrip())
