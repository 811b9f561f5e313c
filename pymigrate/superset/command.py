"""`pymigrate parse PATH...`: check that files parse as superset (or plain Python) source.

Diagnostics are the command's result and go to stdout, one `path:line:col: error: message`
per file that fails; a one-line summary goes to stderr. Exit 1 when any file failed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pymigrate.config import ConfigError, load_config
from pymigrate.files import WalkError, iter_source_files
from pymigrate.superset.parser import parse
from pymigrate.superset.sourcefile import SourceDecodeError, diagnostic, read_source

EXAMPLE = """\
Examples:
  pymigrate parse src/mypkg            # every .py and .pys file below src/mypkg
  pymigrate parse geometry.pys app.py  # just these files

A file that uses `fn`, `struct` or `var` as a name fails with advice to write it in
backticks, as in:
  geometry.pys:3:5: error: 'var' is a keyword of the superset; write `var` to use it as a name
"""


def configure(parser: argparse.ArgumentParser) -> None:
    parser.epilog = EXAMPLE
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="files or directories to parse")


def check_file(path: Path) -> str | None:
    """The diagnostic for one file, or None when it parses."""
    try:
        source = read_source(path)
    except SourceDecodeError as exc:
        return str(exc)
    except OSError as exc:
        return f"{path}:1:1: error: cannot read the file: {exc.strerror or exc}"
    try:
        parse(source, str(path))
    except SyntaxError as exc:
        return diagnostic(path, exc)
    return None


def run(args: argparse.Namespace) -> int:
    """Check every file, even after failures, so one run lists every problem of a tree."""
    paths: list[Path] = args.paths
    try:
        config = load_config(paths[0])
    except ConfigError as exc:
        print(f"pymigrate parse: {exc}", file=sys.stderr)
        return 2
    walk_errors: list[WalkError] = []
    files = failed = 0
    for path in iter_source_files(paths, config, walk_errors):
        files += 1
        message = check_file(path)
        if message is not None:
            failed += 1
            print(message, flush=False)
    for err in walk_errors:
        print(err)
    sys.stdout.flush()
    summary = f"pymigrate parse: {files} {'file' if files == 1 else 'files'} checked, {failed} failed"
    if walk_errors:
        summary += f", {len(walk_errors)} {'path' if len(walk_errors) == 1 else 'paths'} not readable"
    print(summary, file=sys.stderr)
    return 1 if failed or walk_errors else 0
