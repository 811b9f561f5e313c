"""Helpers for the type-inference tests: write a small package and collect its files."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest


@pytest.fixture
def make_package(tmp_path: Path):  # type: ignore[no-untyped-def]
    def make(files: dict[str, str], name: str = "pkg") -> list[Path]:
        root = tmp_path / name
        root.mkdir()
        (root / "__init__.py").write_text("")
        paths = [root / "__init__.py"]
        for rel, text in files.items():
            path = root / rel
            path.write_text(textwrap.dedent(text).lstrip())
            paths.append(path)
        return paths

    return make


@pytest.fixture
def infer_module(make_package):  # type: ignore[no-untyped-def]
    """The types inferred (for Python 3.11, no trace) for one module ``pkg/m.py`` of ``source``."""
    from pymigrate.migrate.infer import infer_package

    def infer(source: str) -> dict:  # type: ignore[type-arg]
        files = make_package({"m.py": source})
        return infer_package(files, root=files[0].parent, target_version=(3, 11)).for_file(files[1]).functions

    return infer


@pytest.fixture
def api_project(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A package ``name`` with one module, its tests (a traced run's sample) and a caller of its API."""
    def make(name: str, module: str, source: str, tests: str, caller: str) -> Path:
        (tmp_path / name).mkdir()
        (tmp_path / name / "__init__.py").write_text("")
        (tmp_path / name / module).write_text(source)
        (tmp_path / "tests").mkdir()
        (tmp_path / "tests" / f"test_{name}.py").write_text(textwrap.dedent(tests))
        (tmp_path / "caller.py").write_text(caller)
        return tmp_path

    return make


@pytest.fixture
def mypy_errors():  # type: ignore[no-untyped-def]
    """mypy's errors (``check_untyped_defs``) for ``target`` in ``project``: the ground truth of a caller."""
    import subprocess
    import sys

    def run(project: Path, target: str) -> list[str]:
        out = subprocess.run([sys.executable, "-m", "mypy", "--check-untyped-defs", "--no-incremental",
                              "--cache-dir", "/dev/null", "--no-error-summary", target], cwd=project,
                             capture_output=True, text=True).stdout
        return [line for line in out.splitlines() if ": error:" in line]

    return run


@pytest.fixture
def infer_traced():  # type: ignore[no-untyped-def]
    """The files of ``api_project``'s package and their types (Python 3.11), its tests traced."""
    import sys

    from pymigrate.migrate.infer import infer_package

    def infer(project: Path, name: str, module: str):  # type: ignore[no-untyped-def]
        files = [project / name / "__init__.py", project / name / module]
        command = f"PYTHONPATH={project}:$PYTHONPATH {sys.executable} -m pytest -q -p no:cacheprovider tests"
        return files, infer_package(files, root=project, trace_command=command, target_version=(3, 11))

    return infer
