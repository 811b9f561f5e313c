"""Byte-level faithfulness: encodings, line endings, strings that look like code, edit safety."""

from __future__ import annotations

from pathlib import Path

import pytest
from migrate_support import planned_analyzer

from pymigrate.migrate.pipeline import Options, Stages, migrate_source
from pymigrate.migrate.textedit import Edit, Offsets, apply_edits


def _upgrade(data: bytes, ready: list[str], classes: list[str] | None = None) -> bytes:
    stages = Stages(
        infer=lambda *a, **k: None,
        annotate=lambda m, t: m,
        analyze=planned_analyzer({"functions": ready, "classes": classes or []}),
    )
    result = migrate_source(data, Path("mod.py"), None, Options(compiler_check=False), stages)
    assert result.error is None, result.error
    return result.data


def test_crlf_line_endings_are_kept() -> None:
    source = b"# crlf\r\ndef f(n: int) -> int:\r\n    m = n\r\n    return m\r\n"
    assert _upgrade(source, ["f"]) == b"# crlf\r\nfn f(n: int) -> int:\r\n    var m = n\r\n    return m\r\n"


def test_declared_encoding_is_kept() -> None:
    source = "# -*- coding: latin-1 -*-\ndef f(s: str) -> str:\n    t = s + 'é'\n    return t\n".encode("latin-1")
    expected = "# -*- coding: latin-1 -*-\nfn f(s: str) raises -> str:\n    var t = s + 'é'\n    return t\n"
    assert _upgrade(source, ["f"]) == expected.encode("latin-1")


def test_text_that_looks_like_code_inside_strings_is_not_touched() -> None:
    source = (
        'def f(var: int) -> str:\n'
        '    s = "def f(var): var = fn"  # def var\n'
        "    t = f'{var} def struct'\n"
        '    return s + t\n'
    )
    expected = (
        'fn f(`var`: int) raises -> str:\n'
        '    var s = "def f(var): var = fn"  # def var\n'
        "    var t = f'{`var`} def struct'\n"
        '    return s + t\n'
    )
    assert _upgrade(source.encode(), ["f"]).decode() == expected


def test_a_field_named_like_a_keyword_is_declared_with_backticks() -> None:
    source = "class C:\n    def __init__(self, var: int) -> None:\n        self.var = var\n"
    expected = (
        "struct C:\n    var `var`: int\n\n    fn __init__(out self, `var`: int) -> None:\n        self.`var` = `var`\n"
    )
    assert _upgrade(source.encode(), [], ["C"]).decode() == expected


def test_edits_apply_in_position_order_and_ties_keep_their_order() -> None:
    code = "ab"
    edits = [Edit(1, 1, 1, "`"), Edit(1, 0, 1, "var "), Edit(0, 0, 0, "<"), Edit(2, -1, 2, "`")]
    assert apply_edits(code, edits) == "<avar `b`"


def test_overlapping_replacements_are_refused() -> None:
    with pytest.raises(AssertionError):
        apply_edits("abcdef", [Edit(0, 0, 3, "x"), Edit(2, 0, 4, "y")])


def test_keyword_before_refuses_a_position_that_does_not_follow_the_keyword() -> None:
    at = Offsets("def  \\\n  f(): pass")
    assert at.keyword_before(9, "def") == 0
    with pytest.raises(AssertionError):
        Offsets("x = def_f").keyword_before(4, "def")
