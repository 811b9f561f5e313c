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
