"""A content-addressed cache of migration runs, so that `migrate --check` after `--write` answers at once.

Type inference is package-wide (callers' evidence, fixed-point rounds and verification builds span every
module of the run), so a module's inferred types and verdicts depend on every file of the run and on every
file mypy reads for it. An entry therefore holds one run's results (each file's new text, destination,
notes and errors, and what inference printed), named by a key that hashes:

- the bytes and paths of the files migrated, the package root;
- the options (annotate, upgrade, the configuration), pymigrate's sources (pymigrate_fingerprint),
  mypy's version and the Python version;

and it records what the run read besides them, checked again before the entry is used:

- every file a mypy build of the run read (the package's modules it followed, the standard library's and
  installed packages' stubs and sources): by content, or by size, mtime and inode for files installed
  under the interpreter's prefixes (as mypy's own cache does);
- the module names in every directory mypy searched (a new module can fill an import that was missing)
  and in the directories of the files it read;
- the `pyproject.toml` files inference reads (`requires-python`, dependencies).

A run with `--trace` is never cached (the traced command's behaviour is not an input one can hash), nor
is one whose inference failed or where a file failed for a reason that may not recur (out of memory, an
internal error). `migrate --write` records the run it made, then migrates what it wrote once more and
records that too (docs/migrate.md, "The cache"), so that `--check` right after it is a cache hit.

Below the run entries, each module's migration after inference has entries of its own (`ModuleCache`):
annotating, analyzing, upgrading and verifying a module read nothing but its bytes, its path and the
package root, the types inference gave it and the options, so an entry keyed by exactly those serves any
run, traced or not, in which that module comes out of inference with the same types. A run after a
one-file change that misses the run entry still infers package-wide (inference spans every module), and
then redoes the per-module stages only for the modules whose bytes or inferred types changed: the edited
file and the dependents whose types its interface changes.

Where: `$PYMIGRATE_CACHE_DIR/migrate` (modules: `.../migrate-modules`), else `~/.cache/pymigrate/migrate`
(`~/.cache/pymigrate/migrate-modules`); the analysis cache's safety rules hold (pymigrate.analyze.cache: a private directory of this user's, entries read only when they are
regular files of this user's with a matching digest, written atomically). `--no-cache` or
PYMIGRATE_NO_CACHE bypass it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import io
import os
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from pymigrate.analyze.cache import ContentCache, cache_base, read_entry, write_entry
from pymigrate.migrate.result import FileResult, Options

if TYPE_CHECKING:
    from mypy.build import BuildResult

    from pymigrate.migrate.infer.api import FileTypes

_LAYOUT = "migrate-1"
_MODULE_LAYOUT = "migrate-module-1"
_CLOCK_MARGIN = 20_000_000      # ns: file times come from a clock that may lag time.time_ns() by a tick
_MODULE_SUFFIXES = (".py", ".pyi", ".so", ".pyd", ".pth")
_INSTALLED = tuple(sorted({os.path.join(os.path.realpath(p), "") for p in (sys.prefix, sys.base_prefix)}))

Fingerprint = tuple[str, str, str | None]
"""(kind, path, value): kind `file` (sha256 of the bytes), `stat` (size, mtime, inode) or `dir` (the
sorted module names in it); the value is None when the path does not exist."""


def default_directory() -> Path:
    """`$PYMIGRATE_CACHE_DIR/migrate`, else the user cache directory's `pymigrate/migrate`."""
    return cache_base() / "migrate"


@dataclass
class Entry:
    """One run's results and what they were computed from besides the key's files."""

    reads: tuple[Fingerprint, ...]
    results: list[FileResult]
    messages: str          # what inference printed on stderr (files it skipped, and why)


@dataclass
class Recorder:
    """The files and directories the mypy builds of a run read."""

    files: set[str] = field(default_factory=set)
    directories: set[str] = field(default_factory=set)

    def __call__(self, result: BuildResult) -> None:
        for state in result.graph.values():
            if state.path:
                self.files.add(os.path.abspath(state.path))
        paths = result.manager.search_paths
        for group in (paths.python_path, paths.mypy_path, paths.package_path, paths.typeshed_path):
            self.directories.update(os.path.abspath(p) for p in group)


def _file_fingerprint(path: str) -> Fingerprint:
    installed = os.path.realpath(path).startswith(_INSTALLED)
    try:
        if installed:
            st = os.stat(path)
            return ("stat", path, f"{st.st_size}:{st.st_mtime_ns}:{st.st_ino}")
        with open(path, "rb") as handle:
            return ("file", path, hashlib.sha256(handle.read()).hexdigest())
    except OSError:
        return ("stat" if installed else "file", path, None)


def _dir_fingerprint(path: str) -> Fingerprint:
    """The names in a directory that could be a module or a package (not editor files or logs)."""
    try:
        names = sorted(n for n in os.listdir(path)
                       if not n.startswith(".") and n != "__pycache__" and ("." not in n or n.endswith(_MODULE_SUFFIXES)))
    except OSError:
        return ("dir", path, None)
    return ("dir", path, hashlib.sha256("\0".join(names).encode("utf-8", "surrogateescape")).hexdigest())


def _fingerprint(kind: str, path: str) -> Fingerprint:
    return _dir_fingerprint(path) if kind == "dir" else _file_fingerprint(path)


def _pyprojects(root: Path) -> list[str]:
    """The pyproject.toml files inference may read: at or above the root, up to the first one found."""
    found = []
    for directory in [root, *root.parents]:
        candidate = directory / "pyproject.toml"
        found.append(str(candidate))
        if candidate.is_file():
            break
    return found


@dataclass(frozen=True)
class MigrateCache(ContentCache):
    """The cache of migration runs."""

    @classmethod
    def open(cls, options: Options, directory: Path | None = None) -> MigrateCache:
        """The cache for runs with `options`; raises CacheUnusable when the directory fails the checks."""
        from mypy.version import __version__ as mypy_version

        asked = dataclasses.replace(options, trace_command=None, allow_trace_failure=False)
        return cls.opened(directory if directory is not None else default_directory(),
                          (_LAYOUT, mypy_version, sys.version, asked))

    def key(self, files: Sequence[Path], data: Sequence[bytes], root: Path) -> str:
        digest = hashlib.sha256(f"{self.salt}\0{root.resolve()}\0{len(files)}\0".encode("utf-8", "surrogateescape"))
        for path, content in zip(files, data):
            digest.update(f"{path}\0{path.resolve()}\0{len(content)}\0".encode("utf-8", "surrogateescape"))
            digest.update(content)
        return digest.hexdigest()

    def load(self, key: str, data: Sequence[bytes]) -> Entry | None:
        """The entry, if every file and directory it was computed from is as it was; else None."""
        entry = read_entry(self._path(key))
        if not isinstance(entry, Entry) or len(entry.results) != len(data):
            return None
        if any(_fingerprint(kind, path) != (kind, path, value) for kind, path, value in entry.reads):
            return None
        for result, original in zip(entry.results, data):
            result.original = original
        return entry

    def before(self, files: Sequence[Path], root: Path) -> dict[str, Fingerprint]:
        """The listings of the directories of the run's files, the root's parent and the working directory
        (where mypy looks for the package), taken before the run starts: `--write` itself changes them
        (each file goes in by a rename), so they are compared, not dated (`store`)."""
        directories = {os.path.dirname(p.resolve()) for p in files} | {str(root.resolve().parent), os.getcwd()}
        return {d: _dir_fingerprint(d) for d in sorted(directories)}

    def store(self, key: str, data: Sequence[bytes], results: Sequence[FileResult], recorder: Recorder,
              messages: str, files: Sequence[Path], root: Path, started: tuple[int, dict[str, Fingerprint]]) -> None:
        """Record a run, unless it may not recur (a transient failure) or what it read may have changed
        while it ran: a file of the run read again with other bytes, a directory of them listing other
        modules than before, or anything else it read modified since it started (by its mtime, with a
        margin for the file system's coarse clock)."""
        if any(r.transient for r in results) or [r.original for r in results] != list(data):
            return
        since, listings = started
        own = {str(p.resolve()) for p in files}
        read = sorted(recorder.files - own)
        directories = recorder.directories | {os.path.dirname(p) for p in read}
        if any(_dir_fingerprint(d) != f for d, f in listings.items()) or any(
                _modified_since(p, since - _CLOCK_MARGIN) for p in [*read, *(directories - listings.keys())]):
            return
        reads = [_file_fingerprint(p) for p in read]
        reads += [listings.get(d) or _dir_fingerprint(d) for d in sorted(directories | listings.keys())]
        reads += [_file_fingerprint(p) for p in _pyprojects(root.resolve())]
        kept = [dataclasses.replace(r, original=b"") for r in results]
        write_entry(self._path(key), Entry(tuple(reads), kept, messages))


def modules_directory() -> Path:
    """`$PYMIGRATE_CACHE_DIR/migrate-modules`, else the user cache directory's `pymigrate/migrate-modules`."""
    return cache_base() / "migrate-modules"


@dataclass(frozen=True)
class ModuleCache(ContentCache):
    """The cache of each module's migration after inference (annotate, analyze, upgrade, verify)."""

    @classmethod
    def open(cls, options: Options, directory: Path | None = None) -> ModuleCache:
        """The cache for modules migrated with `options` (the trace command is no input of these stages);
        raises CacheUnusable when the directory fails the checks."""
        from importlib.metadata import version

        libcst_version = version("libcst")        # it parses and prints every module
        asked = dataclasses.replace(options, trace_command=None, allow_trace_failure=False)
        return cls.opened(directory if directory is not None else modules_directory(),
                          (_MODULE_LAYOUT, libcst_version, sys.version, asked))

    def key(self, path: Path, root: Path | None, data: bytes, types: FileTypes | None) -> str:
        """Everything `pipeline.migrate_source` reads: the path as given and resolved (messages and the
        destination name it), the root (test modules), the module's inferred types, its bytes."""
        digest = hashlib.sha256(f"{self.salt}\0{path}\0{path.resolve()}\0{root.resolve() if root else ''}\0"
                                f"{types!r}\0{len(data)}\0".encode("utf-8", "surrogateescape"))
        digest.update(data)
        return digest.hexdigest()

    def load(self, key: str, path: Path, data: bytes) -> FileResult | None:
        """The stored result, or None (missing, not ours, damaged or of another path)."""
        result = read_entry(self._path(key))
        if not isinstance(result, FileResult) or result.path != path:
            return None
        result.original = data
        return result

    def store(self, key: str, result: FileResult) -> None:
        """Record a module's result, unless its failure may not recur (out of memory, an internal error)."""
        if not result.transient:
            write_entry(self._path(key), dataclasses.replace(result, original=b""))


def _modified_since(path: str, since: int) -> bool:
    try:
        return os.stat(path).st_mtime_ns >= since
    except OSError:
        return False


class _Tee(io.TextIOBase):
    """Passes text on to a stream (or nowhere) and keeps a copy."""

    def __init__(self, stream: TextIO | None) -> None:
        self.stream = stream
        self.parts: list[str] = []

    def write(self, text: str) -> int:
        if self.stream is not None:
            self.stream.write(text)
        self.parts.append(text)
        return len(text)

    def flush(self) -> None:
        if self.stream is not None:
            self.stream.flush()


@contextlib.contextmanager
def recording(echo: bool = True) -> Iterator[tuple[Recorder, _Tee]]:
    """Record what the mypy builds inside read, and what is printed on stderr (passed on when `echo`)."""
    from pymigrate.migrate.infer.static import BUILD_OBSERVERS

    recorder = Recorder()
    tee = _Tee(sys.stderr if echo else None)
    BUILD_OBSERVERS.append(recorder)
    try:
        with contextlib.redirect_stderr(tee):
            yield recorder, tee
    finally:
        BUILD_OBSERVERS.remove(recorder)
