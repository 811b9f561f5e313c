"""Reading a `.py`/`.pys` file into text the way Python does: BOM or coding cookie, else UTF-8."""

from __future__ import annotations

import io
import tokenize
from pathlib import Path


class SourceDecodeError(SyntaxError):
    """A file whose bytes are not text in its declared (or the default UTF-8) encoding.

    A SyntaxError, as CPython raises for such a file at import; str() is the diagnostic line.
    """

    def __init__(self, path: Path, line: int, message: str, col: int = 1) -> None:
        super().__init__(message, (str(path), line, col, None))
        self.path = path
        self.line = line
        self.col = col
        self.message = message

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: error: {self.message}"


def decode_source(data: bytes, path: Path) -> str:
    """Decode source bytes per PEP 263 (coding cookie, UTF-8 BOM, default UTF-8)."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        reason = str(exc)
        if "invalid or missing encoding declaration" in reason:
            reason = "the file is not UTF-8 and declares no encoding"
        raise SourceDecodeError(
            path, 1, f"{reason}; save it as UTF-8 or declare its encoding, e.g. `# -*- coding: latin-1 -*-`"
        ) from None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise SourceDecodeError(
            path, line, f"cannot decode the file as {encoding}: {exc.reason}; save it as UTF-8", col
        ) from None
    return text[1:] if text.startswith("\ufeff") else text


def read_source(path: Path) -> str:
    """The text of a source file; OSError and SourceDecodeError tell why not."""
    return decode_source(path.read_bytes(), path)
