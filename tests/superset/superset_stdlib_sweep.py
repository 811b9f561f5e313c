"""Standard-library round trip: the superset parser against CPython's, file by file.

Used by test_superset_stdlib.py (one worker per core) and runnable alone:
`python tests/superset/superset_stdlib_sweep.py` prints every difference and the totals.
"""

from __future__ import annotations

import ast
import io
import os
import pickle
import sys
import sysconfig
import tokenize
import warnings
from dataclasses import dataclass
from multiprocessing import Pool
from pathlib import Path

from pymigrate.superset import SUPERSET_KEYWORDS, SourceDecodeError, decode_source, parse


@dataclass
class Outcome:
    path: str
    kind: str  # "same" | "backticked" | "rejected" | "undecodable" | "diff"
    lines: int = 0
    detail: str = ""


def stdlib_files() -> list[Path]:
    root = Path(sysconfig.get_paths()["stdlib"])
    files: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d != "site-packages")
        files.extend(Path(dirpath) / f for f in sorted(filenames) if f.endswith(".py"))
    return files


def _dump(tree: ast.AST, attributes: bool = True) -> str:
    return ast.dump(tree, include_attributes=attributes)


def _same(got: ast.AST, expected: ast.AST) -> bool:
    """ast.dump equality, positions included, at a fraction of its cost (the sweep's main cost).

    Equal pickles mean equal node types, field and attribute values all the way down, so they
    imply equal dumps. When the pickles differ (a real difference, or trees that only share
    nodes differently) the trees are walked side by side comparing what ast.dump prints.
    """
    if pickle.dumps(got) == pickle.dumps(expected):
        return True
    return _same_walk(got, expected)


def _same_walk(a: object, b: object) -> bool:
    """What ast.dump(include_attributes=True) compares: node types, fields, attributes, leaf reprs."""
    stack = [(a, b)]
    while stack:
        x, y = stack.pop()
        if isinstance(x, ast.AST):
            if type(x) is not type(y):
                return False
            for name in (*x._fields, *x._attributes):
                stack.append((getattr(x, name, None), getattr(y, name, None)))
        elif isinstance(x, list):
            if not isinstance(y, list) or len(x) != len(y):
                return False
            stack.extend(zip(x, y))
        elif type(x) is not type(y) or repr(x) != repr(y):
            return False
    return True


Use = tuple[int, int, int]  # line, start and end character columns of a keyword used as a name


def _keyword_uses(src: str, tree: ast.Module) -> list[Use]:
    """fn/struct/var used as names: NAME tokens as Python's own tokenizer sees them, plus
    names inside f-string replacement fields (one STRING token in 3.11), found through the AST."""
    tokens = tokenize.generate_tokens(io.StringIO(src).readline)
    uses = {
        (t.start[0], t.start[1], t.end[1])
        for t in tokens
        if t.type == tokenize.NAME and t.string in SUPERSET_KEYWORDS
    }
    lines = src.splitlines()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Name) and inner.id in SUPERSET_KEYWORDS:
                    text = lines[inner.lineno - 1].encode()
                    col = len(text[: inner.col_offset].decode())
                    uses.add((inner.lineno, col, col + len(inner.id)))
    return sorted(uses)


def _backtick(src: str, uses: list[Use]) -> str:
    lines = src.splitlines(keepends=True)
    for row, col, end in sorted(uses, reverse=True):
        line = lines[row - 1]
        lines[row - 1] = line[:col] + "`" + line[col:end] + "`" + line[end:]
    return "".join(lines)


def _shift(tree: ast.AST, uses: list[Use], src: str) -> None:
    """Move positions of a tree of `src` to where they are once `uses` are backticked."""
    lines = src.splitlines()
    per_line: dict[int, list[int]] = {}
    for row, _, end in uses:
        per_line.setdefault(row, []).append(len(lines[row - 1][:end].encode()))
    for node in ast.walk(tree):
        lineno: int | None = getattr(node, "lineno", None)
        if lineno is not None and lineno in per_line:
            # a node starting at a backticked name starts at its opening backtick
            col: int = node.col_offset
            node.col_offset = col + 2 * sum(e <= col for e in per_line[lineno])
        end_lineno: int | None = getattr(node, "end_lineno", None)
        end_col: int | None = getattr(node, "end_col_offset", None)
        if end_lineno is not None and end_col is not None and end_lineno in per_line:
            node.end_col_offset = end_col + 2 * sum(e <= end_col for e in per_line[end_lineno])


def check_file(path: str) -> Outcome:
    data = Path(path).read_bytes()
    try:
        src = decode_source(data, Path(path))
    except SourceDecodeError as exc:
        # Not text: CPython must refuse the bytes too (our command reports, never parses, these).
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ast.parse(data, path)
        except SyntaxError:
            return Outcome(path, "undecodable", detail=str(exc))
        return Outcome(path, "diff", detail=f"CPython decodes what we call undecodable: {exc}")
    nlines = src.count("\n") + 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            expected = ast.parse(src, path)
        except SyntaxError as exc:
            return _check_rejected(path, src, exc, nlines)
        try:
            got = parse(src, path)
        except SyntaxError as exc:
            return _check_keyword_use(path, src, expected, exc, nlines)
    if not _same(got.tree, expected):
        return Outcome(path, "diff", nlines, "tree differs from ast.parse")
    if got.marks:
        return Outcome(path, "diff", nlines, f"unexpected marks {got.marks[:3]}")
    return Outcome(path, "same", nlines)


def _check_rejected(path: str, src: str, exc: SyntaxError, nlines: int) -> Outcome:
    try:
        parse(src, path)
    except SyntaxError as ours:
        if ours.lineno != exc.lineno:
            return Outcome(path, "diff", nlines, f"rejected at line {ours.lineno}, CPython at {exc.lineno}")
        return Outcome(path, "rejected", nlines)
    return Outcome(path, "diff", nlines, "accepted a file ast.parse rejects")


def _check_keyword_use(path: str, src: str, expected: ast.Module, exc: SyntaxError, nlines: int) -> Outcome:
    try:
        uses = _keyword_uses(src, expected)
    except (tokenize.TokenError, SyntaxError) as err:
        return Outcome(path, "diff", nlines, f"parse failed ({exc}) and tokenize failed ({err})")
    if not uses:
        return Outcome(path, "diff", nlines, f"rejected a plain Python file: {exc!r}")
    row, col, end = uses[0]
    word = src.splitlines()[row - 1][col:end]
    want = (row, col + 1)
    if f"write `{word}`" not in str(exc.msg) or (exc.lineno, exc.offset) != want:
        return Outcome(path, "diff", nlines, f"error {exc.msg!r} at {exc.lineno}:{exc.offset}, want {want}")
    fixed = _backtick(src, uses)
    try:
        got = parse(fixed, path)
    except SyntaxError as err:
        return Outcome(path, "diff", nlines, f"backticked source rejected: {err!r}")
    _shift(expected, uses, src)  # positions only: the trees without positions are still comparable
    if not _same(got.tree, expected):
        if _dump(got.tree, False) != _dump(expected, False):
            return Outcome(path, "diff", nlines, "backticked tree differs")
        return Outcome(path, "diff", nlines, "backticked positions differ")
    if len(got.marks) != len(uses):
        return Outcome(path, "diff", nlines, f"{len(got.marks)} marks for {len(uses)} backticks")
    return Outcome(path, "backticked", nlines)


def sweep(files: list[Path], processes: int = 2) -> list[Outcome]:
    with Pool(processes) as pool:
        return pool.map(check_file, [str(f) for f in files], chunksize=16)


def main() -> int:
    outcomes = sweep(stdlib_files())
    counts: dict[str, int] = {}
    for o in outcomes:
        counts[o.kind] = counts.get(o.kind, 0) + 1
        if o.kind in ("diff", "undecodable"):
            print(f"{o.kind}: {o.path}: {o.detail}")
    print(counts, "lines:", sum(o.lines for o in outcomes))
    return 1 if counts.get("diff") else 0


if __name__ == "__main__":
    sys.exit(main())
