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
