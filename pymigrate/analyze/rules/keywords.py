"""PM1xx: identifiers spelled like a superset keyword (`fn`, `struct`, `var`) need backticks.

Every place a name can appear is its own code because each has its own fix: a binding, a
parameter, a keyword argument at a call site, an attribute, an imported name, a plain reference.
"""

from __future__ import annotations

import ast
import re

from pymigrate.analyze.context import ModuleContext
from pymigrate.analyze.model import Finding

try:  # the superset front end owns the list; fall back to the documented set until it lands
    from pymigrate.superset import SUPERSET_KEYWORDS as _KEYWORDS
except ImportError:  # pragma: no cover - depends on build order
    _KEYWORDS = frozenset({"fn", "struct", "var"})

KEYWORDS: frozenset[str] = frozenset(_KEYWORDS)


_WORD = re.compile(r"\b(?:" + "|".join(sorted(KEYWORDS)) + r")\b")


def may_contain_keyword(source: str) -> bool:
    """Cheap pre-test: most files never spell a keyword as a word, and then the walk is skipped."""
    return _WORD.search(source) is not None


def keyword_findings(ctx: ModuleContext, nodes: list[ast.AST]) -> list[Finding]:
    out: list[Finding] = []
    for node in nodes:
        if isinstance(node, ast.Name):
            if node.id in KEYWORDS:
                code = "PM106" if isinstance(node.ctx, ast.Load) else "PM101"
                out.append(ctx.at(code, node, name=node.id))
        elif isinstance(node, ast.arg):
            if node.arg in KEYWORDS:
                out.append(ctx.at("PM102", node, name=node.arg))
        elif isinstance(node, ast.keyword):
            if node.arg in KEYWORDS:
                out.append(ctx.at("PM103", node, name=node.arg))
        elif isinstance(node, ast.Attribute):
            if node.attr in KEYWORDS:
                line = node.end_lineno or node.lineno
                col = (node.end_col_offset or 0) - len(node.attr)
                out.append(ctx.finding("PM104", line, col, name=node.attr))
        elif isinstance(node, ast.alias):
            parts = [*node.name.split("."), *([node.asname] if node.asname else [])]
            for part in parts:
                if part in KEYWORDS:
                    out.append(ctx.at("PM105", node, name=part))
        elif isinstance(node, ast.ImportFrom):
            for part in (node.module or "").split("."):
                if part in KEYWORDS:
                    out.append(ctx.at("PM105", node, name=part))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if node.name in KEYWORDS:
                out.append(ctx.finding("PM101", node.lineno, ctx.name_column(node), name=node.name))
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            for name in node.names:
                if name in KEYWORDS:
                    out.append(ctx.at("PM101", node, name=name))
        elif isinstance(node, ast.ExceptHandler):
            if node.name in KEYWORDS:
                out.append(ctx.at("PM101", node, name=node.name))
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)):
            if node.name in KEYWORDS:
                out.append(ctx.at("PM101", node, name=node.name))
        elif isinstance(node, ast.MatchMapping):
            if node.rest in KEYWORDS:
                out.append(ctx.at("PM101", node, name=node.rest))
        elif isinstance(node, ast.MatchClass):
            for attr in node.kwd_attrs:
                if attr in KEYWORDS:
                    out.append(ctx.at("PM104", node, name=attr))
    return out
