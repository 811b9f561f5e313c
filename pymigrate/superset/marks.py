"""The side table of superset additions that the Python AST cannot hold."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class MarkKind(enum.Enum):
    FN = "fn"
    STRUCT = "struct"
    VAR_DECL = "var"
    PARAM_MUT = "mut"
    PARAM_VAR = "param-var"
    PARAM_OUT = "out"
    RAISES = "raises"
    BACKTICK = "backtick"


#: Convention keyword -> mark kind, and back.
CONVENTION_KINDS: dict[str, MarkKind] = {
    "mut": MarkKind.PARAM_MUT,
    "var": MarkKind.PARAM_VAR,
    "out": MarkKind.PARAM_OUT,
}
KIND_CONVENTIONS: dict[MarkKind, str] = {kind: word for word, kind in CONVENTION_KINDS.items()}


@dataclass(frozen=True)
class Mark:
    """One superset addition at its place in the original source.

    Positions count like the `ast` module's: `line` is 1-based, `col` and `end_col` are 0-based
    offsets in UTF-8 bytes, so a mark compares directly with a node's `lineno`/`col_offset`.
    `name` is the backticked identifier, or the fn/struct/declared variable/parameter name.
    """

    kind: MarkKind
    line: int
    col: int
    end_line: int
    end_col: int
    name: str | None

    @property
    def start(self) -> tuple[int, int]:
        return (self.line, self.col)

    @property
    def end(self) -> tuple[int, int]:
        return (self.end_line, self.end_col)
