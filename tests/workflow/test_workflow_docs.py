"""docs/ci.md's snippets, run as CI would run them, on a sample repository with history."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

import pytest
import yaml

READY = "def add(a: int, b: int) -> int:\n    return a + b\n"
EVAL = "def run(code: str) -> object:\n    return eval(code)\n"
INSTALL = "pip install pymigrate"  # the one command the tests do not run: pymigrate is installed here


@pytest.fixture
def ci_repo(make_repo: Callable[[str], Any]) -> Any:
    """A project with a few commits of history and a committed baseline, as the docs describe."""
    repo = make_repo("ci")
    repo.commit({"src/pkg/__init__.py": "", "src/pkg/core.py": EVAL}, "first")
    repo.commit({"src/pkg/util.py": READY}, "second")
    repo.commit_baseline("src")
    return repo


def run_script(script: str, cwd: Path, extra_env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """A CI `run:`/`script:` command with bash -e, the venv's `pymigrate` on PATH."""
    env = {
        **os.environ,
        **extra_env,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    return subprocess.run(
        ["bash", "-e", "-c", script], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )


def test_github_workflow(ci_snippets: dict[str, str], ci_repo: Any, tmp_path: Path) -> None:
    workflow = yaml.safe_load(ci_snippets["github"])
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert set(triggers) == {"pull_request", "push"}
    (job,) = workflow["jobs"].values()
    steps = job["steps"]
    checkout = next(s for s in steps if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0  # --history needs the commits
    summary = tmp_path / "summary.md"

    def run_steps(expect_gate: int) -> None:
        failed = False
        for step in steps:
            if "run" not in step:
                continue
            if step["run"].strip() == INSTALL:
                continue
            if failed and step.get("if") != "always()":
                continue
            done = run_script(step["run"], ci_repo.root, {"GITHUB_STEP_SUMMARY": str(summary)})
            expected = expect_gate if step["name"] == "Readiness against the baseline" else 0
            assert done.returncode == expected, f"{step['name']}: {done.stderr}"
            failed = failed or done.returncode != 0

    run_steps(expect_gate=0)
    for step in steps:
        if step.get("uses", "").startswith("actions/upload-artifact@"):
            assert (ci_repo.root / step["with"]["path"]).read_text().startswith("<!DOCTYPE html>")
        if step.get("uses", "").startswith("github/codeql-action/upload-sarif@"):
            sarif = json.loads((ci_repo.root / step["with"]["sarif_file"]).read_text())
            assert sarif["version"] == "2.1.0"
    page = (ci_repo.root / "readiness.html").read_text()
    assert page.count("<circle") == 4  # three commits, then the working tree
    assert summary.read_text().startswith("## pymigrate readiness\n\n> ➡️ **+0.0** against the baseline")

    # A regression fails the gate, and the summary and artifacts are still published.
    (ci_repo.root / "src/pkg/util.py").write_text(READY.replace("a + b", "eval('a + b')"))
    summary.write_text("")
    run_steps(expect_gate=1)
    assert summary.read_text().startswith("## pymigrate readiness\n\n> ⬇️ ")


def test_gitlab_job(ci_snippets: dict[str, str], ci_repo: Any) -> None:
    (job,) = yaml.safe_load(ci_snippets["gitlab"]).values()
    assert job["variables"]["GIT_DEPTH"] == 0
    for command in job["script"]:
        if command == INSTALL:
            continue
        done = run_script(command, ci_repo.root, {})
        assert done.returncode == 0, f"{command}: {done.stderr}"
    assert job["artifacts"]["when"] == "always"
    for path in job["artifacts"]["paths"]:
        assert (ci_repo.root / path).stat().st_size > 0
    assert json.loads((ci_repo.root / "readiness.json").read_text())["tool"] == "pymigrate"


def test_baseline_and_config_snippets(ci_repo: Any) -> None:
    text = (Path(__file__).resolve().parents[2] / "docs" / "ci.md").read_text(encoding="utf-8")
    sh = text[text.index("```sh\n") + 6 :].split("```")[0].strip()
    toml = text[text.index("```toml\n") + 8 :].split("```")[0]
    (ci_repo.root / "pyproject.toml").write_text(toml)
    done = run_script(sh, ci_repo.root, {})
    assert done.returncode == 0, done.stderr
    # With the table in place a plain `pymigrate report` uses the baseline on its own.
    report = run_script("pymigrate report src", ci_repo.root, {})
    assert report.returncode == 0, report.stderr
    assert "> ➡️ **+0.0** against the baseline `readiness-baseline.json`" in report.stdout
