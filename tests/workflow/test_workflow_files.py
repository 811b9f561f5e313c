"""File discovery: include/exclude globs from the configuration, default exclusions, bad paths."""

from __future__ import annotations

import os
from pathlib import Path

from pymigrate.config import Config
from pymigrate.files import WalkError, iter_source_files


def make_tree(root: Path, names: list[str]) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x = 1\n", encoding="utf-8")


def rel(root: Path, paths: list[Path]) -> list[str]:
    return [p.relative_to(root).as_posix() for p in paths]


def test_default_include_and_tool_directories(tmp_path: Path) -> None:
    make_tree(
        tmp_path,
        ["b.py", "a.pys", "notes.txt", "pkg/m.py", ".venv/lib/x.py", "build/y.py", "pkg/__pycache__/z.py"],
    )
    found = rel(tmp_path, list(iter_source_files([tmp_path], Config())))
    assert found == ["a.pys", "b.py", "pkg/m.py"]


def test_include_and_exclude_globs(tmp_path: Path) -> None:
    make_tree(tmp_path, ["a.py", "a.pys", "tests/test_a.py", "pkg/gen_x.py", "pkg/keep.py"])
    config = Config(include=("*.py",), exclude=("tests", "pkg/gen_*"))
    found = rel(tmp_path, list(iter_source_files([tmp_path], config)))
    assert found == ["a.py", "pkg/keep.py"]


def test_explicit_file_is_always_taken(tmp_path: Path) -> None:
    make_tree(tmp_path, ["script"])
    config = Config(exclude=("script",))
    assert list(iter_source_files([tmp_path / "script"], config)) == [tmp_path / "script"]


def test_missing_path_and_symlink_loop_are_reported(tmp_path: Path) -> None:
    make_tree(tmp_path, ["pkg/m.py"])
    os.symlink(tmp_path / "pkg", tmp_path / "pkg" / "loop")
    errors: list[WalkError] = []
    found = list(iter_source_files([tmp_path / "pkg", tmp_path / "nope"], Config(), errors))
    assert rel(tmp_path, found) == ["pkg/m.py"]
    assert [(e.path, e.message) for e in errors] == [
        (tmp_path / "pkg" / "loop", "symlink loop: directory already visited"),
        (tmp_path / "nope", "no such file or directory"),
    ]


def test_walk_takes_regular_files_and_reports_dangling_links(tmp_path: Path) -> None:
    make_tree(tmp_path, ["pkg/m.py"])
    os.mkfifo(tmp_path / "pkg" / "pipe.py")  # reading it would block the whole run
    os.symlink(tmp_path / "gone.py", tmp_path / "pkg" / "dangling.py")
    os.symlink(tmp_path / "pkg" / "m.py", tmp_path / "pkg" / "alias.py")
    found = rel(tmp_path, list(iter_source_files([tmp_path / "pkg"], Config())))
    assert found == ["pkg/alias.py", "pkg/dangling.py", "pkg/m.py"]  # dangling: yielded, so reported on read
