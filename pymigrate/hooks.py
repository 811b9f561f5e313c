"""Entry points of the pre-commit hooks (see .pre-commit-hooks.yaml).

`suggest` shows, for the files pre-commit hands over (the staged ones), every suggested upgrade
with its code and one-line fix, and leaves the commit alone unless asked to fail. `check` is the
gate: it fails when `pymigrate migrate --check` would change a file, or when readiness of those
files went down against the baseline.

    python -m pymigrate.hooks suggest [--fail] FILE...
    python -m pymigrate.hooks check [--baseline FILE] FILE...
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from pymigrate.analyze.model import Status
from pymigrate.config import Config, ConfigError, load_config

if TYPE_CHECKING:
    from pymigrate.analyze import AnalysisReport

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pymigrate-hook", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="hook", required=True)
    suggest = sub.add_parser("suggest", help="print suggested upgrades; exit 0 unless --fail")
    suggest.add_argument("--fail", action="store_true", help="exit 1 when there is any suggestion")
    check = sub.add_parser("check", help="fail on pending migrations or a readiness regression")
    check.add_argument(
        "--baseline", type=Path, metavar="FILE", help="saved JSON report (default: config baseline)"
    )
    check.add_argument("--no-migrate-check", action="store_true", help="only compare against the baseline")
    for p in (suggest, check):
        p.add_argument("--select", help="only these rule codes (comma-separated)")
        p.add_argument("--ignore", help="skip these rule codes (comma-separated)")
        p.add_argument("files", nargs="*", type=Path, metavar="FILE")
    return parser


def _config(args: argparse.Namespace) -> Config:
    from pymigrate.analyze.report_command import check_codes, parse_codes

    config = load_config(args.files[0] if args.files else Path.cwd())
    config = config.override(
        select=None if args.select is None else parse_codes(args.select),
        ignore=None if args.ignore is None else parse_codes(args.ignore),
    )
    check_codes(config.select, "select")
    check_codes(config.ignore, "ignore")
    return config


def fix_for(code: str, path: str) -> str:
    """The one-line fix for a finding, by rule family (docs/rules/<CODE>.md has the long form)."""
    migrate = f"`pymigrate migrate --write {path}`"
    if code.startswith("PM1"):
        return f"{migrate} backticks it; CPython callers keep the plain name"
    if code in ("PM201", "PM203"):
        return f"{migrate} inserts the inferred annotation"
    if code.startswith("PM2"):
        return f"annotate it, or let {migrate} infer it from the package and its callers"
    if code.startswith("PM4"):
        return f"rewrite as docs/rules/{code}.md shows, or keep it a plain class"
    return f"rewrite as docs/rules/{code}.md shows, or keep it a plain def"


def suggestions(report: AnalysisReport) -> list[str]:
    """Two lines per suggestion, sorted by place: `path:line:col: CODE message`, then its fix.

    Findings carry a rule code; upgrades the migrator can make right away (a function or class
    that is ready, or ready once inferred types are inserted) are labelled `upgrade`.
    """
    found: list[tuple[str, int, int, str, str]] = []
    for module in report.files:
        for finding in module.findings:
            fix = fix_for(finding.code, finding.path)
            found.append(
                (finding.path, finding.line, finding.column, f"{finding.code} {finding.message}", fix)
            )
        fix = f"`pymigrate migrate --write {module.path}`"
        for function in module.functions:
            if function.status == Status.READY:
                text = f"upgrade `{function.qualname}` is ready to become a `fn`"
            elif function.status == Status.INFERABLE:
                text = f"upgrade `{function.qualname}` becomes a `fn` once its inferred types are inserted"
            else:
                continue
            found.append((function.path, function.line, 1, text, fix))
        for klass in module.classes:
            if klass.status == Status.READY:
                found.append(
                    (
                        klass.path,
                        klass.line,
                        1,
                        f"upgrade `{klass.qualname}` is ready to become a `struct`",
                        fix,
                    )
                )
    found.sort(key=lambda item: (item[0], item[1], item[2], item[3]))
    return [f"{path}:{line}:{column}: {text}\n    fix: {fix}" for path, line, column, text, fix in found]


def _suggest(args: argparse.Namespace, config: Config) -> int:
    from pymigrate.analyze import analyze_paths

    report = analyze_paths(args.files, config)
    found = suggestions(report)
    for line in found:
        print(line)
    for error in report.errors:
        print(f"pymigrate suggest: not analyzed: {error.get('message')}", file=sys.stderr)
    if found:
        print(
            f"pymigrate: {len(found)} suggestion(s); `pymigrate migrate --write FILE` applies the safe ones"
        )
    return EXIT_FAIL if args.fail and found else EXIT_OK


def _check(args: argparse.Namespace, config: Config) -> int:
    from pymigrate.analyze import analyze_paths
    from pymigrate.analyze.report_command import BaselineError, load_baseline, regressions

    status = EXIT_OK
    if not args.no_migrate_check:
        from pymigrate.cli import main

        code = main(["migrate", "--check", *map(str, args.files)])
        if code not in (EXIT_OK, EXIT_FAIL):
            return code
        if code == EXIT_FAIL:
            print("pymigrate check: run `pymigrate migrate --write` on the files above", file=sys.stderr)
            status = EXIT_FAIL
    baseline_path = args.baseline or config.baseline
    if baseline_path is not None:
        try:
            baseline = load_baseline(baseline_path)
        except BaselineError as exc:
            print(f"pymigrate check: {exc}", file=sys.stderr)
            return EXIT_USAGE
        report = analyze_paths(args.files, config)
        problems = regressions(report.to_json(), baseline.data, whole=False)
        for problem in problems:
            print(f"regression: {problem}", file=sys.stderr)
        if problems:
            print(f"pymigrate check: readiness regressed against {baseline.path}", file=sys.stderr)
            status = EXIT_FAIL
    return status


def main(argv: Sequence[str] | None = None) -> int:
    """pre-commit calls this with the staged files; with none staged there is nothing to judge."""
    args = _parser().parse_args(argv)
    if not args.files:
        return EXIT_OK
    try:
        config = _config(args)
    except ConfigError as exc:
        print(f"pymigrate: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.hook == "suggest":
        return _suggest(args, config)
    return _check(args, config)


if __name__ == "__main__":
    sys.exit(main())
