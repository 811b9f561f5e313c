"""`pymigrate analyze PATH...`: readiness, hints with stable codes and a score, in four formats.

Exit codes: 0 nothing over a threshold; 1 an error-severity finding (PM1xx), a file that could
not be analyzed, a score under --fail-under, or readiness lower than --baseline; 2 bad usage
(a PATH that does not exist, unknown code, unreadable config or baseline) or an internal error.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from pathlib import Path

from pymigrate.analyze.rules import RULES
from pymigrate.config import Config, ConfigError, load_config
from pymigrate.executor import ExecutorError

FORMATS = ("text", "json", "markdown", "sarif")
EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def _codes(text: str) -> tuple[str, ...]:
    return tuple(code.strip().upper() for code in text.split(",") if code.strip())


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="files or directories to analyze")
    parser.add_argument("--format", choices=FORMATS, default="text",
                        help="text (a rich terminal view, the default), json, markdown or sarif")
    parser.add_argument("--select", type=_codes, metavar="CODES",
                        help="report only these codes or prefixes, comma-separated (e.g. PM3,PM101)")
    parser.add_argument("--ignore", type=_codes, metavar="CODES", help="do not report these codes or prefixes")
    parser.add_argument("--fail-under", type=float, metavar="SCORE", help="exit 1 when the score is below SCORE")
    parser.add_argument("--baseline", type=Path, metavar="FILE",
                        help="a saved `--format json` report: exit 1 when readiness regresses against it")
    parser.add_argument("--mypy", action="store_true",
                        help="also run mypy: a type error in a function, or a call to it with wrong types, blocks it (PM321)")
    parser.add_argument("--jobs", "-j", type=int, metavar="N", help="worker processes (default: 2 or fewer)")
    parser.add_argument("--executor", metavar="SPEC",
                        help="where the per-file jobs run: local (worker processes, --jobs) or dask://HOST:PORT "
                             "(a Dask distributed scheduler; its workers need this pymigrate and the files)")
    parser.add_argument("--no-cache", action="store_true",
                        help="neither read nor write the analysis cache ($PYMIGRATE_CACHE_DIR/analyze, "
                             "else ~/.cache/pymigrate/analyze)")
    parser.add_argument("--rules-url", metavar="URL", help="link rule codes to URL/<CODE>.md in markdown and sarif")
    parser.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                        help="colors in the text view (default: when stdout is a terminal)")


def _check_codes(codes: tuple[str, ...], flag: str) -> None:
    for code in codes:
        if not any(known.startswith(code) for known in RULES):
            raise ConfigError(f"{flag}: no rule code starts with {code!r} (codes are PM101..PM5xx; "
                              f"see docs/rules/)")


def run(args: argparse.Namespace) -> int:
    try:
        config = load_config(args.paths[0]).override(
            select=args.select, ignore=args.ignore, fail_under=args.fail_under, baseline=args.baseline)
        _check_codes(config.select, "--select")
        _check_codes(config.ignore, "--ignore")
        if config.fail_under is not None and not 0 <= config.fail_under <= 100:
            raise ConfigError("--fail-under must be a number from 0 to 100")
        if args.jobs is not None and args.jobs < 1:
            raise ConfigError("--jobs must be at least 1")
        if args.executor is not None:
            from pymigrate.executor import check_spec

            check_spec(args.executor)
    except (ConfigError, ExecutorError) as exc:
        print(f"pymigrate analyze: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        return _analyze(args, config)
    except KeyboardInterrupt:
        raise
    except Exception:  # noqa: BLE001 - an internal error is exit 2 with the traceback, never a silent pass
        traceback.print_exc()
        print("pymigrate analyze: internal error (exit 2); please report it with the traceback above",
              file=sys.stderr)
        return EXIT_USAGE


def _analyze(args: argparse.Namespace, config: Config) -> int:
    from pymigrate.analyze.engine import INTERNAL, analyze_paths
    from pymigrate.analyze.report_command import BaselineError, load_baseline, regressions
    from pymigrate.analyze.typecheck import MypyUnavailable

    baseline = None
    if config.baseline is not None:
        try:
            baseline = load_baseline(config.baseline)
        except BaselineError as exc:
            print(f"pymigrate analyze: {exc}", file=sys.stderr)
            return EXIT_USAGE
    cache = None
    if not args.no_cache:
        from pymigrate.analyze.cache import AnalysisCache, CacheUnusable

        try:
            cache = AnalysisCache.open(config)
        except CacheUnusable as exc:
            print(f"pymigrate analyze: note: cache not used: {exc}", file=sys.stderr)
    try:
        report = analyze_paths(args.paths, config, progress=True, jobs=args.jobs, mypy=args.mypy, cache=cache,
                               executor=args.executor)
    except (MypyUnavailable, ExecutorError) as exc:
        print(f"pymigrate analyze: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.format == "text":
        from rich.console import Console

        from pymigrate.analyze.reports import terminal

        color = {"always": True, "never": False}.get(args.color)
        console = Console(force_terminal=color, no_color=color is False, highlight=False)
        terminal.show(report, console)
    else:
        from pymigrate.analyze.reports import renderer

        sys.stdout.write(renderer(args.format)(report, rules_url=args.rules_url))
    status = EXIT_OK
    internal = False
    for error in report.errors:
        print(f"pymigrate analyze: {error['message']}", file=sys.stderr)
        status = EXIT_FINDINGS
        internal |= INTERNAL in error["message"]
    if any(f.severity == "error" for f in report.findings):
        status = EXIT_FINDINGS
    if config.fail_under is not None and report.score < config.fail_under:
        print(f"pymigrate analyze: score {report.score:.1f} is under --fail-under {config.fail_under:g}",
              file=sys.stderr)
        status = EXIT_FINDINGS
    if baseline is not None:
        for problem in regressions(report.to_json(), baseline.data):
            print(f"pymigrate analyze: regression: {problem}", file=sys.stderr)
            status = EXIT_FINDINGS
    return EXIT_USAGE if internal else status
