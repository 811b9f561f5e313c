"""The examples in docs/migrate.md are real: each console session, run, gives the output the page shows.

In a session, `$ cat FILE` followed by text creates FILE with that text; `$ pymigrate ...` and
`$ python ...` run, and their stdout and stderr must be exactly the lines shown under them (when
any are shown); a trailing `# ... exit N` gives the exit status (otherwise 0); `$ ls` lists the
directory. Each session runs in an empty directory of its own.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from pymigrate.cli import main

DOC = Path(__file__).resolve().parents[2] / "docs" / "migrate.md"
Session = list[tuple[str, str]]


def _sessions() -> list[Session]:
    """Each ```console block: its `$ command` lines, each with the output printed under it."""
    sessions = []
    for block in re.findall(r"```console\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S):
        session: Session = []
        for line in block.splitlines(keepends=True):
            if line.startswith("$ "):
                session.append((line[2:].rstrip("\n"), ""))
            elif session:
                session[-1] = (session[-1][0], session[-1][1] + line)
        sessions.append(session)
    return sessions


SESSIONS = _sessions()


def _expected_status(command: str) -> int:
    comment = re.search(r"#[^'\"]*$", command)
    status = re.search(r"\bexit (\d+)", comment.group(0)) if comment else None
    return int(status.group(1)) if status else 0


@pytest.mark.parametrize("session", SESSIONS, ids=[f"session{i}" for i in range(len(SESSIONS))])
def test_doc_session_runs_as_shown(
    session: Session, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    for command, shown in session:
        argv = shlex.split(command, comments=True)
        if argv[0] == "cat":
            (tmp_path / argv[1]).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / argv[1]).write_text(shown)
            continue
        capsys.readouterr()
        if argv[0] == "pymigrate":
            status = main(argv[1:])
            out, err = capsys.readouterr()
            output = out + err
        elif argv[0] == "python":
            done = subprocess.run([sys.executable, *argv[1:]], capture_output=True, text=True)
            status, output = done.returncode, done.stdout + done.stderr
        elif argv[0] == "ls":
            status, output = 0, "".join(f"{p.name}\n" for p in sorted(tmp_path.iterdir()))
        else:
            raise AssertionError(f"no way to run {command!r} from docs/migrate.md")
        assert status == _expected_status(command), (command, output)
        if shown:
            assert output == shown, command


def test_every_session_has_something_to_check() -> None:
    assert len(SESSIONS) >= 4
    assert all(any(shown for command, shown in s if not command.startswith("cat ")) for s in SESSIONS)
