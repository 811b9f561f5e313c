"""`pymigrate build PATH...`: every `.pys` under PATH becomes an extension module plus a stub.

Each file is built on its own: a file that fails is reported (file:line:col for source errors)
and the others are still built; the exit status is 1 if any failed. Written paths go to stdout,
progress and errors to stderr.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from pymigrate.codegen.build import BuildError, BuiltModule, build_file
from pymigrate.codegen.diagnostics import CompileError
from pymigrate.config import ConfigError, load_config
from pymigrate.files import WalkError, iter_source_files
from pymigrate.superset.sourcefile import TooDeeplyNested, diagnostic

EXAMPLES = """\
examples:
  pymigrate build src/mypkg                # every .pys under src/mypkg
  pymigrate build src/mypkg/kernels.pys    # one module
  pymigrate build --cpu generic src/mypkg  # portable code (any CPU of this architecture)
  pymigrate build -j 0 src/                # many files: one build per CPU at once

Each `name.pys` gets `name.cpython-311-<platform>.so` (this interpreter's EXT_SUFFIX) and
`name.pyi` beside it; `python -c 'import mypkg.name'` then loads the compiled module and needs
neither pymigrate nor llvmlite. The C compiler and flags are the ones setuptools uses
(sysconfig CC/CFLAGS/LDSHARED; the CC, CFLAGS and LDSHARED environment variables override).
"""


def configure(parser: argparse.ArgumentParser) -> None:
    parser.epilog = EXAMPLES
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH", help=".pys files or directories")
    parser.add_argument(
        "--cpu",
        default="host",
        metavar="CPU",
        help="target CPU: 'host' (default, fastest on this machine), 'generic' (portable), or an LLVM CPU name",
    )
    parser.add_argument(
        "-O", dest="opt_level", type=int, choices=range(4), default=3, metavar="N", help="optimization level 0-3 (default 3)"
    )
    parser.add_argument("--no-stubs", action="store_true", help="do not write .pyi stubs")
    parser.add_argument(
        "-j", "--jobs", type=int, default=1, metavar="N", help="build N files at once (0: one per CPU; default 1)"
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress lines on stderr")


def _pys_files(paths: list[Path], errors: list[WalkError]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        try:
            config = load_config(path if path.exists() else Path.cwd())
        except ConfigError as exc:
            errors.append(WalkError(path, str(exc)))
            continue
        config = config.override(include=("*.pys",))
        for file in iter_source_files([path], config, errors):
            if file.suffix == ".pys":
                found.append(file)
            elif path == file:
                errors.append(WalkError(file, "not a .pys file; run `pymigrate migrate --write` to produce one"))
    return list(dict.fromkeys(found))


def describe_error(exc: BaseException) -> str:
    """One message per problem, source errors as path:line:col."""
    if isinstance(exc, SyntaxError):
        return diagnostic(exc.filename or "<unknown>", exc)
    return str(exc)


def build_one(source: Path, cpu: str, opt_level: int, stubs: bool) -> tuple[BuiltModule | None, str | None]:
    """Build one file; (result, None) or (None, the error text to print). Runs in workers too."""
    try:
        return build_file(source, cpu=cpu, opt_level=opt_level, stubs=stubs), None
    except (SyntaxError, CompileError, BuildError, OSError, UnicodeDecodeError) as exc:
        return None, describe_error(exc)
    except (RecursionError, MemoryError):
        return None, diagnostic(source, TooDeeplyNested(str(source)))
    except Exception as exc:  # a compiler bug: report it with its traceback, build the rest
        return None, (
            traceback.format_exc().rstrip()
            + f"\n{source}: internal error while building ({type(exc).__name__}: {exc}); please report it"
        )


def run(args: argparse.Namespace) -> int:
    errors: list[WalkError] = []
    files = _pys_files(list(args.paths), errors)
    for error in errors:
        print(error, file=sys.stderr)
    if not files and not errors:
        print("pymigrate build: no .pys files found under " + ", ".join(map(str, args.paths)), file=sys.stderr)
        return 1
    failed = bool(errors)
    total = len(files)
    built_count = 0
    options = (args.cpu, args.opt_level, not args.no_stubs)
    jobs = min(args.jobs or os.cpu_count() or 1, total)
    pool = ProcessPoolExecutor(max_workers=jobs) if jobs > 1 else None
    try:
        pending = [pool.submit(build_one, source, *options) for source in files] if pool else []
        for index, source in enumerate(files, 1):
            if not args.quiet and total > 1:
                print(f"[{index}/{total}] {source}", file=sys.stderr, flush=True)
            built, problem = pending[index - 1].result() if pool else build_one(source, *options)
            if built is None:
                print(problem, file=sys.stderr)
                failed = True
                continue
            built_count += 1
            print(built.extension)
            if not args.no_stubs:
                print(built.stub)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    if not args.quiet and total > 1:
        print(f"built {built_count} of {total} modules", file=sys.stderr)
    return 1 if failed else 0
