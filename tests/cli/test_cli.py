"""The CLI router: version, help that teaches, and clear refusals."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from pymigrate import __version__
from pymigrate.cli import SUBCOMMANDS, Subcommand, main


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pymigrate", *args], capture_output=True, text=True, check=False
    )


def test_version_goes_to_stdout() -> None:
    proc = run_cli("--version")
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"pymigrate {__version__}"


def test_no_command_prints_help_to_stderr_and_exits_2() -> None:
    proc = run_cli()
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "usage: pymigrate" in proc.stderr


def test_top_level_help_lists_every_subcommand() -> None:
    proc = run_cli("--help")
    assert proc.returncode == 0
    for sub in SUBCOMMANDS:
        assert sub.name in proc.stdout


@pytest.mark.parametrize("sub", SUBCOMMANDS, ids=lambda s: s.name)
def test_each_subcommand_help_has_an_example(sub: Subcommand) -> None:
    proc = run_cli(sub.name, "--help")
    assert proc.returncode == 0, proc.stderr
    epilog = proc.stdout.split("\noptions:\n", 1)[1]
    examples = re.findall(rf"^  +pymigrate {sub.name} \S", epilog, flags=re.M)
    assert examples, proc.stdout  # (that they run is tests/cli/test_cli_examples.py)


def test_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as excinfo:
        main(["frobnicate"])
    assert excinfo.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    for i in range(1500):  # more diagnostics than a pipe buffers
        (tmp_path / f"m{i:04}.py").write_text("var = 1\n", encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "pymigrate", "parse", str(tmp_path)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()  # what `| head -1` does
    err = proc.stderr.read()
    assert proc.wait(timeout=120) == 141
    assert first.startswith(f"{tmp_path / 'm0000.py'}:1:1: error: 'var' is a keyword")
    assert err == ""  # no traceback, no complaint about the pipe
