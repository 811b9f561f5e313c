"""After-the-fact checks of a migrated tree: used by the real-package tests and benchmark.

They restate the migrator's promises from the outside, on files as written: every output
parses (a `.pys` with the superset front end, a `.py` with CPython), and every comment of
the original is still there, in order.
"""

from __future__ import annotations

import io
import tokenize
from pathlib import Path

from pymigrate.superset import parse


def comment_tokens(python_source: str) -> list[str]:
    """Every comment token of a Python source, in order."""
    tokens = tokenize.generate_tokens(io.StringIO(python_source).readline)
    return [tok.string for tok in tokens if tok.type == tokenize.COMMENT]


def audit_module(original: str, py_path: Path) -> list[str]:
    """Problems with the migrated form of the module that was `py_path` with text `original`."""
    pys_path = py_path.with_suffix(".pys")
    if py_path.exists() == pys_path.exists():
        return [f"{py_path}: expected exactly one of {py_path.name} and {pys_path.name}"]
    path = pys_path if pys_path.exists() else py_path
    output = path.read_text(encoding="utf-8")
    try:
        if path.suffix == ".pys":
            parse(output, str(path))
        else:
            compile(output, str(path), "exec", dont_inherit=True)
    except SyntaxError as exc:
        return [f"{path}: does not parse: {exc}"]
    position = 0
    for comment in comment_tokens(original):
        found = output.find(comment, position)
        if found < 0:
            return [f"{path}: comment lost or moved: {comment!r}"]
        position = found + len(comment)
    return []
