"""docs/runtime.md's shell examples run, and print what the page says they print."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "runtime.md"
BLOCKS = re.findall(r"```sh\n(.*?)```", PAGE.read_text(), flags=re.S)


def test_the_page_has_examples() -> None:
    assert len(BLOCKS) >= 2


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_shell_example(index: int, tmp_path: Path) -> None:
    script = BLOCKS[index].replace("/tmp/pm-", f"{tmp_path}/pm-")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYMIGRATE_")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    proc = subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    expected = [line[len("# -> ") :] for line in script.splitlines() if line.startswith("# -> ")]
    assert expected
    out = proc.stdout.splitlines()
    position = 0
    for line in expected:
        assert line in out[position:], (line, proc.stdout)
        position = out.index(line, position) + 1
