"""Shared fixtures for the workflow tests: throwaway git repositories, the browser, the CLI."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Callable

import pytest

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.invalid",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
}


class Repo:
    """A git repository in a temporary directory, committed to with fixed identities."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")
        self.git("config", "user.name", "Test")
        self.git("config", "user.email", "test@example.invalid")
        self.git("config", "commit.gpgsign", "false")

    def git(self, *args: str) -> str:
        env = {**os.environ, **GIT_ENV}
        done = subprocess.run(
            ["git", *args], cwd=self.root, env=env, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, f"git {' '.join(args)} failed: {done.stderr}"
        return done.stdout

    def write(self, files: dict[str, str]) -> None:
        for name, text in files.items():
            path = self.root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")

    def commit_baseline(self, package: str) -> None:
        """The baseline made the documented way (docs/ci.md), then committed."""
        done = run_pymigrate(
            "report", package, "--format", "json", "--output", "readiness-baseline.json", cwd=self.root
        )
        assert done.returncode == 0, done.stderr
        self.git("add", "readiness-baseline.json")
        self.git("commit", "-q", "-m", "baseline")

    def commit(self, files: dict[str, str], message: str) -> str:
        self.write(files)
        self.git("add", *files)
        self.git("commit", "-q", "-m", message)
        return self.git("rev-parse", "HEAD").strip()


@pytest.fixture
def make_repo(tmp_path: Path) -> Callable[[str], Repo]:
    return lambda name: Repo(tmp_path / name)


def run_pymigrate(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pymigrate", *args], cwd=cwd, capture_output=True, text=True, check=False
    )


@pytest.fixture
def pymigrate_cli() -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run `python -m pymigrate ARGS` in a directory, as a user would."""
    return run_pymigrate


@pytest.fixture(scope="session")
def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.skip("chromium is not installed (Debian: apt-get install -y chromium chromium-driver)")
    return path


DOCS = Path(__file__).resolve().parents[2] / "docs"


def yaml_blocks(markdown: str) -> list[str]:
    return re.findall(r"^```yaml\n(.*?)^```$", markdown, flags=re.M | re.S)


@pytest.fixture(scope="session")
def ci_snippets() -> dict[str, str]:
    """The YAML snippets of docs/ci.md by what they configure: github, gitlab, pre-commit."""
    found: dict[str, str] = {}
    for block in yaml_blocks((DOCS / "ci.md").read_text(encoding="utf-8")):
        if block.startswith("repos:"):
            found["pre-commit"] = block
        elif "jobs:" in block and "runs-on:" in block:
            found["github"] = block
        elif "script:" in block:
            found["gitlab"] = block
    assert set(found) == {"github", "gitlab", "pre-commit"}, f"docs/ci.md snippets found: {sorted(found)}"
    return found


@pytest.fixture(scope="session")
def hook_repository(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """This working tree, committed into a throwaway repository pre-commit can install from."""
    project = Path(__file__).resolve().parents[2]
    root = tmp_path_factory.mktemp("hook-repo")
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy2(project / name, root / name)
    shutil.copytree(
        project / "pymigrate", root / "pymigrate", ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
    )
    repo = Repo(root)
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "pymigrate under test")
    return root, repo.git("rev-parse", "HEAD").strip()


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One hook environment for the whole run: pre-commit builds it once, with pip."""
    return tmp_path_factory.mktemp("pre-commit-home")
