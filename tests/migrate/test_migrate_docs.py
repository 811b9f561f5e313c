"""The example in docs/migrate.md is real: running it gives the output the page shows."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from pymigrate.cli import main

DOC = Path(__file__).resolve().parents[2] / "docs" / "migrate.md"


def _session() -> dict[str, str]:
    """Each `$ command` of the console block, with the output printed under it."""
    block = re.search(r"```console\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert block is not None
    outputs: dict[str, str] = {}
    command = None
    for line in block.group(1).splitlines(keepends=True):
        if line.startswith("$ "):
            command = line[2:].split("#")[0].strip()
            outputs[command] = ""
        elif command is not None:
            outputs[command] += line
    return outputs


def test_doc_example_runs_as_shown(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    session = _session()
    (tmp_path / "kernels.py").write_text(session["cat kernels.py"])
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        assert main(["migrate", "kernels.py"]) == 0
        out, err = capsys.readouterr()
        assert out + err == session["pymigrate migrate kernels.py"]
        assert main(["migrate", "kernels.py", "--write"]) == 0
        assert main(["migrate", "kernels.pys", "--check"]) == 0
    finally:
        os.chdir(cwd)
    assert sorted(p.name for p in tmp_path.glob("kernels.*")) == ["kernels.pys"]
