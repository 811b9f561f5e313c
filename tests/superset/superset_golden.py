"""Golden files for the superset front end: marks, query answers and printer output.

For fixtures/superset/NAME.pys the expected results live beside it in NAME.marks (every mark
and what the ParseResult queries answer) and NAME.printed.pys (what `unparse` prints).
They are snapshots (inline-snapshot's external files): `make snapshots` rewrites them; review the diff.
"""

from __future__ import annotations

import ast
from pathlib import Path

from pymigrate.superset import ParseResult

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "superset"


def sources() -> list[Path]:
    return sorted(p for p in FIXTURES.glob("*.pys") if not p.name.endswith(".printed.pys"))


def _pos(node: ast.AST) -> str:
    return f"{getattr(node, 'lineno', '?')}:{getattr(node, 'col_offset', '?')}"


def describe(result: ParseResult) -> str:
    """Every mark, then the answer of every query on every node it applies to."""
    out = ["marks:"]
    for m in result.marks:
        out.append(f"  {m.kind.name} {m.line}:{m.col}-{m.end_line}:{m.end_col} {m.name}")
    out.append("functions:")
    for node in ast.walk(result.tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            a = node.args
            params = [p for p in (*a.posonlyargs, *a.args, a.vararg, *a.kwonlyargs, a.kwarg) if p]
            conv = " ".join(f"{p.arg}:{result.convention(node, p)}" for p in params)
            out.append(
                f"  {_pos(node)} {node.name} fn={result.is_fn(node)} raises={result.raises(node)}"
                f" backticked={result.is_backticked(node)} params=[{conv}]"
            )
    out.append("classes:")
    for node in ast.walk(result.tree):
        if isinstance(node, ast.ClassDef):
            out.append(
                f"  {_pos(node)} {node.name} struct={result.is_struct(node)}"
                f" backticked={result.is_backticked(node)}"
            )
    out.append("var declarations:")
    for node in ast.walk(result.tree):
        if isinstance(node, ast.stmt) and result.is_var_decl(node):
            out.append(f"  {_pos(node)} {ast.get_source_segment(result.source, node)}")
    out.append("backticked names:")
    for node in ast.walk(result.tree):
        if isinstance(node, (ast.Name, ast.arg, ast.Attribute, ast.keyword, ast.alias)):
            if result.is_backticked(node):
                out.append(f"  {type(node).__name__} {_pos(node)} {ast.get_source_segment(result.source, node)}")
    return "\n".join(out) + "\n"


def expected_paths(source: Path) -> tuple[Path, Path]:
    stem = source.name[: -len(".pys")]
    return source.with_name(stem + ".marks"), source.with_name(stem + ".printed.pys")
