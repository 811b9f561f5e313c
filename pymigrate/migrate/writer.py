"""Applying a migration to disk without ever losing the user's code.

Each file is written through a temporary file in its own directory and `os.replace`, so a
reader sees the old file or the new one. A module that becomes `name.pys` has its `.pys`
written before its `.py` is removed, and the `.pys` is taken back if the removal fails.
A write is refused, with the reason, when the source changed on disk since it was read, or
when `name.pys` already exists with other content.

A new `name.pys` is created exclusively (a hard link from the finished temporary file, which
fails if the name exists), and a rollback removes it only while it is still the very file this
process created: another run's `.pys` is never taken away. A `.py` that disappears under us
keeps its `.pys` (then the module's only copy). `migrate --write` also holds a lock on every
directory it writes into (pymigrate.migrate.lock), so two runs do not interleave at all.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from pymigrate.atomic import temp_path_beside, write_bytes
from pymigrate.migrate.result import FileResult


class UnsafeWrite(Exception):
    """A write that could lose code; the reason says what to do instead."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


def _mode(path: Path) -> int:
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return 0o644


def create_exclusive(target: Path, data: bytes, mode: int) -> tuple[int, int]:
    """Create `target` with `data`, complete or not at all; FileExistsError if the name is taken.

    Returns the (device, inode) of the created file, so that a rollback can tell it from a file
    someone else put there since.
    """
    temp = temp_path_beside(target)
    try:
        with open(temp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, mode)
        st = os.stat(temp)
        try:
            os.link(temp, target)
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
                raise
            return _create_without_link(target, data, mode)  # a filesystem without hard links
        return st.st_dev, st.st_ino
    finally:
        temp.unlink(missing_ok=True)


def _create_without_link(target: Path, data: bytes, mode: int) -> tuple[int, int]:
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
        st = os.fstat(handle.fileno())
    return st.st_dev, st.st_ino


def _remove_if_ours(target: Path, ours: tuple[int, int]) -> None:
    try:
        st = os.stat(target, follow_symlinks=False)
    except OSError:
        return
    if (st.st_dev, st.st_ino) == ours:
        target.unlink(missing_ok=True)


def apply(result: FileResult) -> None:
    """Write one changed result; raises UnsafeWrite or OSError with the original untouched."""
    assert result.changed and result.output_path is not None
    path, target = result.path, result.output_path
    if path.is_symlink():
        raise UnsafeWrite(path, "is a symbolic link; nothing written (migrate the file it points to)")
    try:
        current = path.read_bytes()
    except FileNotFoundError:
        raise UnsafeWrite(path, "removed during the run; nothing written") from None
    if current != result.original:
        raise UnsafeWrite(path, "changed on disk during the run; nothing written (run pymigrate migrate again)")
    mode = _mode(path)
    data = result.data
    if target == path:
        write_bytes(path, data, mode)
        return
    created: tuple[int, int] | None = None
    if not (target.exists() or target.is_symlink()):
        try:
            created = create_exclusive(target, data, mode)
        except FileExistsError:
            pass  # created by someone else since the check: compare it like any existing file
    if created is None:
        try:
            existing = target.read_bytes()
        except OSError as exc:
            raise UnsafeWrite(target, f"exists and cannot be read ({exc.strerror}); nothing written") from None
        if existing != data:
            raise UnsafeWrite(
                target, f"already exists with other content; {path} was not migrated. "
                f"Compare the two, keep one, and run again"
            )
    try:
        os.unlink(path)
    except FileNotFoundError:
        raise UnsafeWrite(path, f"removed by another process during the write; {target.name} kept") from None
    except OSError:
        if created is not None:
            _remove_if_ours(target, created)
        raise
