"""Optional: mypy's verdict on the annotations the analyzer trusts (`pymigrate analyze --mypy`).

The fast pass takes annotations at their word. A function whose body mypy rejects, or that some
caller in the same module calls with the wrong types, would behave differently compiled (the
compiled entry checks its argument types), so such errors become blockers (PM321). One mypy run
covers every file; nothing else in the analyzer needs mypy.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

_LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): error: (?P<message>.*?)(?:  \[(?P<code>[\w-]+)\])?$")
_CALLEE = re.compile(r'^Argument \d+ to "(?P<name>[\w.]+)" has incompatible type')


@dataclass(frozen=True)
class TypeError_:
    line: int
    column: int  # 1-based
    message: str
    callee: str | None  # for "Argument N to "f" has incompatible type": the function called


class MypyUnavailable(Exception):
    """mypy could not be run; the message says why."""


def _checkable(path: Path) -> bool:
    """Whether mypy can take the file: a name that is text (mypy stops with an internal error on
    a byte like \\xff) and content CPython parses (the analyzer reports the others itself; mypy
    would stop the whole check on them)."""
    from pymigrate.superset.sourcefile import decode_source, python_tree

    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        print(f"{path}: note: left out of the mypy check: its name is not valid UTF-8", file=sys.stderr)
        return False
    try:
        python_tree(decode_source(path.read_bytes(), path), str(path))
    except (OSError, SyntaxError):
        return False
    return True


def mypy_errors(files: Sequence[Path]) -> dict[Path, list[TypeError_]]:
    """mypy's errors per file (resolved path), with mypy's defaults rather than the project's config."""
    try:
        from mypy import api
    except ImportError as exc:  # pragma: no cover - mypy is a dependency
        raise MypyUnavailable(f"mypy is not installed ({exc}); install it or drop --mypy") from exc
    targets = [str(f) for f in files if f.suffix == ".py" and _checkable(f)]
    out: dict[Path, list[TypeError_]] = {}
    if not targets:
        return out
    limit = sys.getrecursionlimit()  # mypy raises it for good; deep input could then overflow the C stack
    try:
        stdout, stderr, status = api.run([
            "--config-file", os.devnull, "--show-column-numbers", "--no-error-summary", "--hide-error-context",
            "--no-color-output", "--no-pretty", "--ignore-missing-imports", "--follow-imports=silent",
            "--cache-dir", os.devnull, "--", *targets,
        ])
    except (Exception, SystemExit) as exc:  # mypy's own crash: contained, reported in one line
        raise MypyUnavailable(f"mypy failed with an internal error ({type(exc).__name__}: {exc})") from None
    finally:
        sys.setrecursionlimit(limit)
    if status == 2 and not any(_LINE.match(raw) for raw in stdout.splitlines()):  # not a file's blocking error
        raise MypyUnavailable(f"mypy failed: {stderr.strip() or stdout.strip()}")
    for raw in stdout.splitlines():
        match = _LINE.match(raw)
        if match is None:
            continue
        message = match.group("message")
        callee = _CALLEE.match(message)
        error = TypeError_(int(match.group("line")), int(match.group("col")), message,
                           callee.group("name") if callee else None)
        out.setdefault(Path(os.path.realpath(match.group("path"))), []).append(error)
    return out
