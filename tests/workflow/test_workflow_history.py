"""`--history`: scores at past commits read from git, the working tree left exactly as it was."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, Callable

import pytest

from pymigrate.analyze import analyze_paths
from pymigrate.analyze.reports import history
from pymigrate.analyze.reports.history import HistoryError, collect_history
from pymigrate.config import Config

READY = "def add(a: int, b: int) -> int:\n    return a + b\n"
BLOCKED = "def run(code: str) -> object:\n    return eval(code)\n"


def score_of(files: dict[str, str], where: Path) -> float:
    """Ground truth: the analyzer's score for these files written out plainly."""
    if where.exists():
        shutil.rmtree(where)
    for name, text in files.items():
        (where / name).parent.mkdir(parents=True, exist_ok=True)
        (where / name).write_text(text, encoding="utf-8")
    return analyze_paths([where], Config()).score


def test_scores_per_commit_oldest_first(make_repo: Callable[[str], Any], tmp_path: Path) -> None:
    repo = make_repo("repo")
    first = repo.commit({"README.md": "hello\n"}, "start")  # src/pkg does not exist yet
    v1 = {"pkg/a.py": BLOCKED, "pkg/b.py": BLOCKED}
    second = repo.commit({f"src/{k}": v for k, v in v1.items()}, "add pkg")
    v2 = {"pkg/a.py": READY, "pkg/b.py": BLOCKED}
    third = repo.commit({"src/pkg/a.py": READY}, "upgrade a")
    fourth = repo.commit({"README.md": "hello again\n"}, "docs only")
    # Uncommitted work must be neither read nor disturbed.
    (repo.root / "src/pkg/b.py").write_text(READY, encoding="utf-8")
    (repo.root / "src/pkg/new.py").write_text(BLOCKED, encoding="utf-8")
    status_before = repo.git("status", "--porcelain=v1", "--untracked-files=all")
    index_before = repo.git("ls-files", "--stage")

    points = collect_history([repo.root / "src" / "pkg"], 10, Config())

    assert [p.commit for p in points] == [first, second, third, fourth]
    assert [p.subject for p in points] == ["start", "add pkg", "upgrade a", "docs only"]
    s1 = score_of(v1, tmp_path / "truth1")
    s2 = score_of(v2, tmp_path / "truth2")
    assert s1 != s2  # the fixture must move the score, or the test proves nothing
    assert [p.score for p in points] == [None, s1, s2, s2]
    assert [p.files for p in points] == [0, 2, 2, 2]
    assert all(p.date[:4].isdigit() and "T" in p.date for p in points)
    assert repo.git("status", "--porcelain=v1", "--untracked-files=all") == status_before
    assert repo.git("ls-files", "--stage") == index_before
    assert (repo.root / "src/pkg/b.py").read_text(encoding="utf-8") == READY


def test_count_limits_to_the_last_commits(make_repo: Callable[[str], Any]) -> None:
    repo = make_repo("repo")
    repo.commit({"m.py": BLOCKED}, "one")
    repo.commit({"m.py": READY}, "two")
    third = repo.commit({"m.py": BLOCKED + READY}, "three")
    points = collect_history([repo.root / "m.py"], 1, Config())  # a single file works too
    assert [p.commit for p in points] == [third]
    assert points[0].score == analyze_paths([repo.root / "m.py"], Config()).score


def test_outside_a_repository_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text(READY, encoding="utf-8")
    with pytest.raises(HistoryError, match="not inside a git repository"):
        collect_history([tmp_path], 3, Config())


def test_chart_has_one_point_per_commit_plus_the_working_tree(make_repo: Callable[[str], Any]) -> None:
    repo = make_repo("repo")
    repo.commit({"README.md": "x\n"}, "start")
    repo.commit({"m.py": BLOCKED}, "one")
    repo.commit({"m.py": READY}, "two <&>")
    points = collect_history([repo.root / "m.py"], 5, Config())
    report = analyze_paths([repo.root / "m.py"], Config())
    svg = history.render(report, history=points)
    assert svg.startswith('<svg id="progress-chart"')
    assert svg.count("<circle") == 3  # two commits with the file, then the working tree
    assert svg.count('class="absent"') == 1  # the commit before the file existed
    assert "two &lt;&amp;&gt;" in svg  # commit subjects are escaped
    assert "<polyline" in svg


def test_several_paths_are_charted_together(make_repo: Callable[[str], Any], tmp_path: Path) -> None:
    repo = make_repo("repo")
    one = repo.commit({"a/m.py": BLOCKED}, "a only")
    two = repo.commit({"b/n.py": READY, "c/ignored.py": BLOCKED}, "b too")
    points = collect_history([repo.root / "a", repo.root / "b"], 5, Config())
    assert [p.commit for p in points] == [one, two]
    assert [p.files for p in points] == [1, 2]
    assert points[0].score == score_of({"a/m.py": BLOCKED}, tmp_path / "t1")
    assert points[1].score == score_of({"a/m.py": BLOCKED, "b/n.py": READY}, tmp_path / "t2")
    other = make_repo("other")
    other.commit({"x.py": READY}, "x")
    with pytest.raises(HistoryError, match="in another git repository"):
        collect_history([repo.root / "a", other.root / "x.py"], 2, Config())


def test_links_out_of_the_tree_are_left_out(make_repo: Callable[[str], Any], tmp_path: Path) -> None:
    repo = make_repo("repo")
    outside = tmp_path / "outside.py"
    outside.write_text(BLOCKED, encoding="utf-8")
    repo.write({"pkg/a.py": READY})
    (repo.root / "pkg" / "abs.py").symlink_to(outside)  # absolute: the data filter refuses it
    (repo.root / "pkg" / "up.py").symlink_to(Path("..") / ".." / "outside.py")  # leads out of the checkout
    repo.git("add", "pkg")
    commit = repo.commit({"pkg/b.py": READY}, "links")
    (point,) = collect_history([repo.root / "pkg"], 1, Config())
    assert (point.commit, point.files) == (commit, 2)  # a.py and b.py; neither link is followed
    assert point.score == score_of({"pkg/a.py": READY, "pkg/b.py": READY}, tmp_path / "truth")
