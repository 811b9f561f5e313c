"""Where pymigrate keeps its caches: compiled modules (runtime/cache.py) and analyses (analyze/cache.py)."""

from __future__ import annotations

import os
import stat

CACHE_ENV = "PYMIGRATE_CACHE_DIR"
"""When set, the caches go to this directory instead of their default places."""

NO_CACHE_ENV = "PYMIGRATE_NO_CACHE"
"""When set (to anything but 0), compiled modules and analyses are not written to a cache."""

_SHARED_WRITE = stat.S_IWGRP | stat.S_IWOTH


def user_cache_dir() -> str:
    """`$XDG_CACHE_HOME/pymigrate`, else `~/.cache/pymigrate`."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "pymigrate")


def untrusted_reason(st: os.stat_result, owners: frozenset[int], *, directory: bool) -> str | None:
    """Why a cache directory or entry must not be used, or None if this user alone controls it."""
    if directory and not stat.S_ISDIR(st.st_mode):
        return "is not a directory"
    if not directory and not stat.S_ISREG(st.st_mode):
        kind = "a directory" if stat.S_ISDIR(st.st_mode) else "a symbolic link" if stat.S_ISLNK(st.st_mode) else "not a regular file"
        return f"is {kind}, not a cache entry; remove it"
    if st.st_uid not in owners:
        return f"is owned by another user (uid {st.st_uid})"
    if st.st_mode & _SHARED_WRITE:
        return f"is writable by {'group and others' if st.st_mode & stat.S_IWOTH else 'its group'} (mode {stat.S_IMODE(st.st_mode):o})"
    return None
