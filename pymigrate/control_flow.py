"""Whether control can fall off the end of a block: one answer for the analyzer and the migrator.

The analyzer needs it to know if a function may end without returning a value (``None`` joins its
returns, or an ``fn`` with a declared return is refused); the migrator's inference needs it to know which
branches of a body leave it. Both read the same Python statements, so one function answers both.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence


def terminates(body: Sequence[ast.stmt]) -> bool:
    """Every path through ``body`` ends in ``return`` or ``raise`` (or loops forever)."""
    if not body:
        return False
    last = body[-1]
    if isinstance(last, (ast.Return, ast.Raise)):
        return True
    if isinstance(last, ast.If):
        return terminates(last.body) and terminates(last.orelse)
    if isinstance(last, ast.While) and isinstance(last.test, ast.Constant) and last.test.value is True:
        return not any(isinstance(n, ast.Break) for n in _loop_level(last.body))
    if isinstance(last, ast.Try):
        return terminates(last.finalbody) or ((terminates(last.body) or terminates(last.orelse))
                                              and all(terminates(h.body) for h in last.handlers))
    if isinstance(last, (ast.With, ast.AsyncWith)):
        return terminates(last.body)
    return False


def _loop_level(body: Sequence[ast.stmt]) -> list[ast.stmt]:
    """Statements of a loop body, not descending into inner loops or functions (their breaks are theirs)."""
    out: list[ast.stmt] = []
    stack = list(body)
    while stack:
        s = stack.pop()
        out.append(s)
        if isinstance(s, (ast.For, ast.While, ast.AsyncFor, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        for child in ast.iter_child_nodes(s):
            if isinstance(child, ast.stmt):
                stack.append(child)
            elif isinstance(child, (ast.ExceptHandler, ast.match_case)):
                stack.extend(child.body)
    return out
