"""Every command line a user is shown runs: the examples of each `--help` and the README's tour.

They run in the order they are shown, as a user following them would, on a small package
(`src/mypkg`) whose `dot` is the README's migrate example, so the diff the README prints is
checked against the real one as well. A stale flag, a renamed option or a documented diagnostic
that drifted fails here.
"""

from __future__ import annotations

import ast
import contextlib
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from pymigrate.cli import SUBCOMMANDS, main

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _dot_source() -> str:
    """`dot` as bundled in the demo fixture: the function the README's migrate diff shows."""
    path = ROOT / "fixtures" / "packages" / "demo_kernels" / "kernels.py"
    source = path.read_text(encoding="utf-8")
    (node,) = [n for n in ast.parse(source).body if isinstance(n, ast.FunctionDef) and n.name == "dot"]
    segment = ast.get_source_segment(source, node)
    assert segment is not None
    return segment + "\n"


KERNELS = _dot_source() + "\n\ndef scale(x, k):\n    return x * k\n"

TESTS = """\
from mypkg import dot, scale


def test_kernels() -> None:
    assert dot([1.0, 2.0], [3.0, 4.0]) == 11.0
    assert scale(1.5, 2.0) == 3.0
"""

# `pymigrate parse --help` shows this file's diagnostic; the test checks the shown text is what it gets.
GEOMETRY = "def scale(k):\n    total = 0\n    var = k\n    return total + var\n"


def help_text(*args: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit) as info:
        main([*args, "--help"])
    assert info.value.code == 0
    return out.getvalue()


def example_lines(text: str) -> list[str]:
    """Command lines shown indented in a help text (comments are left to the shell)."""
    return re.findall(r"^  +(pymigrate \S.*)$", text, flags=re.M)


def readme_commands() -> list[str]:
    blocks = re.findall(r"```sh\n(.*?)```", README, flags=re.S)
    lines = [line.strip() for block in blocks for line in block.splitlines()]
    return [line for line in lines if line.startswith(("pymigrate ", "python "))]


def shown_commands() -> list[str]:
    commands: list[str] = []
    for sub in SUBCOMMANDS:
        lines = example_lines(help_text(sub.name))
        assert lines, f"`pymigrate {sub.name} --help` shows no example"
        commands += lines
        if sub.example not in lines:  # the router's own line for the command, when the command keeps its own
            commands.append(sub.example)
    commands += example_lines(help_text())
    return commands + readme_commands()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    pkg = tmp_path / "src" / "mypkg"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text('"""Examples."""\n\nfrom mypkg.kernels import dot, scale\n', encoding="utf-8")
    (pkg / "kernels.py").write_text(KERNELS, encoding="utf-8")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_kernels.py").write_text(TESTS, encoding="utf-8")
    (tmp_path / "geometry.pys").write_text(GEOMETRY, encoding="utf-8")
    (tmp_path / "app.py").write_text("print('app')\n", encoding="utf-8")
    return tmp_path


def test_help_examples_are_shown_for_every_command() -> None:
    commands = shown_commands()
    for sub in SUBCOMMANDS:
        assert any(c.startswith(f"pymigrate {sub.name} ") for c in commands), sub.name
    shown = [line.split("#")[0].strip() for line in example_lines(help_text("parse"))]
    assert shown == ["pymigrate parse src/mypkg", "pymigrate parse geometry.pys app.py"]


@pytest.mark.slow
def test_every_shown_command_runs(project: Path) -> None:
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONPATH": str(project / "src"),
    }
    readme_diff = re.findall(r"```diff\n(.*?)```", README, flags=re.S)
    assert len(readme_diff) == 1
    parse_shown = re.findall(r"^  (geometry\.pys:\d+:\d+: error: .*)$", help_text("parse"), flags=re.M)
    assert len(parse_shown) == 1
    written = False
    for command in shown_commands():
        done = subprocess.run(
            ["bash", "-c", command], cwd=project, env=env, capture_output=True, text=True, check=False
        )
        context = f"{command!r} exited {done.returncode}\nstdout: {done.stdout}\nstderr: {done.stderr}"
        assert "Traceback" not in done.stderr, context
        if command.startswith("pymigrate parse geometry.pys"):
            assert done.returncode == 1, context
            assert done.stdout.splitlines() == parse_shown, context
            continue
        if "--check" in command:  # idempotence: after --write nothing is left to change
            assert done.returncode == (0 if written else 1), context
            continue
        assert done.returncode == 0, context
        if command.startswith("pymigrate migrate src/mypkg") and command.split()[3:4] in ([], ["#"], ["--diff"]):
            if not written:
                assert readme_diff[0] in done.stdout, context  # the README's diff is the real one
        if command.startswith("pymigrate migrate") and "--write" in command:
            written = True
        if "mypkg.dot(" in command:
            assert done.stdout == "11.0\n", context
    assert written and (project / "src" / "mypkg" / "kernels.pys").is_file()
    built = list((project / "src" / "mypkg").glob("kernels.*.so"))
    assert len(built) == 1 and (project / "src" / "mypkg" / "kernels.pyi").is_file()
    check = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=project, env=env, capture_output=True, text=True, check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr  # the package's own tests, on the built module
