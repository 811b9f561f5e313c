"""`--trace CMD` runs where `pymigrate` was started; a failing trace command or inference stops the run
with exit status 1 and the reason (`--allow-trace-failure` makes a failing command a warning)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from pymigrate.cli import main

SOURCE = "def scale(x, factor):\n    return x * factor\n\n\nprint(scale(2, 3))\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A package two levels below the directory the user works in."""
    pkg = tmp_path / "work" / "calc"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "scale.py").write_text(SOURCE)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_trace_command_runs_in_the_current_directory(project: Path) -> None:
    record = f"{sys.executable} -c \"import os; open('ran_in.txt', 'w').write(os.getcwd())\""
    assert main(["migrate", "work/calc", "--no-upgrade", "--trace", record]) == 0
    assert (project / "ran_in.txt").read_text() == str(project)


@pytest.mark.parametrize("trace,why", [
    ("no-such-command-here", "was not found (shell exit status 127): /bin/sh: 1: no-such-command-here: not found"),
    (f"{sys.executable} -c 'import sys; sys.exit(3)'", "exited with status 3"),
])
def test_a_failing_trace_command_stops_the_run(
    project: Path, capsys: pytest.CaptureFixture[str], trace: str, why: str
) -> None:
    assert main(["migrate", "work/calc", "--no-upgrade", "--write", "--trace", trace]) == 1
    out, err = capsys.readouterr()
    assert (project / "work" / "calc" / "scale.py").read_text() == SOURCE and out == ""
    assert err.splitlines() == [
        f"pymigrate migrate: error: type inference failed: trace command {trace!r} (run in the current "
        f"directory) {why}",
        "pymigrate migrate: nothing migrated",
    ]


def test_allow_trace_failure_makes_it_a_warning(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    trace = f"{sys.executable} -c 'import sys; sys.exit(3)'"
    argv = ["migrate", "work/calc", "--no-upgrade", "--write", "--trace", trace, "--allow-trace-failure"]
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert err.splitlines()[0] == (f"warning: trace command {trace!r} (run in the current directory) exited with "
                                   "status 3; using the types it recorded")
    assert (project / "work" / "calc" / "scale.py").read_text() != SOURCE       # static types still went in


def test_a_file_mypy_stops_on_fails_alone_and_the_run_exits_1(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """mypy stopping on one module fails that module with the reason; the others keep their inference."""
    broken = "def scale(x, x):\n    return x\n"      # parses, but mypy stops on it
    (project / "work" / "calc" / "scale.py").write_text(broken)
    (project / "work" / "calc" / "other.py").write_text("def twice(v):\n    return v * 2\n\n\nprint(twice(3))\n")
    assert main(["migrate", "work/calc", "--write", "--no-upgrade"]) == 1
    err = capsys.readouterr().err
    assert "scale.py: skipped by type inference: mypy stopped on it: " in err
    assert 'Duplicate parameter "x" in function definition' in err
    assert (project / "work" / "calc" / "scale.py").read_text() == broken
    assert (project / "work" / "calc" / "other.py").read_text().startswith("def twice(v: int) -> int:\n")


def test_help_documents_the_trace_directory_and_the_flag(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["migrate", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--trace CMD runs in the current directory" in text
    assert "--allow-trace-failure a failing --trace command is only a warning" in text
