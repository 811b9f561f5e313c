"""On-disk cache of compiled `.pys` modules, as shared objects loaded without llvmlite.

An entry is one file, `<stem>.pymigrate-<key>.<digest>.so`, where `key` hashes everything that
decides the machine code (source bytes, module name, compiler and Python versions, CPU, ABI)
and `digest` is the entry's own content hash. An entry is therefore written once, atomically
(temp file + os.replace), and checked on every load: a truncated or altered file fails the digest
check and is rebuilt, and two processes building the same module at once each write a complete
file, so neither can see a torn one.

Nothing in a cache directory is trusted that this user did not make: a directory not owned by
this user (or root) or writable by group or others is not used at all, and an entry that is not
a regular file owned by this user (or root), or that group or others may write, is never loaded.
In `__pycache__` beside the source, the owner of the source's directory is trusted as well: that
user can already change the code being imported. Each is
reported once with a CacheWarning (a RuntimeWarning, shown by default) instead of being passed
over in silence. The checks are made on the opened file (fstat), so what is checked is what is
hashed; the entry is then loaded from a directory no one else can write.

This module is on the cached-import path, so it imports only the standard library and stays
cheap: no llvmlite, no compiler.
"""

from __future__ import annotations

import hashlib
import os
import sys
import sysconfig
import warnings
from importlib.machinery import PathFinder

from pymigrate.abi import EXEC_SYMBOL as EXEC_SYMBOL  # re-exported: the name the hook looks up
from pymigrate.cachedir import CACHE_ENV as CACHE_ENV  # re-exported: the hook's tests set it
from pymigrate.cachedir import NO_CACHE_ENV as NO_CACHE_ENV  # when set (to anything but 0), nothing is written
from pymigrate.cachedir import untrusted_reason as untrusted_reason
from pymigrate.cachedir import user_cache_dir as user_cache_dir

# CACHE_ENV: when set, every entry goes to this directory instead of `__pycache__` beside the source.


class CacheWarning(RuntimeWarning):
    """A cache directory or entry that is not used, and why (a planted or damaged file)."""


_warned: set[str] = set()


def warn(message: str) -> None:
    """Tell the user once per process (a cache problem is met at every import otherwise)."""
    if message not in _warned:
        _warned.add(message)
        warnings.warn(message, CacheWarning, stacklevel=3)


def _owners(extra: int | None = None) -> frozenset[int]:
    return frozenset((os.getuid(), 0) if extra is None else (os.getuid(), 0, extra))


def trusted_dir(directory: str, owners: frozenset[int]) -> bool:
    """May entries be loaded from (and written to) this existing directory? Warns when not."""
    try:
        st = os.stat(directory)
    except OSError:
        return False
    reason = untrusted_reason(st, owners, directory=True)
    if reason is not None:
        warn(f"pymigrate cache directory {directory} {reason}: not used (compiled modules are not loaded from it)")
        return False
    return True


_FINGERPRINTED_PACKAGES = ("codegen", "superset")
_fingerprint: str | None = None


def _machine() -> str:
    """The hardware name (x86_64, aarch64...); `platform` is not imported, it costs an import of re."""
    uname = getattr(os, "uname", None)
    return str(uname().machine) if uname is not None else str(sysconfig.get_platform())


def _cpu_signature() -> str:
    """This CPU's model and features: code compiled for the host CPU must not move to another."""
    try:
        with open("/proc/cpuinfo", "rb") as handle:
            block = handle.read(1 << 16).split(b"\n\n", 1)[0]
        wanted = (b"vendor_id", b"model name", b"flags", b"Features", b"CPU part")
        lines = [line for line in block.splitlines() if line.split(b":", 1)[0].strip() in wanted]
        if lines:
            return hashlib.sha256(b"\n".join(lines)).hexdigest()[:16]
    except OSError:
        pass
    return _machine()


def compiler_fingerprint() -> str:
    """Identifies the compiler that produced an entry: pymigrate's sources and llvmlite's version.

    File sizes and modification times stand in for contents, so computing it costs a few stats
    instead of reading the compiler.
    """
    global _fingerprint
    if _fingerprint is None:
        digest = hashlib.sha256()
        package_dir = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        for sub in _FINGERPRINTED_PACKAGES:
            try:
                entries = sorted(os.scandir(os.path.join(package_dir, sub)), key=lambda e: e.name)
            except OSError:
                continue
            for entry in entries:
                if entry.name.endswith(".py"):
                    st = entry.stat()
                    digest.update(f"{sub}/{entry.name}:{st.st_size}:{st.st_mtime_ns}\n".encode())
        spec = PathFinder.find_spec("llvmlite")
        if spec is not None and spec.origin:
            version_file = os.path.join(os.path.dirname(spec.origin), "_version.py")
            try:
                with open(version_file, "rb") as handle:
                    digest.update(handle.read())
            except OSError:
                digest.update(spec.origin.encode())
        _fingerprint = digest.hexdigest()
    return _fingerprint


def entry_key(source_bytes: bytes, module_name: str, *, cpu: str = "host") -> str:
    """The cache key of a module: changes whenever the compiled code could change."""
    digest = hashlib.sha256()
    for part in (
        module_name,
        compiler_fingerprint(),
        sys.version,
        sys.implementation.cache_tag or "",
        str(sysconfig.get_config_var("EXT_SUFFIX")),
        _machine(),
        _cpu_signature() if cpu == "host" else cpu,
    ):
        digest.update(part.encode("utf-8") + b"\0")
    digest.update(source_bytes)
    return digest.hexdigest()[:24]


def content_digest(path: str | os.PathLike[str]) -> str:
    """The digest that names an entry file after its own bytes."""
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()[:16]


def _checked_digest(path: str, owners: frozenset[int]) -> str | None:
    """The content digest of an entry this user alone controls, or None (with a warning) if not.

    The file is opened without following a symbolic link and without blocking on a FIFO, and
    the checks are made on the open file, so the bytes hashed are the bytes checked.
    """
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        if os.path.islink(path):
            warn(f"pymigrate cache entry {path} is a symbolic link, not a cache entry; not loaded")
        return None
    try:
        reason = untrusted_reason(os.fstat(fd), owners, directory=False)
        if reason is not None:
            warn(f"pymigrate cache entry {path} {reason}; not loaded")
            return None
        digest = hashlib.sha256()
        while chunk := os.read(fd, 1 << 20):
            digest.update(chunk)
        return digest.hexdigest()[:16]
    finally:
        os.close(fd)


class CacheSlot:
    """Where the entries of one module (at one key) live."""

    def __init__(
        self, directory: str, stem: str, key: str, beside_source: bool, writable: bool, owners: frozenset[int]
    ) -> None:
        self.directory = directory
        self.owners = owners
        self.stem = stem
        self.key = key
        self.beside_source = beside_source
        self.writable = writable

    def __repr__(self) -> str:
        return f"CacheSlot({os.path.join(self.directory, self.prefix)!r}, writable={self.writable})"

    @property
    def prefix(self) -> str:
        return f"{self.stem}.pymigrate-{self.key}."

    def entry_path(self, digest: str) -> str:
        return os.path.join(self.directory, f"{self.prefix}{digest}.so")

    def find(self) -> str | None:
        """A complete, untampered entry, or None (damaged entries are removed)."""
        try:
            names = [n for n in os.listdir(self.directory) if n.startswith(self.prefix) and n.endswith(".so")]
        except OSError:
            return None
        for name in sorted(names):
            path = os.path.join(self.directory, name)
            digest = name[len(self.prefix) : -len(".so")]
            try:
                found = _checked_digest(path, self.owners)
            except OSError:
                continue
            if found is None:
                continue
            if found == digest:
                return path
            discard(path)
        return None

    def commit(self, built: str | os.PathLike[str]) -> str:
        """Copy a freshly built shared object into the cache under its content digest (atomic)."""
        from pathlib import Path

        from pymigrate import atomic

        data = Path(built).read_bytes()
        final = self.entry_path(hashlib.sha256(data).hexdigest()[:16])
        atomic.write_bytes(Path(final), data, 0o755)
        if self.beside_source:
            self.prune(keep=final)
        return final

    def prune(self, keep: str) -> None:
        """Drop this module's entries for older keys (source edits leave them behind)."""
        old_prefix = f"{self.stem}.pymigrate-"
        try:
            names = os.listdir(self.directory)
        except OSError:
            return
        for name in names:
            if name.startswith(old_prefix) and name.endswith(".so") and not name.startswith(self.prefix):
                discard(os.path.join(self.directory, name))


def discard(path: str | os.PathLike[str]) -> None:
    """Remove a cache file if possible; a file another process holds open stays valid for it."""
    try:
        os.unlink(path)
    except OSError:
        pass


def _usable_dir(directory: str, mode: int, owners: frozenset[int]) -> bool:
    """Create `directory` if missing (at most `mode`); True if it is trusted and writable."""
    try:
        os.makedirs(directory, mode=mode, exist_ok=True)
    except OSError:
        return False
    return trusted_dir(directory, owners) and os.access(directory, os.W_OK | os.X_OK)


def slot_for(source: str, module_name: str, source_bytes: bytes) -> CacheSlot | None:
    """The cache slot for a module, or None when there is nowhere to look.

    Order: $PYMIGRATE_CACHE_DIR, then `__pycache__` beside the source (like `.pyc` files),
    then the user cache directory. With PYMIGRATE_NO_CACHE=1 existing entries are used but none
    are written. (`sys.dont_write_bytecode` is not followed: a native build costs seconds where a
    `.pyc` costs milliseconds, and environments often set PYTHONDONTWRITEBYTECODE globally.)
    """
    key = entry_key(source_bytes, module_name)
    may_write = os.environ.get(NO_CACHE_ENV, "") in ("", "0")
    override = os.environ.get(CACHE_ENV)
    mine = _owners()
    if override:
        if may_write and _usable_dir(override, 0o700, mine):
            return CacheSlot(override, module_name, key, False, True, mine)
        if not may_write and trusted_dir(override, mine):
            return CacheSlot(override, module_name, key, False, False, mine)
        if os.path.exists(override):
            return None  # an untrusted override: no cache at all rather than another place
    source_dir = os.path.dirname(source)
    beside = os.path.join(source_dir, "__pycache__")
    stem = os.path.splitext(os.path.basename(source))[0]
    try:
        local = _owners(os.stat(source_dir or ".").st_uid)
    except OSError:
        local = mine
    if may_write and _usable_dir(beside, 0o755, local):
        return CacheSlot(beside, stem, key, True, True, local)
    fallback = user_cache_dir()
    if may_write and _usable_dir(fallback, 0o700, mine):
        return CacheSlot(fallback, module_name, key, False, True, mine)
    if os.path.isdir(beside) and trusted_dir(beside, local):
        return CacheSlot(beside, stem, key, True, False, local)
    return None
