"""`pymigrate report PATH`: migration progress for CI, in the format the CI consumes.

The report is the analysis rendered as JSON, Markdown (a PR comment or job summary), SARIF
(code-scanning UIs) or one self-contained HTML page; against a saved baseline it also tells
whether readiness went down, which is what a CI gate needs. Output files are written atomically
so a failed run never leaves half a report for the next CI step to publish.
"""

from __future__ import annotations

import argparse
import json
import os
import stat
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pymigrate import atomic
from pymigrate.analyze.model import Status
from pymigrate.analyze.reports import renderer
from pymigrate.config import Config, ConfigError, load_config

if TYPE_CHECKING:
    from pymigrate.analyze import AnalysisReport

FORMATS = ("json", "markdown", "sarif", "html")
STATUS_RANK = {Status.BLOCKED: 0, Status.INFERABLE: 1, Status.READY: 2}
EPSILON = 0.05  # scores are shown with one decimal: smaller changes are not changes
RULES_DOCS = "docs/rules"  # where Markdown links each rule code (`--rules-url` gives an absolute base)


class BaselineError(Exception):
    """A baseline file that cannot be read as a pymigrate JSON report."""


def parse_codes(text: str) -> tuple[str, ...]:
    """`--select`/`--ignore` values: comma-separated codes or prefixes, any case."""
    return tuple(code.strip().upper() for code in text.split(",") if code.strip())


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths", nargs="+", type=Path, metavar="PATH", help="files or directories to report on"
    )
    parser.add_argument(
        "--format", choices=FORMATS, default="markdown", help="output format (default: markdown)"
    )
    parser.add_argument(
        "--output", "-o", type=Path, metavar="FILE", help="write here (atomically) instead of stdout"
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        metavar="FILE",
        help="a saved `--format json` report: show the change and exit 1 when readiness regresses",
    )
    parser.add_argument(
        "--fail-under", type=float, metavar="SCORE", help="exit 1 when the score is below SCORE"
    )
    parser.add_argument(
        "--select", type=parse_codes, metavar="CODES", help="only these rule codes (comma-separated)"
    )
    parser.add_argument(
        "--ignore", type=parse_codes, metavar="CODES", help="skip these rule codes (comma-separated)"
    )
    parser.add_argument(
        "--history",
        type=int,
        metavar="N",
        help="html only: chart the score at each of the last N commits (read from git, working tree untouched)",
    )
    parser.add_argument("--title", help="name shown on the HTML page (default: the paths)")
    parser.add_argument(
        "--rules-url",
        metavar="URL",
        help=f"link rule codes to URL/<CODE>.md (markdown links to {RULES_DOCS}/<CODE>.md without it)",
    )


@dataclass(frozen=True)
class Baseline:
    path: Path
    data: dict[str, Any]

    @property
    def score(self) -> float:
        return float(self.data["score"])


def load_baseline(path: Path) -> Baseline:
    """A baseline that cannot be trusted is a usage error: comparing against it would mislead the gate."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise BaselineError(
            f"{path}: baseline not found; create it with `pymigrate report PATH --format json --output {path}`"
        ) from exc
    except json.JSONDecodeError as exc:
        raise BaselineError(
            f"{path}:{exc.lineno}:{exc.colno}: the baseline is not valid JSON ({exc.msg}); "
            f"make it again with `pymigrate report PATH --format json --output {path}`"
        ) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise BaselineError(
            f"{path}: cannot read the baseline ({getattr(exc, 'strerror', None) or exc}); "
            f"make it again with `pymigrate report PATH --format json --output {path}`"
        ) from exc
    if (
        not isinstance(data, dict)
        or data.get("tool") != "pymigrate"
        or not isinstance(data.get("score"), (int, float))
    ):
        raise BaselineError(
            f"{path}: not a pymigrate JSON report; make it with `pymigrate report PATH --format json --output {path}`"
        )
    return Baseline(path, data)


def _key(path: str) -> str:
    """Paths as compared across runs: relative to the working directory when inside it."""
    p = Path(path)
    if p.is_absolute():
        try:
            p = p.relative_to(Path.cwd())
        except ValueError:
            pass
    return os.path.normpath(p.as_posix())


def regressions(current: dict[str, Any], baseline: dict[str, Any], *, whole: bool = True) -> list[str]:
    """Why readiness went down, one line each; empty when it did not.

    Compares the files present in both reports: a function or class whose status got worse, a
    file whose score dropped. With `whole` (the same set of paths was analyzed) the package score
    too. New code is judged by its own findings, not as a regression.
    """
    problems: list[str] = []
    analyzed = {_key(f["path"]) for f in current.get("files", [])}
    for kind in ("functions", "classes"):
        now = {(_key(item["path"]), item["qualname"]): item for item in current.get(kind, [])}
        for old in baseline.get(kind, []):
            key = (_key(old["path"]), old["qualname"])
            new = now.get(key)
            if key[0] not in analyzed or new is None:
                continue
            if STATUS_RANK.get(new["status"], 0) < STATUS_RANK.get(old["status"], 0):
                blockers = ", ".join(new.get("blockers", [])) or "no blocker code"
                problems.append(
                    f"{key[0]}:{new['line']}: {new['qualname']} was {old['status']}, now {new['status']} ({blockers})"
                )
    old_files = {_key(f["path"]): f for f in baseline.get("files", [])}
    for file in current.get("files", []):
        old_file = old_files.get(_key(file["path"]))
        if old_file is not None and file["score"] < old_file["score"] - EPSILON:
            problems.append(f"{_key(file['path'])}: score {old_file['score']:.1f} -> {file['score']:.1f}")
    if whole and current["score"] < baseline["score"] - EPSILON:
        problems.append(f"package score {baseline['score']:.1f} -> {current['score']:.1f}")
    return problems


def write_atomic(path: Path, text: str) -> None:
    """Replace `path` in one step, keeping its mode (a new file gets the umask's default).

    Readers see the old report or the new one, never a part: a CI step may publish it at once.
    Through a symlink the file it points to is replaced, not the link (a published location).
    """
    if path.is_symlink():
        path = path.resolve()
    if path.exists():
        mode = stat.S_IMODE(path.stat().st_mode)
    else:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    atomic.write_text(path, text, mode)


def _render(
    args: argparse.Namespace, report: AnalysisReport, config: Config, baseline: Baseline | None
) -> str:
    baseline_score = baseline.score if baseline is not None else None
    if args.format == "html":
        from pymigrate.analyze.reports import html
        from pymigrate.analyze.reports.history import collect_history

        history = collect_history(args.paths, args.history, config) if args.history is not None else []
        title = args.title or " ".join(str(p) for p in args.paths)
        return html.render(
            report, title=title, history=history, baseline_score=baseline_score, rules_url=args.rules_url
        )
    render = renderer(args.format)
    if args.format == "markdown":
        text: str = render(report, rules_url=args.rules_url or RULES_DOCS)
        if baseline is not None:
            heading, _, rest = text.partition("\n\n")
            text = f"{heading}\n\n{markdown_delta(report.score, baseline.score, baseline.path)}{rest}"
        return text
    rendered: str = render(report, rules_url=args.rules_url)
    return rendered


def markdown_delta(score: float, baseline_score: float, path: Path) -> str:
    """The line a PR comment leads with: where the score stands against the baseline."""
    change = score - baseline_score
    arrow = "⬆️" if change > EPSILON else "⬇️" if change < -EPSILON else "➡️"
    return (
        f"> {arrow} **{change:+.1f}** against the baseline `{path.name}` "
        f"({baseline_score:.1f} -> {score:.1f})\n\n"
    )


def check_codes(codes: tuple[str, ...], where: str) -> None:
    """A code that matches no rule would silently select or ignore nothing: an error instead."""
    from pymigrate.analyze.rules import RULES

    for code in codes:
        if not any(known.startswith(code) for known in RULES):
            raise ConfigError(f"{where}: no rule code starts with {code!r} (see docs/rules/)")


def _writes_baseline(output: Path | None, baseline: Path) -> bool:
    """Making or refreshing the baseline itself: nothing to compare against, nothing to fail."""
    return output is not None and output.resolve() == baseline.resolve()


def run(args: argparse.Namespace) -> int:
    """Usage problems are found before analysis (exit 2, nothing written); the report is written
    before the gates are judged, so a failing CI step still publishes what failed."""
    from pymigrate.analyze import analyze_paths
    from pymigrate.analyze.reports.history import HistoryError

    if args.history is not None and args.format != "html":
        print("pymigrate report: --history is charted only with --format html", file=sys.stderr)
        return 2
    if args.history is not None and args.history < 1:
        print(f"pymigrate report: --history must be at least 1, got {args.history}", file=sys.stderr)
        return 2
    try:
        config = load_config(args.paths[0]).override(
            select=args.select, ignore=args.ignore, fail_under=args.fail_under, baseline=args.baseline
        )
        check_codes(config.select, "select")
        check_codes(config.ignore, "ignore")
        if config.fail_under is not None and not 0 <= config.fail_under <= 100:
            raise ConfigError("--fail-under must be a number from 0 to 100")
        baseline = None
        if config.baseline is not None and not _writes_baseline(args.output, config.baseline):
            baseline = load_baseline(config.baseline)
    except (ConfigError, BaselineError) as exc:
        print(f"pymigrate report: {exc}", file=sys.stderr)
        return 2
    try:
        report = analyze_paths(args.paths, config)
        text = _render(args, report, config, baseline)
    except HistoryError as exc:
        print(f"pymigrate report: {exc}", file=sys.stderr)
        return 2
    except Exception:  # an internal error is exit 2 with its traceback, never a report that looks fine
        traceback.print_exc()
        print(
            "pymigrate report: internal error (exit 2); please report it with the traceback above",
            file=sys.stderr,
        )
        return 2
    if args.output is not None:
        try:
            write_atomic(args.output, text)
        except OSError as exc:
            print(f"pymigrate report: cannot write {args.output}: {exc.strerror or exc}", file=sys.stderr)
            return 2
    else:
        sys.stdout.write(text)
    for error in report.errors:  # also in the report, but a CI log should show them too
        print(error["message"], file=sys.stderr)
    status = 1 if report.errors else 0  # like analyze, parse, migrate and build
    if config.fail_under is not None and report.score < config.fail_under:
        print(
            f"pymigrate report: score {report.score:.1f} is under --fail-under {config.fail_under:g}",
            file=sys.stderr,
        )
        status = 1
    if baseline is not None:
        problems = regressions(report.to_json(), baseline.data)
        for problem in problems:
            print(f"regression: {problem}", file=sys.stderr)
        if problems:
            print(f"pymigrate report: readiness regressed against {baseline.path}", file=sys.stderr)
            status = 1
    return status
