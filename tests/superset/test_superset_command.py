"""`pymigrate parse`: diagnostics on stdout, summary on stderr, exit status."""

from __future__ import annotations

from pathlib import Path

import pytest

from pymigrate.cli import main


def _tree(tmp_path: Path) -> Path:
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "good.pys").write_text("fn f(x: Int) -> Int:\n    return x\n", encoding="utf-8")
    (pkg / "plain.py").write_text("def g():\n    return 1\n", encoding="utf-8")
    (pkg / "sub" / "uses_var.py").write_text("x = 1\nvar = x\n", encoding="utf-8")
    (pkg / "sub" / "broken.pys").write_text("fn f(x: Int) -> Int\n    return x\n", encoding="utf-8")
    (pkg / "notes.txt").write_text("var = 1\n", encoding="utf-8")
    return pkg


def test_reports_each_failure_with_path_line_col(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pkg = _tree(tmp_path)
    assert main(["parse", str(pkg)]) == 1
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        f"{pkg / 'sub' / 'broken.pys'}:1:20: error: expected ':'",
        f"{pkg / 'sub' / 'uses_var.py'}:2:1: error: "
        "'var' is a keyword of the superset; write `var` to use it as a name",
    ]
    assert err == "pymigrate parse: 4 files checked, 2 failed\n"


def test_exit_zero_when_everything_parses(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pkg = _tree(tmp_path)
    assert main(["parse", str(pkg / "good.pys"), str(pkg / "plain.py")]) == 0
    out, err = capsys.readouterr()
    assert out == ""
    assert err == "pymigrate parse: 2 files checked, 0 failed\n"


def test_undecodable_and_missing_files_are_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "latin.py"
    bad.write_bytes(b"x = 1\ns = '\xe9t\xe9'\n")
    declared = tmp_path / "declared.py"
    declared.write_bytes(b"# -*- coding: latin-1 -*-\ns = '\xe9t\xe9'\n")
    missing = tmp_path / "missing.pys"
    assert main(["parse", str(bad), str(declared), str(missing)]) == 2  # a usage error, before any work
    out, err = capsys.readouterr()
    assert (out, err) == ("", f"pymigrate parse: {missing}: no such file or directory\n")
    assert main(["parse", str(bad), str(declared)]) == 1
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"{bad}:2:6: error: cannot decode the file as utf-8")  # the byte's own column
    assert err == "pymigrate parse: 2 files checked, 1 failed\n"


def test_help_teaches_with_an_example(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["parse", "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert "pymigrate parse src/mypkg" in out
    assert "write `var` to use it as a name" in out
