"""Readiness over time: the package score at each of the last N commits, and its chart.

Past versions are read straight from git (`git archive` of the analyzed path into a temporary
directory), so the working tree, the index and HEAD are never touched. Commits whose analyzed
subtree is unchanged reuse the previous result: git gives the tree id for free.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from pymigrate.config import Config

if TYPE_CHECKING:
    from pymigrate.analyze import AnalysisReport


class HistoryError(Exception):
    """The history cannot be read (no git, not a repository, bad count); the message says why."""


@dataclass(frozen=True)
class HistoryPoint:
    commit: str
    date: str  # committer date, ISO 8601
    subject: str
    score: float | None  # None when the analyzed path did not exist at that commit
    files: int

    @property
    def short(self) -> str:
        return self.commit[:8]


def _git(cwd: Path, *args: str) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except FileNotFoundError as exc:
        raise HistoryError("git is not installed; --history needs it") from exc
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()
        raise HistoryError(f"git {' '.join(args)}: {message}")
    return done.stdout


def _repository(path: Path) -> tuple[Path, str]:
    """The repository's top directory and `path` relative to it (posix, "." for the top)."""
    resolved = path.resolve()
    directory = resolved if resolved.is_dir() else resolved.parent
    if not directory.is_dir():
        raise HistoryError(f"{path}: no such file or directory")
    try:
        top = Path(_git(directory, "rev-parse", "--show-toplevel").decode().strip()).resolve()
    except HistoryError as exc:
        raise HistoryError(f"{path}: not inside a git repository, so --history has nothing to read") from exc
    relative = resolved.relative_to(top).as_posix()
    return top, relative or "."


def _object_id(top: Path, commit: str, relative: str) -> str | None:
    spec = f"{commit}^{{tree}}" if relative == "." else f"{commit}:{relative}"
    done = subprocess.run(
        ["git", "rev-parse", "--verify", "--quiet", spec], cwd=top, capture_output=True, check=False
    )
    return done.stdout.decode().strip() if done.returncode == 0 else None


def _inside_only(member: tarfile.TarInfo, path: str) -> tarfile.TarInfo | None:
    """tarfile's "data" filter, except that a link it refuses (absolute, or leading out of the
    checkout) is left out rather than failing the whole history: it is no source of this tree."""
    try:
        return tarfile.data_filter(member, path)
    except tarfile.FilterError:
        return None


def _extract(top: Path, commit: str, relatives: Sequence[str], into: Path) -> list[Path]:
    archive = _git(top, "archive", "--format=tar", commit, "--", *relatives)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter=_inside_only)
    return [into / relative for relative in relatives]


def collect_history(paths: Sequence[Path], count: int, config: Config) -> list[HistoryPoint]:
    """Scores of `paths` at the last `count` commits reachable from HEAD (first parent), oldest first."""
    from pymigrate.analyze import analyze_paths

    if count < 1:
        raise HistoryError(f"--history must be at least 1, got {count}")
    located = [_repository(path) for path in paths]
    top = located[0][0]
    for path, (other, _) in zip(paths, located):
        if other != top:
            raise HistoryError(
                f"{path}: in another git repository than {paths[0]}; chart one repository at a time"
            )
    relatives = [relative for _, relative in located]
    log = _git(top, "log", f"-n{count}", "--first-parent", "--format=%H%x1f%cI%x1f%s%x1e", "HEAD")
    entries = [e.strip("\n") for e in log.decode("utf-8", "replace").split("\x1e") if e.strip()]
    by_objects: dict[tuple[str | None, ...], tuple[float, int]] = {}
    points: list[HistoryPoint] = []
    with tempfile.TemporaryDirectory(prefix="pymigrate-history-") as tmp:
        for index, entry in enumerate(entries):
            commit, date, subject = entry.split("\x1f", 2)
            objects = tuple(_object_id(top, commit, relative) for relative in relatives)
            present = [relative for relative, obj in zip(relatives, objects) if obj is not None]
            if not present:
                points.append(HistoryPoint(commit, date, subject, None, 0))
                continue
            if objects not in by_objects:
                checkout = _extract(top, commit, present, Path(tmp) / str(index))
                report = analyze_paths(checkout, config)
                by_objects[objects] = (report.score, len(report.files))
            score, files = by_objects[objects]
            points.append(HistoryPoint(commit, date, subject, score, files))
    points.reverse()
    return points


# The chart: plain SVG, so the page needs no script and no network to show it.
_W, _H = 760, 280
_LEFT, _RIGHT, _TOP, _BOTTOM = 48, 24, 20, 56


def _x(index: int, total: int) -> float:
    span = _W - _LEFT - _RIGHT
    return _LEFT + (span / 2 if total == 1 else span * index / (total - 1))


def _y(score: float) -> float:
    return _TOP + (_H - _TOP - _BOTTOM) * (1 - score / 100)


def render(report: AnalysisReport, *, history: Sequence[HistoryPoint] = (), **_opts: object) -> str:
    """An SVG line chart of the score at each commit, ending with the working tree (`report`)."""
    labels = [(p.short, p.score, f"{p.short} {p.date[:10]} {p.subject}") for p in history]
    labels.append(("now", report.score, "working tree"))
    total = len(labels)
    parts = [
        f'<svg id="progress-chart" class="chart" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {_W} {_H}" role="img" aria-label="Readiness score over time">'
    ]
    for tick in (0, 25, 50, 75, 100):
        y = _y(tick)
        parts.append(
            f'<line class="grid" x1="{_LEFT}" x2="{_W - _RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="tick" x="{_LEFT - 8}" y="{y + 4:.1f}" text-anchor="end">{tick}</text>'
        )
    segment: list[str] = []
    segments: list[list[str]] = [segment]
    for index, (_, score, _) in enumerate(labels):
        if score is None:
            segment = []
            segments.append(segment)
        else:
            segment.append(f"{_x(index, total):.1f},{_y(score):.1f}")
    for points in segments:
        if len(points) > 1:
            parts.append(f'<polyline class="line" points="{" ".join(points)}"/>')
    step = max(1, (total + 11) // 12)  # at most about a dozen axis labels
    for index, (label, score, title) in enumerate(labels):
        x = _x(index, total)
        if score is not None:
            kind = "point now" if index == total - 1 else "point"
            parts.append(
                f'<circle class="{kind}" cx="{x:.1f}" cy="{_y(score):.1f}" r="4">'
                f"<title>{escape(title)}: {score:.1f}</title></circle>"
            )
        else:
            parts.append(
                f'<text class="absent" x="{x:.1f}" y="{_y(0) - 6:.1f}" text-anchor="middle">'
                f"<title>{escape(title)}: path absent</title>·</text>"
            )
        if index % step == 0 or index == total - 1:
            parts.append(
                f'<text class="label" x="{x:.1f}" y="{_H - _BOTTOM + 18}" text-anchor="middle">'
                f"{escape(label)}</text>"
            )
    parts.append("</svg>")
    return "".join(parts)
