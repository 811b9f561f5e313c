"""The text pre-filter of keyword_names never hides a name the full LibCST visit finds."""

from __future__ import annotations

import libcst as cst
import pytest

from pymigrate.migrate.backtick import _KeywordNames, keyword_names

SOURCES = [
    "x = 1\n",
    "fn = 1\nprint(fn)\n",
    "def f(struct, *, var=2):\n    return struct.var + var\n",
    "from m import fn as g\nimport a.struct\n",
    "s = 'fn struct var'  # fn in a comment\n",
    "class C:\n    var: int = 0\n",
    "f(var=1)\nglobal fnx\nvarx = structure = 1\n",
]


@pytest.mark.parametrize("source", SOURCES)
def test_the_filtered_answer_is_the_full_visit(source: str) -> None:
    module = cst.parse_module(source)
    visitor = _KeywordNames()
    module.visit(visitor)
    assert [n.value for n in keyword_names(module, source)] == [n.value for n in visitor.found]
    assert [n.value for n in keyword_names(module, module.code)] == [n.value for n in visitor.found]


def test_counts() -> None:
    source = "def f(struct, *, var=2):\n    return struct.var + var\n"
    assert [n.value for n in keyword_names(cst.parse_module(source), source)] == ["struct", "var", "struct", "var", "var"]
    assert keyword_names(cst.parse_module("varx = structure = 1\n"), "varx = structure = 1\n") == []
