"""One `migrate --write` at a time per directory, and the leftovers of killed runs cleaned up.

The lock is `fcntl.flock` on each directory a run writes into, taken in sorted order before
anything is read (so two runs never both infer and then race on the same files, and two
waiting runs cannot deadlock). Locking the directories themselves leaves no lock file in the
user's tree and has no unlink race; the kernel drops the locks when the process ends, even by
SIGKILL, so a killed run never blocks the next one.
"""

from __future__ import annotations

import errno
import fcntl
import os
import re
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

from pymigrate.atomic import TEMP_SUFFIX

#: A temporary file of a source write: `.NAME.py.XXXXXXXX.tmp` / `.NAME.pys.XXXXXXXX.tmp`
#: (atomic.temp_path_beside's names for a `.py` or `.pys` target).
_SOURCE_TEMP = re.compile(r"\..+\.pys?\.[a-z0-9_]{8}" + re.escape(TEMP_SUFFIX))


class LockBusy(Exception):
    """Another run holds the lock of a directory this run must write into."""

    def __init__(self, directory: Path) -> None:
        super().__init__(
            f"{directory}: another `pymigrate migrate --write` is writing here; nothing was done. "
            f"Run again when it has finished, or pass --wait to wait for it"
        )
        self.directory = directory


@contextmanager
def write_lock(directories: Iterable[Path], *, wait: bool = False) -> Iterator[None]:
    """Hold an exclusive lock on every directory in `directories` (LockBusy if one is taken)."""
    fds: list[int] = []
    try:
        for directory in sorted({d.resolve() for d in directories}):
            fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
            fds.append(fd)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    raise LockBusy(directory) from None
                raise
        yield
    finally:
        for fd in fds:
            os.close(fd)  # closing the descriptor releases its lock


def remove_stale_temps(directory: Path) -> list[Path]:
    """Delete the temporary files that killed writes left in `directory`; returns them.

    Only called with the directory's lock held: no other migrate run can be writing there, so a
    source temp file (our own naming, a regular file owned by this user) is a leftover.
    """
    removed: list[Path] = []
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return removed
    for entry in entries:
        if not _SOURCE_TEMP.fullmatch(entry.name):
            continue
        try:
            st = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if not entry.is_file(follow_symlinks=False) or st.st_uid != os.getuid():
            continue
        try:
            os.unlink(entry.path)
        except OSError:
            continue
        removed.append(Path(entry.path))
    return removed
