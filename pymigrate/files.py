"""Which files a command works on: one walk, shared by every subcommand.

Paths given explicitly are always taken; directories are walked recursively, keeping files
that match the configured `include` globs and dropping anything under an `exclude` glob or a
well-known tool directory. Symlinked directories are followed once: a symlink loop is reported,
not walked forever. Only regular files are taken from a walk (a FIFO named `x.py` would hang).
"""

from __future__ import annotations

import fnmatch
import os
import stat
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from pymigrate.config import DEFAULT_EXCLUDE, Config

TEST_MODULE_PATTERNS = ("test_*.py", "*_test.py", "conftest.py")
TEST_DIRECTORIES = frozenset({"tests", "test", "testing"})


def is_test_module(path: Path, root: Path | None = None) -> bool:
    """A module test runners collect by its file name or directory (pytest's and unittest's conventions).

    Such a module must stay a `.py` file: renamed to `.pys` it would silently drop out of the suite.
    Directories count only below `root`, so a project that happens to live under `~/test/` is not
    taken for a test suite.
    """
    if any(fnmatch.fnmatch(path.name, pattern) for pattern in TEST_MODULE_PATTERNS):
        return True
    if root is None:
        return False
    try:
        inside = path.resolve().parent.relative_to(root.resolve()).parts
    except ValueError:
        return False
    return any(part in TEST_DIRECTORIES for part in inside)


def package_root(paths: Sequence[Path]) -> Path:
    """The common parent of the inputs: inference's package root, and the `root` of is_test_module for
    both the migrator and the analyzer (so both leave out the same test modules)."""
    dirs = [str(p.resolve() if p.is_dir() else p.resolve().parent) for p in paths]
    return Path(os.path.commonpath(dirs)) if dirs else Path.cwd()


@dataclass(frozen=True)
class WalkError:
    """A path that could not be walked, with the reason in words."""

    path: Path
    message: str

    def __str__(self) -> str:
        return f"{shown(self.path)}: error: {self.message}"


# Characters a file name may hold that would rewrite what a terminal or a CI log shows: line breaks
# and other controls, bytes that are not UTF-8 (surrogate escapes), line/paragraph separators and the
# bidirectional overrides that reorder text.
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cs", "Zl", "Zp"})
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _unsafe(ch: str) -> bool:
    return ch in _BIDI_CONTROLS or unicodedata.category(ch) in _UNSAFE_CATEGORIES


def _rewrites_lines(ch: str) -> bool:
    """Unsafe but for undecodable bytes, which are read as any other name and only shown escaped."""
    return _unsafe(ch) and unicodedata.category(ch) != "Cs"


def shown(path: Path | str) -> str:
    """A path as one printable line: unsafe characters escaped as Python escapes them."""
    text = os.fspath(path)
    if not any(_unsafe(ch) for ch in text):
        return text
    out = []
    for ch in text:
        if not _unsafe(ch):
            out.append(ch)
        elif 0xDC80 <= ord(ch) <= 0xDCFF:  # an undecodable byte kept by the file system encoding
            out.append(f"\\x{ord(ch) - 0xDC00:02x}")
        else:
            out.append(ch.encode("unicode_escape").decode("ascii"))
    return "".join(out)


def _name_problem(path: Path) -> str | None:
    if any(_rewrites_lines(ch) for ch in path.name):
        return "its name holds a control character (shown escaped); rename the file"
    return None


def _excluded(path: Path, root: Path, patterns: Iterable[str]) -> bool:
    try:
        rel = path.relative_to(root).as_posix()
    except ValueError:
        rel = path.as_posix()
    for pattern in patterns:
        if fnmatch.fnmatch(path.name, pattern) or fnmatch.fnmatch(rel, pattern):
            return True
    return False


def iter_source_files(
    paths: Iterable[Path], config: Config, errors: list[WalkError] | None = None
) -> Iterator[Path]:
    """Yield source files under `paths` in a stable (sorted) order.

    Problems (missing paths, unreadable directories, symlink loops) are appended to `errors`
    when given, so that one bad path never stops a run over a whole repository.
    """
    excludes = (*DEFAULT_EXCLUDE, *config.exclude)
    for top in paths:
        if not top.exists() and not top.is_symlink():
            if errors is not None:
                errors.append(WalkError(top, "no such file or directory"))
            continue
        if top.is_file() or (top.is_symlink() and not top.exists()):
            problem = _name_problem(top)
            if problem is None:
                yield top
            elif errors is not None:
                errors.append(WalkError(top, problem))
            continue
        special = special_kind(top)
        if special is not None:
            if errors is not None:
                errors.append(WalkError(top, f"is {special}, not a source file"))
            continue
        seen: set[tuple[int, int]] = set()
        yield from _walk(top, top, config.include, excludes, seen, errors)


def _walk(
    directory: Path,
    root: Path,
    include: tuple[str, ...],
    excludes: tuple[str, ...],
    seen: set[tuple[int, int]],
    errors: list[WalkError] | None,
) -> Iterator[Path]:
    try:
        st = directory.stat()
    except OSError as exc:
        if errors is not None:
            errors.append(WalkError(directory, exc.strerror or str(exc)))
        return
    key = (st.st_dev, st.st_ino)
    if key in seen:
        if errors is not None:
            errors.append(WalkError(directory, "symlink loop: directory already visited"))
        return
    seen.add(key)
    try:
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError as exc:
        if errors is not None:
            errors.append(WalkError(directory, exc.strerror or str(exc)))
        return
    for entry in entries:
        path = Path(entry.path)
        if _excluded(path, root, excludes):
            continue
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        if is_dir:
            problem = _name_problem(path)
            if problem is None:
                yield from _walk(path, root, include, excludes, seen, errors)
            elif errors is not None:
                errors.append(WalkError(path, problem.replace("the file", "the directory")))
        elif any(fnmatch.fnmatch(entry.name, pattern) for pattern in include):
            special = special_kind(path)
            problem = _name_problem(path)
            if problem is not None:
                if errors is not None:
                    errors.append(WalkError(path, problem))
            elif special is None:
                yield path
            elif errors is not None:
                errors.append(WalkError(path, f"is {special}, not a source file; not read"))


_SPECIAL_KINDS = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def special_kind(path: Path) -> str | None:
    """What a FIFO, socket or device is, in words; None for anything else.

    Such a file is never read (reading one would block or never end) but reported as what it
    is. A dangling symlink is not special: the command reports it when it fails to read it.
    """
    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    for test, kind in _SPECIAL_KINDS:
        if test(mode):
            return kind
    return None
