"""Where pymigrate keeps its caches: compiled modules (runtime/cache.py) and analyses (analyze/cache.py)."""

from __future__ import annotations

import os

CACHE_ENV = "PYMIGRATE_CACHE_DIR"
"""When set, the caches go to this directory instead of their default places."""


def user_cache_dir() -> str:
    """`$XDG_CACHE_HOME/pymigrate`, else `~/.cache/pymigrate`."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "pymigrate")
