"""The hooks through the real pre-commit tool, in a fresh repository, configured by docs/ci.md's snippet."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

import pytest
import yaml

READY = "def add(a: int, b: int) -> int:\n    return a + b\n"
BLOCKED = "def add(a: int, b: int) -> int:\n    return eval('a + b')\n"
KEYWORD = "fn = 1\n"  # a name the superset spells with backticks
EVAL = "def run(code: str) -> object:\n    return eval(code)\n"

pytestmark = pytest.mark.slow  # the first test builds the hook environment with pip


def pre_commit(repo: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    env.pop("PRE_COMMIT", None)
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *args],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture
def project(
    make_repo: Callable[[str], Any], ci_snippets: dict[str, str], hook_repository: tuple[Path, str]
) -> Any:
    """A fresh repository whose .pre-commit-config.yaml is the documented snippet, pointed at this tree."""
    config = yaml.safe_load(ci_snippets["pre-commit"])
    hook_repo, rev = hook_repository
    assert [h["id"] for h in config["repos"][0]["hooks"]] == ["pymigrate-suggest", "pymigrate-check"]
    config["repos"][0]["repo"] = str(hook_repo)
    config["repos"][0]["rev"] = rev
    repo = make_repo("project")
    repo.commit(
        {
            ".pre-commit-config.yaml": yaml.safe_dump(config, sort_keys=False),
            "pyproject.toml": '[tool.pymigrate]\nbaseline = "readiness-baseline.json"\n',
            "pkg/calc.py": READY,
        },
        "start",
    )
    return repo


def test_suggest_reports_only_staged_files_and_never_fails(project: Any, pre_commit_home: Path) -> None:
    project.write({"pkg/staged.py": KEYWORD, "pkg/untracked.py": EVAL})
    project.git("add", "pkg/staged.py")
    done = pre_commit(project.root, pre_commit_home, "run", "pymigrate-suggest")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "pymigrate suggest" in done.stdout and "Passed" in done.stdout
    assert "pkg/staged.py:1:1: PM101" in done.stdout
    assert "fix:" in done.stdout
    assert "untracked.py" not in done.stdout

    # Installed as a git hook, it lets the commit through and shows its suggestions.
    assert pre_commit(project.root, pre_commit_home, "install").returncode == 0
    commit = subprocess.run(
        ["git", "commit", "-m", "add staged", "--", "pkg/staged.py"],
        cwd=project.root,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PRE_COMMIT_HOME": str(pre_commit_home), "SKIP": "pymigrate-check"},
    )
    assert commit.returncode == 0, commit.stdout + commit.stderr
    assert "PM101" in commit.stdout + commit.stderr
    assert project.git("log", "-1", "--format=%s").strip() == "add staged"


def test_suggest_fails_only_when_asked(project: Any, pre_commit_home: Path) -> None:
    config = yaml.safe_load((project.root / ".pre-commit-config.yaml").read_text())
    config["repos"][0]["hooks"][0]["args"] = ["--fail"]
    project.write({".pre-commit-config.yaml": yaml.safe_dump(config), "pkg/staged.py": KEYWORD})
    project.git("add", ".pre-commit-config.yaml", "pkg/staged.py")
    done = pre_commit(project.root, pre_commit_home, "run", "pymigrate-suggest")
    assert done.returncode == 1
    assert "pkg/staged.py:1:1: PM101" in done.stdout


def stage_and_check(project: Any, home: Path, files: dict[str, str]) -> subprocess.CompletedProcess[str]:
    project.write(files)
    project.git("add", *files)
    return pre_commit(project.root, home, "run", "pymigrate-check")


def test_check_fails_on_a_readiness_regression(project: Any, pre_commit_home: Path) -> None:
    project.commit_baseline("pkg")
    done = stage_and_check(project, pre_commit_home, {"pkg/calc.py": BLOCKED})
    assert done.returncode == 1, done.stdout
    assert "regression: pkg/calc.py:1: add was ready, now blocked (PM301)" in done.stdout
    assert "readiness regressed against" in done.stdout


def test_check_fails_when_migrate_would_change_a_file(project: Any, pre_commit_home: Path) -> None:
    done = stage_and_check(project, pre_commit_home, {"pkg/more.py": READY})
    assert done.returncode == 1, done.stdout
    assert "would upgrade pkg/more.py -> pkg/more.pys (fn: add)" in done.stdout
    assert "pymigrate check: run `pymigrate migrate --write` on the files above" in done.stdout


def test_check_passes_when_nothing_regressed(project: Any, pre_commit_home: Path) -> None:
    # Blocked but fully annotated: nothing for migrate to do, and no worse than the baseline.
    project.commit({"pkg/calc.py": EVAL}, "blocked calc")
    project.commit_baseline("pkg")
    done = stage_and_check(
        project, pre_commit_home, {"pkg/calc.py": EVAL + "\n\n" + EVAL.replace("run", "run_again")}
    )
    assert done.returncode == 0, done.stdout
    assert "pymigrate check" in done.stdout and "Passed" in done.stdout
