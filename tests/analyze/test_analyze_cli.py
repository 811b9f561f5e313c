"""`pymigrate analyze` end to end: formats, exit codes, --select/--ignore, --fail-under, --baseline, config."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pymigrate.cli import main

READY = "def area(w: float, h: float) -> float:\n    return w * h\n"
BLOCKED = "def run(expr: str) -> int:\n    return eval(expr)\n"


def write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.write_text(text, encoding="utf-8")
    return path


def test_text_view_and_exit_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, "a.py", READY + BLOCKED)
    assert main(["analyze", str(tmp_path), "--color", "never"]) == 0
    out = capsys.readouterr().out
    assert "pymigrate readiness: 50.0 / 100" in out
    assert "PM301" in out


def test_json_output_goes_to_stdout_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, "a.py", READY)
    assert main(["analyze", str(tmp_path), "--format", "json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["score"] == 100.0
    assert captured.err == ""


def test_select_and_ignore_filter_findings_not_verdicts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, "a.py", BLOCKED + "def g(x):\n    return x\n")
    main(["analyze", str(tmp_path), "--format", "json", "--select", "PM2"])
    document = json.loads(capsys.readouterr().out)
    assert {f["code"] for f in document["findings"]} == {"PM202", "PM204"}
    assert document["functions"][0]["blockers"] == ["PM301"]
    main(["analyze", str(tmp_path), "--format", "json", "--ignore", "pm2,PM301"])
    document = json.loads(capsys.readouterr().out)
    assert document["findings"] == []


def test_unknown_code_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, "a.py", READY)
    assert main(["analyze", str(tmp_path), "--select", "XY1"]) == 2
    assert "no rule code starts with 'XY1'" in capsys.readouterr().err


def test_fail_under(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, "a.py", READY + BLOCKED)
    assert main(["analyze", str(tmp_path), "--format", "json", "--fail-under", "50"]) == 0
    assert main(["analyze", str(tmp_path), "--format", "json", "--fail-under", "50.1"]) == 1
    assert "score 50.0 is under --fail-under 50.1" in capsys.readouterr().err


def test_keyword_identifiers_are_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, "a.py", "var = 1\n")
    assert main(["analyze", str(tmp_path), "--format", "json"]) == 1
    assert main(["analyze", str(tmp_path), "--format", "json", "--ignore", "PM1"]) == 0


def test_unparsable_file_is_reported_and_run_goes_on(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, "a.py", READY)
    write(tmp_path, "b.py", "def f(:\n")
    assert main(["analyze", str(tmp_path), "--format", "json"]) == 1
    captured = capsys.readouterr()
    document = json.loads(captured.out)
    assert [f["path"] for f in document["files"]] == [str(tmp_path / "a.py")]
    assert f"{tmp_path / 'b.py'}:1:7: error: syntax error" in captured.err


def test_baseline_regression(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    src = write(tmp_path, "a.py", READY)
    main(["analyze", "a.py", "--format", "json"])
    baseline = write(tmp_path, "base.json", capsys.readouterr().out)
    assert main(["analyze", "a.py", "--baseline", str(baseline), "--format", "json"]) == 0
    src.write_text(READY.replace("return w * h", "return eval('w * h')"), encoding="utf-8")
    capsys.readouterr()
    assert main(["analyze", "a.py", "--baseline", str(baseline), "--format", "json"]) == 1
    err = capsys.readouterr().err
    assert "area was ready, now blocked (PM301)" in err


def test_missing_baseline_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, "a.py", READY)
    assert main(["analyze", str(tmp_path), "--baseline", str(tmp_path / "nope.json")]) == 2
    assert "baseline not found" in capsys.readouterr().err


def test_config_from_pyproject_and_flag_override(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, "pyproject.toml", '[tool.pymigrate]\nselect = ["PM3"]\nfail-under = 90\n')
    write(tmp_path, "a.py", READY + BLOCKED + "def g(x):\n    return x\n")
    assert main(["analyze", str(tmp_path), "--format", "json"]) == 1
    document = json.loads(capsys.readouterr().out)
    assert {f["code"] for f in document["findings"]} == {"PM301"}
    assert main(["analyze", str(tmp_path), "--format", "json", "--fail-under", "10", "--select", "PM2"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert {f["code"] for f in document["findings"]} == {"PM202", "PM204"}


def test_bad_config_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, "pyproject.toml", '[tool.pymigrate]\nfail-undr = 90\n')
    write(tmp_path, "a.py", READY)
    assert main(["analyze", str(tmp_path)]) == 2
    assert "unknown key 'fail-undr'" in capsys.readouterr().err


@pytest.mark.parametrize("fmt", ["markdown", "sarif"])
def test_other_formats(tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    write(tmp_path, "a.py", BLOCKED)
    assert main(["analyze", str(tmp_path), "--format", fmt]) == 0
    out = capsys.readouterr().out
    assert "PM301" in out


def test_mypy_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, "a.py", READY + "area('1', 2.0)\n")
    main(["analyze", str(tmp_path), "--format", "json"])
    assert json.loads(capsys.readouterr().out)["functions"][0]["status"] == "ready"
    main(["analyze", str(tmp_path), "--format", "json", "--mypy"])
    document = json.loads(capsys.readouterr().out)
    assert document["functions"][0]["status"] == "blocked"
    assert document["functions"][0]["blockers"] == ["PM321"]
    (finding,) = document["findings"]
    assert (finding["line"], finding["column"]) == (3, 6)
    assert finding["message"] == 'mypy: Argument 1 to "area" has incompatible type "str"; expected "float"'


def test_a_path_that_does_not_exist_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "no_such_package"
    assert main(["analyze", str(missing)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip() == f"pymigrate analyze: {missing}: no such file or directory"
