"""`pymigrate migrate`: rewrite Python modules into the superset, as a diff, a check or in place."""

from __future__ import annotations

import argparse
import difflib
import os
import sys
import time
from contextlib import ExitStack, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Callable, ContextManager, Iterable, Sequence, TextIO

from pymigrate.config import Config, ConfigError, load_config
from pymigrate.files import WalkError, iter_source_files
from pymigrate.migrate.lock import LockBusy, remove_stale_temps, write_lock

if TYPE_CHECKING:  # the pipeline (LibCST, the analyzer) is imported when a migration runs, not when the
    # command line is built for another command, nor when the migration cache answers
    from pymigrate.migrate.cache import MigrateCache, ModuleCache
    from pymigrate.migrate.pipeline import Stages
    from pymigrate.migrate.result import FileResult, Options, Runner

EXIT_OK = 0
EXIT_CHANGES_OR_ERRORS = 1
EXIT_USAGE = 2
PROGRESS_MIN_FILES = 5

DESCRIPTION = """\
Rewrite Python modules into the typed superset, mechanically:

  * insert the types inference finds (parameters, returns, attributes);
  * upgrade what the analyzer calls ready: `def` -> `fn` (typed parameters and return,
    `var` on each local's first binding, `mut` on parameters changed in place, `raises`),
    `class` -> `struct` (`var` fields, `fn __init__(out self, ...)`);
  * write names spelled like superset keywords (fn, struct, var) in backticks.

A module that only gains annotations stays NAME.py; a module that gains any fn or struct
becomes NAME.pys (its NAME.py is removed). Comments, blank lines and formatting are kept.
The default is a dry run: a summary on stderr and a unified diff on stdout."""

EPILOG = """\
examples:
  pymigrate migrate src/mypkg                 # dry run: summary + diff, nothing written
  pymigrate migrate src/mypkg --write         # apply (atomic; safe to run again)
  pymigrate migrate src/mypkg --check         # CI / pre-commit: exit 1 if anything would change
  pymigrate migrate src/mypkg --no-upgrade    # only insert inferred types, keep every def/class
  pymigrate migrate src/mypkg --trace "pytest -q tests"   # also learn types by running the tests
  pymigrate migrate src/mypkg --ignore PM201  # analyzer codes to leave out (like `analyze`)

--trace CMD runs in the current directory. When it fails (non-zero exit, not found) or type
inference cannot run, nothing is migrated and the exit status is 1; --allow-trace-failure
turns a failing trace command into a warning. A module that would not compile or import after
the rewrite is never written: `path:line:col: error: ...` says why, in every mode.

exit status: 0 when done (or, with --check, nothing would change); 1 when --check finds
changes, a file could not be migrated or written, inference or the trace command failed, or
another --write run holds one of the directories (see --wait); 2 for a usage or
configuration error."""


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = DESCRIPTION
    parser.epilog = EPILOG
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="files or directories to migrate")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--diff", action="store_const", dest="mode", const="diff", help="print a unified diff (default)")
    mode.add_argument(
        "--check", action="store_const", dest="mode", const="check", help="write nothing; exit 1 if anything would change"
    )
    mode.add_argument("--write", action="store_const", dest="mode", const="write", help="apply the changes to the files")
    parser.set_defaults(mode="diff")
    parser.add_argument(
        "--wait",
        action="store_true",
        help="with --write: wait for another run writing the same directories instead of refusing",
    )
    parser.add_argument(
        "--no-upgrade", action="store_true", help="only insert inferred types: no fn/struct, no .pys files"
    )
    parser.add_argument(
        "--trace",
        metavar="CMD",
        default=None,
        help='run CMD (e.g. "pytest -q") under a tracer and use the types it observes; CMD runs in the '
        "current directory, and if it fails (non-zero exit, not found) nothing is migrated and the exit status is 1",
    )
    parser.add_argument(
        "--allow-trace-failure",
        action="store_true",
        help="a failing --trace command is only a warning: migrate with the types recorded before it stopped",
    )
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="neither read nor write the migration cache ($PYMIGRATE_CACHE_DIR/migrate and migrate-modules, "
        "else ~/.cache/pymigrate/...); a run with --trace uses only its per-module entries",
    )
    parser.add_argument("--jobs", "-j", type=int, metavar="N",
                        help="worker processes for the per-module stages after inference (default: 1; "
                        "inference, most of a run, stays in one process)")
    parser.add_argument("--executor", metavar="SPEC",
                        help="where the per-module stages run: local (worker processes, --jobs) or dask://HOST:PORT "
                        "(a Dask distributed scheduler; its workers need this pymigrate)")
    parser.add_argument("--select", metavar="CODES", default=None, help="comma-separated analyzer codes to use")
    parser.add_argument("--ignore", metavar="CODES", default=None, help="comma-separated analyzer codes to leave out")


def _check_runner(args: argparse.Namespace) -> str | None:
    """What is wrong with --jobs or --executor, if anything."""
    from pymigrate.executor import ExecutorError, check_spec

    if getattr(args, "jobs", None) is not None and args.jobs < 1:
        return "--jobs must be at least 1"
    try:
        if getattr(args, "executor", None) is not None:
            check_spec(args.executor)
    except ExecutorError as exc:
        return str(exc)
    return None


def _codes(value: str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    return tuple(code.strip() for code in value.split(",") if code.strip())


def _display(path: Path) -> str:
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if relative.startswith("..") else relative


def unified_diff(result: FileResult) -> str:
    """A git-style diff from the input file to its destination (possibly another name)."""
    assert result.after is not None and result.output_path is not None
    before = result.before.splitlines(keepends=True)
    after = result.after.splitlines(keepends=True)
    lines = difflib.unified_diff(
        before, after, fromfile=f"a/{_display(result.path)}", tofile=f"b/{_display(result.output_path)}"
    )
    out = []
    for line in lines:
        if line.endswith(("\n", "\r")):
            out.append(line)
        else:
            out.append(line + "\n\\ No newline at end of file\n")
    return "".join(out)


def _describe(result: FileResult, done: bool) -> str:
    verb = ("upgraded" if done else "would upgrade") if result.upgraded else ("annotated" if done else "would annotate")
    where = _display(result.path)
    if result.output_path != result.path and result.output_path is not None:
        where += f" -> {_display(result.output_path)}"
    parts = []
    if result.fns:
        parts.append("fn: " + ", ".join(result.fns))
    if result.structs:
        parts.append("struct: " + ", ".join(result.structs))
    return f"{verb} {where}" + (f" ({'; '.join(parts)})" if parts else "")


def _progress(files: int, stream: TextIO) -> tuple[ContextManager[object], Callable[[Path], None] | None]:
    """A rich progress bar on a terminal for runs long enough to want one."""
    if files < PROGRESS_MIN_FILES or not stream.isatty():
        return nullcontext(), None
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    progress = Progress(
        TextColumn("migrating"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        TextColumn("{task.description}"),
        console=Console(file=stream),
        transient=True,
    )
    task = progress.add_task("inferring types (package-wide)", total=files)

    def advance(path: Path) -> None:
        progress.update(task, advance=1, description=path.name)

    return progress, advance


def _summary(results: Sequence[FileResult], mode: str, failed: int, skipped: int) -> str:
    changed = [r for r in results if r.changed]
    upgraded = [r for r in changed if r.upgraded]
    fns = sum(len(r.fns) for r in upgraded)
    structs = sum(len(r.structs) for r in upgraded)
    unchanged = sum(1 for r in results if r.error is None and not r.changed)
    head = "migrated" if mode == "write" else "would migrate"
    text = (
        f"{head} {len(changed)} file{'s' if len(changed) != 1 else ''}: "
        f"{len(changed) - len(upgraded)} annotated (.py), {len(upgraded)} upgraded to .pys "
        f"({fns} fn, {structs} struct); {unchanged} unchanged"
    )
    if skipped:
        text += f"; {skipped} .pys skipped (already superset)"
    if failed:
        text += f"; {failed} failed"
    return text


def run(args: argparse.Namespace, stages: Stages | None = None) -> int:
    err: TextIO = sys.stderr
    paths: list[Path] = args.paths
    try:
        config: Config = load_config(paths[0])
    except ConfigError as exc:
        print(f"pymigrate migrate: {exc}", file=err)
        return EXIT_USAGE
    config = config.override(select=_codes(args.select), ignore=_codes(args.ignore))
    wrong = _check_runner(args)
    if wrong is not None:
        print(f"pymigrate migrate: {wrong}", file=err)
        return EXIT_USAGE
    from pymigrate.migrate.result import Options

    options = Options.from_policy(config, no_upgrade=args.no_upgrade, trace_command=args.trace,
                                  allow_trace_failure=args.allow_trace_failure)

    with ExitStack() as stack:
        locked: set[Path] = set()
        while True:  # the walk that counts is the one made with every directory of it locked
            walk_errors: list[WalkError] = []
            found = list(dict.fromkeys(iter_source_files(paths, config, walk_errors)))
            files = [p for p in found if p.suffix == ".py"]
            directories = {p.parent for p in files} - locked if args.mode == "write" else set()
            if not directories:
                break
            try:
                stack.enter_context(write_lock(directories, wait=args.wait))
            except LockBusy as exc:
                print(f"pymigrate migrate: {exc}", file=err)
                return EXIT_CHANGES_OR_ERRORS
            locked |= directories
        for problem in walk_errors:
            print(problem, file=err)
        skipped = sum(1 for p in found if p.suffix == ".pys")
        for directory in sorted(locked):
            for stale in remove_stale_temps(directory):
                print(f"{_display(stale)}: note: removed a temporary file left by an interrupted run", file=err)
        return _migrate(args, files, paths, options, stages, len(walk_errors), skipped, err, stack)


def _migrate(
    args: argparse.Namespace,
    files: list[Path],
    paths: list[Path],
    options: Options,
    stages: Stages | None,
    failed: int,
    skipped: int,
    err: TextIO,
    stack: ExitStack,
) -> int:
    from pymigrate.executor import ExecutorError, default_jobs, executor
    from pymigrate.files import package_root
    from pymigrate.migrate.result import Runner

    root = package_root(paths)
    cache, modules = _open_cache(args, options, stages, err)
    spec = getattr(args, "executor", None)
    jobs = getattr(args, "jobs", None) or (default_jobs() if spec == "local" else 1)
    pool = None
    if spec not in (None, "local"):     # a scheduler out of reach is said before inference starts
        try:
            pool = stack.enter_context(executor(spec, jobs))
        except ExecutorError as exc:
            print(f"pymigrate migrate: error: {exc}; nothing migrated", file=err)
            return EXIT_CHANGES_OR_ERRORS
    runner = Runner(jobs, modules, pool)
    results, run_errors = _run(files, root, options, stages, cache, err, runner)
    for message in run_errors:
        print(f"pymigrate migrate: error: {message}", file=err)
    if run_errors:      # inference did not run as asked: migrating without its types is not what was asked
        print("pymigrate migrate: nothing migrated", file=err)
        return EXIT_CHANGES_OR_ERRORS

    for result in results:
        for note in result.notes:
            print(f"{_display(result.path)}: note: {note}", file=err)
        if result.error is not None:
            print(result.error, file=err)
            failed += 1
    changed = [r for r in results if r.changed]
    if args.mode == "diff":
        sys.stdout.write("".join(unified_diff(r) for r in changed))
    written = _write(changed, err) if args.mode == "write" else changed
    if cache is not None and written and args.mode == "write":
        _record_written(paths, options, root, cache, runner)
    failed += len(changed) - len(written)
    for result in written:
        print(_describe(result, done=args.mode == "write"), file=err)
    refused = {id(r) for r in changed} - {id(r) for r in written}
    print(_summary([r for r in results if id(r) not in refused], args.mode, failed, skipped), file=err)
    if failed or (args.mode == "check" and changed):
        return EXIT_CHANGES_OR_ERRORS
    return EXIT_OK


def _open_cache(args: argparse.Namespace, options: Options, stages: Stages | None,
                err: TextIO) -> tuple[MigrateCache | None, ModuleCache | None]:
    """The migration caches of runs and of modules, unless bypassed: `--no-cache`, PYMIGRATE_NO_CACHE or
    stages other than the real ones (tests). A traced run uses only the modules' (the command's behaviour
    is no input a key can hash, but a module's stages after inference read only the types it gave)."""
    from pymigrate.cachedir import NO_CACHE_ENV

    if getattr(args, "no_cache", False) or stages is not None or os.environ.get(NO_CACHE_ENV, "0") not in ("", "0"):
        return None, None
    from pymigrate.analyze.cache import CacheUnusable
    from pymigrate.migrate.cache import MigrateCache, ModuleCache

    try:
        return (None if options.trace_command else MigrateCache.open(options)), ModuleCache.open(options)
    except CacheUnusable as exc:
        print(f"pymigrate migrate: note: cache not used: {exc}", file=err)
        return None, None


def _run(files: list[Path], root: Path, options: Options, stages: Stages | None, cache: MigrateCache | None,
         err: TextIO, runner: Runner, echo: bool = True) -> tuple[list[FileResult], list[str]]:
    """The results of migrating `files`: from the cache when it holds this very run, else computed (and
    recorded when the cache is on). Only `echo` runs print what inference says."""
    key, data = None, None
    if cache is not None:
        try:
            data = [path.read_bytes() for path in files]
        except OSError:
            data = None         # the run reports the unreadable file; such a run is not recorded
    if cache is not None and data is not None:
        key = cache.key(files, data, root)
        entry = cache.load(key, data)
        if entry is not None:
            if echo:
                err.write(entry.messages)
            return entry.results, []
    from pymigrate.migrate.pipeline import migrate_files

    bar, advance = _progress(len(files), err) if echo else (nullcontext(), None)
    if cache is None or key is None or data is None:
        with bar:
            return migrate_files(files, root, options, stages, advance, runner)
    from pymigrate.migrate.cache import recording

    started = (time.time_ns(), cache.before(files, root))
    with bar, recording(echo) as (recorder, tee):
        results, run_errors = migrate_files(files, root, options, stages, advance, runner)
    if not run_errors:
        cache.store(key, data, results, recorder, "".join(tee.parts), files, root, started)
    return results, run_errors


def _record_written(paths: list[Path], options: Options, root: Path, cache: MigrateCache, runner: Runner) -> None:
    """After `--write`, migrate what was written once more (silently) and record it, so that the
    `--check` that follows (CI, the pre-commit hook) is answered from the cache."""
    found = list(dict.fromkeys(iter_source_files(paths, options.config, [])))
    files = [p for p in found if p.suffix == ".py"]
    if files:
        try:
            _run(files, root, options, None, cache, sys.stderr, runner, echo=False)
        except Exception as exc:  # noqa: BLE001 - only the cache misses out; what was written stands
            print(f"pymigrate migrate: note: the migration cache was not updated ({type(exc).__name__}: {exc})",
                  file=sys.stderr)


def _write(changed: Iterable[FileResult], err: TextIO) -> list[FileResult]:
    from pymigrate.migrate.writer import UnsafeWrite, apply

    written = []
    for result in changed:
        try:
            apply(result)
        except UnsafeWrite as exc:
            print(f"{exc.path}: error: {exc.reason}", file=err)
        except OSError as exc:
            print(f"{result.path}: error: cannot write ({exc.strerror or exc}); file left as it is", file=err)
        else:
            written.append(result)
    return written
