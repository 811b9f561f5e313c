"""Which identifiers of a `.pys` module must be written in backticks.

Every LibCST `Name` is an identifier: bindings, uses, parameters, keyword arguments at call
sites, attribute names, import paths and aliases, global/nonlocal items, match patterns. A
name spelled like a superset keyword gets backticks at every one of those places, so the
module means what the Python module meant; strings (including `__all__` entries and string
annotations) are text, not names, and stay as they are, which is how CPython callers keep
using the plain name.
"""

from __future__ import annotations

import re

import libcst as cst

from pymigrate.superset import SUPERSET_KEYWORDS

# A Name spelled like a keyword appears in the text as that word: when the text has none, no visit is needed
# (a LibCST visit of a large module costs seconds; most modules name nothing `fn`, `struct` or `var`).
_KEYWORD_WORD = re.compile(r"\b(?:" + "|".join(sorted(SUPERSET_KEYWORDS)) + r")\b")


class _KeywordNames(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[cst.Name] = []

    def visit_Name(self, node: cst.Name) -> None:
        if node.value in SUPERSET_KEYWORDS:
            self.found.append(node)


def keyword_names(module: cst.Module, code: str) -> list[cst.Name]:
    """The Name nodes of `module` that need backticks in superset source.

    `code` is a text holding every identifier of `module` (its printed code, or the text it was parsed from
    before changes that add no identifier of that spelling)."""
    if _KEYWORD_WORD.search(code) is None:
        return []
    visitor = _KeywordNames()
    module.visit(visitor)
    return visitor.found


def needs_backticks(module: cst.Module, code: str) -> bool:
    return bool(keyword_names(module, code))
