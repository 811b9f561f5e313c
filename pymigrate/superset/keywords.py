"""The superset's reserved and contextual words, kept in one place so every stage agrees."""

from __future__ import annotations

import keyword

#: Words that need backticks to be used as names anywhere in a superset (or Python) file.
SUPERSET_KEYWORDS: frozenset[str] = frozenset({"fn", "struct", "var"})

#: Argument conventions allowed before a parameter name in a `fn` parameter list.
CONVENTIONS: frozenset[str] = frozenset({"mut", "out", "var"})

#: Words that are keywords only in their place (a fn header) and plain names everywhere else.
CONTEXTUAL_KEYWORDS: frozenset[str] = frozenset({"mut", "out", "raises"})

#: Python's hard keywords (soft keywords such as `match` stay names).
PYTHON_KEYWORDS: frozenset[str] = frozenset(keyword.kwlist)


def needs_backticks(name: str) -> bool:
    """True when `name` can only be written as a name in backticks."""
    return name in SUPERSET_KEYWORDS or name in PYTHON_KEYWORDS
