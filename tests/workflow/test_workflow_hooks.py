"""The hook entry points in-process: the exact suggestion text, exit codes, the baseline gate."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pymigrate.analyze import analyze_paths
from pymigrate.config import Config
from pymigrate.hooks import main

SOURCE = """\
fn = 1


def add(a: int, b: int) -> int:
    return a + b


def size(xs: list) -> int:
    return len(xs)


def run(code: str) -> object:
    return eval(code)
"""

# Positions, codes, fixes and layout are the hook's; each message text is the analyzer's own
# (`{PM312}` below), so a reworded rule message does not break this test of the hook.
EXPECTED = """\
m.py:1:1: PM101 {PM101}
    fix: `pymigrate migrate --write m.py` backticks it; CPython callers keep the plain name
m.py:4:1: upgrade `add` is ready to become a `fn`
    fix: `pymigrate migrate --write m.py`
m.py:8:14: PM312 {PM312}
    fix: rewrite as docs/rules/PM312.md shows, or keep it a plain def
m.py:13:12: PM301 {PM301}
    fix: rewrite as docs/rules/PM301.md shows, or keep it a plain def
pymigrate: 4 suggestion(s); `pymigrate migrate --write FILE` applies the safe ones
"""


@pytest.fixture
def module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "m.py").write_text(SOURCE, encoding="utf-8")
    return Path("m.py")


def test_suggest_text_and_exit_code(module: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["suggest", str(module)]) == 0
    out = capsys.readouterr()
    messages = {f.code: f.message for f in analyze_paths([module], Config()).findings}
    assert messages["PM101"] == "`fn` is a superset keyword: write the binding as `` `fn` ``"
    assert out.out == EXPECTED.format(**messages)
    assert out.err == ""
    assert main(["suggest", "--fail", str(module)]) == 1


def test_suggest_select_and_ignore(module: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["suggest", "--select", "PM1", str(module)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(": ")[1].split()[0] for line in lines if line.startswith("m.py:")] == [
        "PM101",
        "upgrade",
    ]
    assert main(["suggest", "--ignore", "PM3,PM101", str(module)]) == 0
    assert "PM3" not in capsys.readouterr().out


def test_nothing_staged_is_a_pass(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["suggest"]) == 0 and main(["check"]) == 0
    assert capsys.readouterr().out == ""


def test_bad_config_is_a_usage_error(module: Path, capsys: pytest.CaptureFixture[str]) -> None:
    Path("pyproject.toml").write_text("[tool.pymigrate]\nselct = []\n", encoding="utf-8")
    assert main(["suggest", str(module)]) == 2
    assert "unknown key 'selct'" in capsys.readouterr().err


def test_check_against_baseline_only(module: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--no-migrate-check", "--baseline", "base.json", str(module)]) == 2
    assert "base.json: baseline not found" in capsys.readouterr().err
    Path("base.json").write_text(json.dumps(analyze_paths([module], Config()).to_json()), encoding="utf-8")
    assert main(["check", "--no-migrate-check", "--baseline", "base.json", str(module)]) == 0
    module.write_text(SOURCE.replace("return a + b", "return eval('a + b')"), encoding="utf-8")
    assert main(["check", "--no-migrate-check", "--baseline", "base.json", str(module)]) == 1
    err = capsys.readouterr().err
    assert "regression: m.py:4: add was ready, now blocked (PM301)" in err
    assert "pymigrate check: readiness regressed against base.json" in err


def test_check_runs_migrate_check(module: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(module)]) == 1  # `add` would become a fn, `fn` would be backticked
    captured = capsys.readouterr()
    assert "would upgrade m.py -> m.pys" in captured.out + captured.err
    assert "run `pymigrate migrate --write` on the files above" in captured.err


def test_unknown_rule_code_is_a_usage_error(module: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["suggest", "--select", "PM9Z", str(module)]) == 2  # would otherwise select nothing
    assert capsys.readouterr().err == "pymigrate: select: no rule code starts with 'PM9Z' (see docs/rules/)\n"
    assert main(["suggest", "--ignore", "pm3", str(module)]) == 0  # codes are matched in any case
    assert "PM301" not in capsys.readouterr().out


def test_file_that_cannot_be_analyzed_is_named_once(module: Path, capsys: pytest.CaptureFixture[str]) -> None:
    Path("bad.py").write_text("def f(:\n", encoding="utf-8")
    assert main(["suggest", "bad.py"]) == 0  # suggestions never block a commit
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("pymigrate suggest: not analyzed: bad.py:1:")
