"""Insertions into rendered source at exact offsets.

The superset's keywords cannot live in a LibCST tree (LibCST only speaks Python), so the
migrator renders the Python tree and then inserts `fn`, `var`, `mut`, backticks... at the
positions LibCST's PositionProvider reports for that same tree. Working from positions rather
than from search-and-replace means a string or comment that happens to contain `def` or a
name is never touched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

from libcst.metadata import CodePosition

# LibCST counts lines on these three newline forms only (a form feed is not a line break).
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# What may separate a keyword from the next token on the same logical line.
_GAP = " \t\f\\\r\n"


@dataclass(frozen=True, order=True)
class Edit:
    """Replace code[start:end] with `text`; start == end inserts.

    `order` breaks ties between insertions at one offset: lower goes first, so that
    `var ` lands before the opening backtick of a backticked name.
    """

    start: int
    order: int
    end: int
    text: str


class Offsets:
    """Maps LibCST (1-based line, 0-based code point column) positions to string offsets."""

    def __init__(self, code: str) -> None:
        self.code = code
        self._starts = [0] + [m.end() for m in _LINE_BREAK.finditer(code)]

    def __call__(self, pos: CodePosition) -> int:
        return self._starts[pos.line - 1] + pos.column

    def keyword_before(self, offset: int, keyword: str) -> int:
        """Offset of `keyword`, which must be the previous token before `offset`.

        Only blanks and backslash continuations may lie between them (true of `def NAME`,
        `class NAME` and `-> ANNOTATION`); anything else means the tree and the text disagree,
        which is a bug worth stopping for rather than an edit in the wrong place.
        """
        i = offset
        while i > 0 and self.code[i - 1] in _GAP:
            i -= 1
        start = i - len(keyword)
        if start < 0 or self.code[start:i] != keyword:
            raise AssertionError(f"expected {keyword!r} before offset {offset}, found {self.code[max(0, start):i]!r}")
        return start


def apply_edits(code: str, edits: Iterable[Edit]) -> str:
    """The code with every edit applied; overlapping replacements are a programming error."""
    out: list[str] = []
    cursor = 0
    for edit in sorted(edits):
        if edit.start < cursor:
            raise AssertionError(f"overlapping edits at offset {edit.start}")
        out.append(code[cursor : edit.start])
        out.append(edit.text)
        cursor = max(cursor, edit.end)
    out.append(code[cursor:])
    return "".join(out)
