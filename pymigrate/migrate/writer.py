"""Applying a migration to disk without ever losing the user's code.

Each file is written through a temporary file in its own directory and `os.replace`, so a
reader sees the old file or the new one. A module that becomes `name.pys` has its `.pys`
written before its `.py` is removed, and the `.pys` is taken back if the removal fails.
A write is refused, with the reason, when the source changed on disk since it was read, or
when `name.pys` already exists with other content.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from pymigrate.migrate.pipeline import FileResult
from pymigrate.runtime.atomic import write_bytes


class UnsafeWrite(Exception):
    """A write that could lose code; the message says what to do instead."""


def _mode(path: Path) -> int:
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return 0o644


def apply(result: FileResult) -> None:
    """Write one changed result; raises UnsafeWrite or OSError with the original untouched."""
    assert result.changed and result.output_path is not None
    path, target = result.path, result.output_path
    if path.is_symlink():
        raise UnsafeWrite(f"{path}: is a symbolic link; nothing written (migrate the file it points to)")
    try:
        current = path.read_bytes()
    except FileNotFoundError:
        raise UnsafeWrite(f"{path}: removed during the run; nothing written") from None
    if current != result.original:
        raise UnsafeWrite(f"{path}: changed on disk during the run; nothing written (run pymigrate migrate again)")
    mode = _mode(path)
    data = result.data
    if target == path:
        write_bytes(path, data, mode)
        return
    created = False
    if target.exists() or target.is_symlink():
        try:
            existing = target.read_bytes()
        except OSError as exc:
            raise UnsafeWrite(f"{target}: exists and cannot be read ({exc.strerror}); nothing written") from None
        if existing != data:
            raise UnsafeWrite(
                f"{target}: already exists with other content; {path} was not migrated. "
                f"Compare the two, keep one, and run again"
            )
    else:
        write_bytes(target, data, mode)
        created = True
    try:
        os.unlink(path)
    except OSError:
        if created:
            target.unlink(missing_ok=True)
        raise
