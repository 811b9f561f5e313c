"""A content-addressed cache of each module's analysis, so that a run after a small change costs that change.

An entry is the pickled `ModuleAnalysis` of one file, named by a key that hashes everything its result
depends on: the file's bytes, the path it is reported under and whether it is a test module, the
configuration that filters findings (`select`, `ignore`), mypy's errors for it (`--mypy`), the Python
version (the parser) and pymigrate's own sources (sizes and modification times of every module of the
package, as the compile cache does). A module's analysis reads no other module, so nothing else can
change it. Errors (an unreadable file, an internal error) are never stored: they are retried.

Where: `$PYMIGRATE_CACHE_DIR/analyze` when that is set, else `~/.cache/pymigrate/analyze`
(`$XDG_CACHE_HOME/pymigrate/analyze`). The same safety rules as the compile cache hold: the directory
is created private (0700) and used only when it is owned by this user and writable by no one else;
an entry is read only when it is a regular file owned by this user, and only when its content digest
matches (a truncated or altered entry is removed and recomputed); entries are written atomically
(temp file + rename), so two runs at once never see a torn file. `--no-cache` neither reads nor writes.
"""

from __future__ import annotations

import errno
import hashlib
import os
import pickle
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Self, Sequence

from pymigrate.analyze.model import ModuleAnalysis
from pymigrate.analyze.typecheck import TypeError_
from pymigrate.config import Config

_MAGIC = b"PMA1"
_DIGEST = 32
_fingerprint: str | None = None


def cache_base() -> Path:
    """`$PYMIGRATE_CACHE_DIR`, else the user cache directory's `pymigrate`: where pymigrate's caches live."""
    from pymigrate.cachedir import CACHE_ENV, user_cache_dir

    return Path(os.environ.get(CACHE_ENV) or user_cache_dir())


def default_directory() -> Path:
    """`$PYMIGRATE_CACHE_DIR/analyze`, else the user cache directory's `pymigrate/analyze`."""
    return cache_base() / "analyze"


def pymigrate_fingerprint() -> str:
    """pymigrate's sources (size and mtime of each module) and the Python version: an upgrade, an edit of
    the analyzer or another interpreter makes every entry a miss."""
    global _fingerprint
    if _fingerprint is None:
        digest = hashlib.sha256(sys.version.encode())
        package = Path(__file__).resolve().parents[1]
        for directory, dirs, names in os.walk(package):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(names):
                if name.endswith(".py"):
                    st = os.stat(os.path.join(directory, name))
                    rel = os.path.relpath(os.path.join(directory, name), package)
                    digest.update(f"{rel}:{st.st_size}:{st.st_mtime_ns}\n".encode())
        _fingerprint = digest.hexdigest()
    return _fingerprint


class CacheUnusable(Exception):
    """The cache directory is not safe to use (another owner, writable by others) or cannot be created."""


def _owners() -> frozenset[int]:
    """Who may own the cache and its entries: this user (and root), as for the compile cache."""
    return frozenset((os.getuid(), 0)) if hasattr(os, "getuid") else frozenset()


def _untrusted(st: os.stat_result, *, directory: bool) -> str | None:
    from pymigrate.cachedir import untrusted_reason

    return untrusted_reason(st, _owners(), directory=directory) if hasattr(os, "getuid") else None


def private_directory(directory: Path) -> None:
    """Create `directory` private, or check that an existing one is this user's and writable by no one else
    (the compile cache's rule, pymigrate.cachedir.untrusted_reason)."""
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = os.lstat(directory)
    except OSError as exc:
        raise CacheUnusable(f"{directory}: cannot create the cache directory ({exc.strerror or exc})") from None
    reason = _untrusted(st, directory=True)
    if reason is not None:
        raise CacheUnusable(f"{directory} {reason}; not used")


@dataclass(frozen=True)
class ContentCache:
    """A private directory of entries named by content keys, and the part of every key that is the same
    for a whole run (pymigrate's sources and the settings given). Plain data, so that worker processes
    receive it with their files."""

    directory: Path
    salt: str

    @classmethod
    def opened(cls, directory: Path, settings: object) -> Self:
        """The cache in `directory` for runs with `settings`; raises CacheUnusable when the directory fails
        the checks."""
        private_directory(directory)
        return cls(directory, hashlib.sha256(repr((pymigrate_fingerprint(), settings)).encode()).hexdigest())

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / key


@dataclass(frozen=True)
class AnalysisCache(ContentCache):
    """The cache of each module's analysis."""

    @classmethod
    def open(cls, config: Config, directory: Path | None = None) -> AnalysisCache:
        """The cache for runs with `config`; raises CacheUnusable when the directory fails the checks."""
        return cls.opened(directory if directory is not None else default_directory(), (config.select, config.ignore))

    def key(self, data: bytes, shown: str, test: bool, type_errors: Sequence[TypeError_]) -> str:
        digest = hashlib.sha256()
        digest.update(f"{self.salt}\0{shown}\0{test}\0{type_errors!r}\0".encode("utf-8", "surrogateescape"))
        digest.update(data)
        return digest.hexdigest()

    def load(self, key: str) -> ModuleAnalysis | None:
        """The stored analysis, or None (missing, not ours, or damaged: a damaged entry is removed)."""
        value = read_entry(self._path(key))
        return value if isinstance(value, ModuleAnalysis) else None

    def store(self, key: str, analysis: ModuleAnalysis) -> None:
        """Write the entry atomically (write_entry)."""
        write_entry(self._path(key), analysis)


_refused: dict[str, str] = {}  # entry path -> why it was not used, in this process


def take_refused_entries() -> list[tuple[str, str]]:
    """(path, reason) of each analysis or migration cache entry found since the last call that this process
    would not use (another user's, writable by others, not a regular file), once each, and forget them. The
    command line shows them after the command's work, outside what a cached migrate run records and replays,
    and takes them before it too, so that a command run in the same process never shows another's."""
    found = sorted(_refused.items())
    _refused.clear()
    return found


def read_entry(path: Path) -> object:
    """The value stored at `path`, or None: missing, not a regular file of this user's, or damaged (a
    damaged entry, or one of an older layout, is removed)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # O_NOFOLLOW met a symbolic link planted at the entry's name
            _refused.setdefault(str(path), "is a symbolic link, not a cache entry; remove it")
        return None
    try:
        reason = _untrusted(os.fstat(fd), directory=False)
        if reason is not None:
            _refused.setdefault(str(path), reason)
            return None
        with os.fdopen(fd, "rb") as handle:
            fd = -1
            blob = handle.read()
    except OSError:
        return None
    finally:
        if fd >= 0:
            os.close(fd)
    payload = blob[len(_MAGIC) + _DIGEST:]
    if blob[:len(_MAGIC)] != _MAGIC or hashlib.sha256(payload).digest() != blob[len(_MAGIC):len(_MAGIC) + _DIGEST]:
        _discard(path)
        return None
    try:
        return pickle.loads(payload)
    except Exception:  # noqa: BLE001 - an entry of an older layout is a miss, never an error
        _discard(path)
        return None


def write_entry(path: Path, value: object) -> None:
    """Write an entry atomically (a private temp file renamed into place). Not fsynced: an entry lost or
    torn by a crash fails its digest check and is recomputed, and a sync per entry would cost more than
    computing it. A cache that cannot be written only costs the next run time."""
    payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    temp = None
    try:
        path.parent.mkdir(mode=0o700, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=f".{path.name[:16]}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as handle:
            handle.write(_MAGIC + hashlib.sha256(payload).digest() + payload)
        os.replace(temp, path)
    except OSError:
        if temp is not None:
            _discard(Path(temp))


def _discard(path: Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
