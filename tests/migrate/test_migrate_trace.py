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


def test_an_inference_run_that_fails_stops_the_run(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = "def scale(x, x):\n    return x\n"      # parses, but mypy stops on it
    (project / "work" / "calc" / "scale.py").write_text(broken)
    assert main(["migrate", "work/calc", "--write"]) == 1
    err = capsys.readouterr().err
    assert "pymigrate migrate: error: type inference failed: mypy stopped: " in err
    assert 'Duplicate parameter "x" in function definition' in err
    assert (project / "work" / "calc" / "scale.py").read_text() == broken


def test_help_documents_the_trace_directory_and_the_flag(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["migrate", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--trace CMD runs in the current directory" in text
    assert "--allow-trace-failure a failing --trace command is only a warning" in text
