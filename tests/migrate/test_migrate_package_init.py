"""A package's `__init__.py` stays a `.py` file: written as `__init__.pys`, the next run's inference
(mypy) saw no package, its relative imports failed and mypy stopped with an internal error (black and
rich, migrated twice, both did that)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pymigrate.cli import main

INIT = "from .core import twice\n\n\ndef add(a: int, b: int) -> int:\n    return a + b\n"
CORE = "def twice(x: int) -> int:\n    return 2 * x\n"


def test_init_stays_py_and_a_second_run_changes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "pkg"
    root.mkdir()
    (root / "__init__.py").write_text(INIT, encoding="utf-8")
    (root / "core.py").write_text(CORE, encoding="utf-8")
    assert main(["migrate", str(root), "--write", "--no-cache"]) == 0
    err = capsys.readouterr().err
    assert "__init__.py: note: not upgraded: a package's __init__.py stays a .py file" in err
    assert sorted(p.name for p in root.iterdir() if p.is_file()) == ["__init__.py", "core.pys"]
    assert (root / "__init__.py").read_text(encoding="utf-8") == INIT
    assert main(["migrate", str(root), "--check", "--no-cache"]) == 0
