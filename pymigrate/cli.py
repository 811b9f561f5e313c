"""The `pymigrate` command line: one subcommand per pipeline stage.

Each subcommand lives in the package that does its work, as a module with two functions,
`configure(parser)` and `run(args) -> int`. The CLI only routes, so a stage can be added or
replaced without touching the others.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from types import ModuleType
from typing import Protocol, Sequence, cast

from pymigrate import __version__
from pymigrate.analyze import command as analyze_command
from pymigrate.analyze import report_command
from pymigrate.analyze.cache import take_refused_entries
from pymigrate.codegen import build_command
from pymigrate.files import shown
from pymigrate.migrate import command as migrate_command
from pymigrate.superset import command as parse_command

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_BROKEN_PIPE = 128 + 13  # what a shell reports for a process killed by SIGPIPE


class CommandModule(Protocol):
    def configure(self, parser: argparse.ArgumentParser) -> None: ...

    def run(self, args: argparse.Namespace) -> int: ...


@dataclass(frozen=True)
class Subcommand:
    name: str
    module: ModuleType
    summary: str
    example: str

    @property
    def command(self) -> CommandModule:
        """The module seen through its two functions (`configure`, `run`)."""
        return cast(CommandModule, self.module)


SUBCOMMANDS: tuple[Subcommand, ...] = (
    Subcommand(
        "analyze",
        analyze_command,
        "migration hints with stable codes, readiness per function and class, and a score",
        "pymigrate analyze src/mypkg --format json > readiness.json",
    ),
    Subcommand(
        "migrate",
        migrate_command,
        "rewrite a package into the superset: backticks, inferred types, fn/struct upgrades",
        "pymigrate migrate src/mypkg --diff      # then --write to apply",
    ),
    Subcommand(
        "build",
        build_command,
        "compile .pys modules to CPython extension modules (.so) with .pyi stubs",
        "pymigrate build src/mypkg && python -c 'import mypkg'",
    ),
    Subcommand(
        "report",
        report_command,
        "migration progress for CI: JSON, Markdown, SARIF or a self-contained HTML page",
        "pymigrate report src/mypkg --format html --output progress.html",
    ),
    Subcommand(
        "parse",
        parse_command,
        "parse .py and .pys files with the superset front end and report syntax errors",
        "pymigrate parse src/mypkg",
    ),
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pymigrate",
        description=(
            "Move a Python package, a module at a time, into a typed superset of Python "
            "(fn, struct, var) and compile the upgraded parts to native code, while every "
            "existing caller keeps working."
        ),
        epilog=(
            "A typical session:\n"
            "  pymigrate analyze src/mypkg          # what can move, what blocks it\n"
            "  pymigrate migrate src/mypkg --write  # annotate and upgrade what is safe\n"
            "  pymigrate build src/mypkg            # compile the .pys modules\n"
            "Run `pymigrate COMMAND --help` for each command's options and examples."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"pymigrate {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for sub in SUBCOMMANDS:
        sp = subparsers.add_parser(
            sub.name,
            help=sub.summary,
            description=sub.summary[0].upper() + sub.summary[1:] + ".",
            epilog=f"Example:\n  {sub.example}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        sub.command.configure(sp)
        sp.set_defaults(_subcommand=sub)
    return parser


def _show_refused_entries(command: str) -> None:
    """A warning for each cache entry the run would not trust (the run recomputed what it held)."""
    for path, reason in take_refused_entries():
        print(f"pymigrate {command}: warning: cache entry {shown(path)} {reason}; not used", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """The console script: route to the subcommand and turn its outcome into an exit status.

    Interrupts and a closed output pipe end quietly with the statuses a shell expects (130, 141).
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    sub: Subcommand | None = getattr(args, "_subcommand", None)
    if sub is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    # a mistyped PATH is a usage error for every command, found before any work: otherwise analyze and
    # report would score an empty package 100 and pass CI, and migrate --write would write half of a tree
    missing = [path for path in getattr(args, "paths", []) if not path.exists() and not path.is_symlink()]
    if missing:
        for path in missing:
            print(f"pymigrate {sub.name}: {shown(path)}: no such file or directory", file=sys.stderr)
        return EXIT_USAGE
    take_refused_entries()  # an earlier command in this process (a test, an embedding tool) showed its own
    try:
        status = sub.command.run(args)
        _show_refused_entries(sub.name)
        return status
    except KeyboardInterrupt:
        print("pymigrate: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`pymigrate parse src | head`): stop quietly, as a C tool killed by
        # SIGPIPE would, and keep Python from reporting the pipe again when it flushes at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
