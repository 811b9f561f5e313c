"""Reading a `.py`/`.pys` file into text the way Python does: BOM or coding cookie, else UTF-8.

Also the one place where CPython's parser is asked whether a text is Python for every command
(parse, analyze, migrate, build): the failures CPython reports badly or not at all as a
SyntaxError (a RecursionError for deep nesting, a null byte at 1:1) become SyntaxErrors with a
clear message and the real position, so that every command reports the same
`path:line:col: error: message` for the same file.
"""

from __future__ import annotations

import ast
import gc
import io
import tokenize
import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

TOO_DEEP = "too deeply nested: an expression or statement nests or chains too deep to be processed; split it"
NULL_BYTE = "source contains a null byte; remove it"


@contextmanager
def gc_paused() -> Iterator[None]:
    """No garbage collection while a tree is built: ASTs are acyclic, and each collection walks
    every object the growing tree holds, so a big module would take quadratic time (a 5 MB module:
    23 s to parse with collections, 8.5 s without on the development machine)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


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
        line, col = 1, 1
        if "invalid or missing encoding declaration" in reason:
            reason = "the file is not UTF-8 and declares no encoding"
            try:
                data.decode("utf-8")
            except UnicodeDecodeError as bad:
                line, col = _byte_position(data, bad.start)
        raise SourceDecodeError(
            path, line, f"{reason}; save it as UTF-8 or declare its encoding, e.g. `# -*- coding: latin-1 -*-`", col
        ) from None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line, col = _byte_position(data, exc.start)
        raise SourceDecodeError(
            path, line, f"cannot decode the file as {encoding}: {exc.reason}; save it as UTF-8", col
        ) from None
    return text[1:] if text.startswith("\ufeff") else text


def _byte_position(data: bytes, index: int) -> tuple[int, int]:
    """1-based (line, column) of the byte at `index` (the column counts the line's characters)."""
    start = data.rfind(b"\n", 0, index) + 1
    return data.count(b"\n", 0, index) + 1, len(data[start:index].decode("utf-8", "replace")) + 1


def read_source(path: Path) -> str:
    """The text of a source file; OSError and SourceDecodeError tell why not."""
    return decode_source(path.read_bytes(), path)


class TooDeeplyNested(SyntaxError):
    """Nesting (or a chain of operators) deeper than CPython's parser or compiler can take."""

    def __init__(self, filename: str) -> None:
        super().__init__(TOO_DEEP, (filename, 1, 1, None))


def null_byte_position(source: str | bytes) -> tuple[int, int] | None:
    """(line, column), both 1-based, of the first null byte, or None."""
    nul = "\0" if isinstance(source, str) else b"\0"
    index = source.find(nul)  # type: ignore[arg-type]
    if index < 0:
        return None
    newline = "\n" if isinstance(source, str) else b"\n"
    start = source.rfind(newline, 0, index) + 1  # type: ignore[arg-type]
    line = source.count(newline, 0, index) + 1  # type: ignore[arg-type]
    before = source[start:index]
    col = len(before.decode("utf-8", "replace")) if isinstance(before, bytes) else len(before)
    return line, col + 1


def python_tree(source: str | bytes, filename: str, *, compile_too: bool = False) -> ast.Module:
    """CPython's tree of `source` (and its compile check), every failure a positioned SyntaxError."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            tree = ast.parse(source, filename)
            if compile_too:
                compile(tree, filename, "exec", dont_inherit=True)
        except (RecursionError, MemoryError):
            raise TooDeeplyNested(filename) from None
        except (SyntaxError, ValueError) as exc:
            where = null_byte_position(source)
            if where is not None and (isinstance(exc, ValueError) or "null" in str(exc)):
                raise SyntaxError(NULL_BYTE, (filename, where[0], where[1], None)) from None
            if isinstance(exc, ValueError):
                raise SyntaxError(str(exc), (filename, 1, 1, None)) from None
            raise
    return tree


def explained(exc: SyntaxError) -> bool:
    """Whether the message already says what is wrong and what to do (decoding, a null byte,
    nesting), unlike CPython's bare syntax messages, which callers prefix with their advice."""
    return isinstance(exc, (SourceDecodeError, TooDeeplyNested)) or exc.msg == NULL_BYTE


def diagnostic(path: str | Path, exc: SyntaxError) -> str:
    """`path:line:col: error: message`, the form editors understand (col 1-based)."""
    if isinstance(exc, SourceDecodeError):
        return str(exc)
    line = exc.lineno if exc.lineno is not None and exc.lineno > 0 else 1
    col = exc.offset if exc.offset is not None and exc.offset > 0 else 1
    return f"{path}:{line}:{col}: error: {exc.msg}"
