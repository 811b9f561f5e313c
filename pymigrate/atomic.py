"""Atomic file replacement: a reader sees the old file or the new one, never a torn one.

Every file pymigrate writes next to user code or into its cache goes through here, so an
interrupted build or two processes racing on the same cache entry cannot leave a half-written
file behind.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

TEMP_SUFFIX = ".tmp"
"""Every temporary file ends so: `.NAME.XXXXXXXX[suffix].tmp` beside its target."""


def temp_path_beside(target: Path, suffix: str = "") -> Path:
    """A fresh, unused path in `target`'s directory (same filesystem, so os.replace is atomic)."""
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=suffix + TEMP_SUFFIX, dir=target.parent)
    os.close(fd)
    return Path(name)


def replace_from(temp: Path, target: Path, mode: int = 0o644) -> None:
    """Move a finished temporary file into place, keeping its content durable first."""
    try:
        os.chmod(temp, mode)
        with open(temp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def write_bytes(target: Path, data: bytes, mode: int = 0o644) -> None:
    """Write `data` to `target` atomically."""
    temp = temp_path_beside(target)
    try:
        temp.write_bytes(data)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    replace_from(temp, target, mode)


def write_text(target: Path, text: str, mode: int = 0o644) -> None:
    """Write `text` (UTF-8) to `target` atomically."""
    write_bytes(target, text.encode("utf-8"), mode)
