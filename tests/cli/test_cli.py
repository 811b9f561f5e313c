"""The CLI router: version, help that teaches, and clear refusals."""

from __future__ import annotations

import re
import subprocess
import sys

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
