"""Which identifiers of a `.pys` module must be written in backticks.

Every LibCST `Name` is an identifier: bindings, uses, parameters, keyword arguments at call
sites, attribute names, import paths and aliases, global/nonlocal items, match patterns. A
name spelled like a superset keyword gets backticks at every one of those places, so the
module means what the Python module meant; strings (including `__all__` entries and string
annotations) are text, not names, and stay as they are, which is how CPython callers keep
using the plain name.
"""

from __future__ import annotations

import libcst as cst

from pymigrate.superset import SUPERSET_KEYWORDS


class _KeywordNames(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[cst.Name] = []

    def visit_Name(self, node: cst.Name) -> None:
        if node.value in SUPERSET_KEYWORDS:
            self.found.append(node)


def keyword_names(module: cst.Module) -> list[cst.Name]:
    """The Name nodes of `module` that need backticks in superset source."""
    visitor = _KeywordNames()
    module.visit(visitor)
    return visitor.found


def needs_backticks(module: cst.Module) -> bool:
    return bool(keyword_names(module))
