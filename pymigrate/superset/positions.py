"""Map positions in the rewritten text back to the original superset source.

Only lines the token layer changed need a map; every other line is the same in both texts.
AST columns are UTF-8 byte offsets and SyntaxError offsets are characters, so a line map
converts through characters and back.
"""

from __future__ import annotations

from pymigrate.superset.tokens import Edit


class LineMap:
    """Column mapping for one rewritten line."""

    __slots__ = ("orig", "new", "edits", "ascii", "new_bytes")

    def __init__(self, orig: str, new: str, edits: list[Edit]) -> None:
        self.orig = orig
        self.new = new
        self.edits = edits
        self.ascii = orig.isascii() and new.isascii()
        self.new_bytes = new.encode("utf-8")

    def char(self, col: int) -> int:
        """Original character column of a character column in the rewritten line."""
        result = col
        for e in self.edits:
            if e.new_start > col:
                break
            if col >= e.new_end:
                result = e.orig_end + (col - e.new_end)
            else:
                result = min(e.orig_start + (col - e.new_start), e.orig_end)
        return result

    def byte(self, col: int) -> int:
        """Original byte column of a byte column in the rewritten line."""
        if self.ascii:
            return self.char(col)
        chars = len(self.new_bytes[:col].decode("utf-8", "ignore"))
        return len(self.orig[: self.char(chars)].encode("utf-8"))


def char_to_byte(line: str, col: int) -> int:
    return col if line.isascii() else len(line[:col].encode("utf-8"))


def byte_to_char(line: str, col: int) -> int:
    return col if line.isascii() else len(line.encode("utf-8")[:col].decode("utf-8", "ignore"))
