"""Minimal repros of what the real-package harness (benchmarks/realpkgs) found on PyPI packages.

Strict xfails while open: when a fix lands the test passes, pytest reports XPASS(strict) as a
failure, and the mark must go (the test then stays as a regression test).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


def _migrate(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pymigrate", "migrate", "pkg"], cwd=root,
                          capture_output=True, text=True, timeout=600)


@pytest.mark.xfail(strict=True, reason="toolz 0.12.1: a class defined inside a function and passed to a "
                                       "function of another module makes inference fail for the whole "
                                       "package ('from pkg.use import Box@5': SyntaxError in "
                                       "migrate/annotate.py _statement_binds); every module then loses "
                                       "its inferred types and migrate still exits 0")
def test_local_class_passed_across_modules(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "lib.py").write_text("def size(d):\n    return len(d)\n")
    (pkg / "use.py").write_text("from pkg.lib import size\n\n\ndef check():\n    class Box:\n"
                                "        def __len__(self):\n            return 1\n\n    return size(Box())\n")
    proc = _migrate(tmp_path)
    assert "type inference failed" not in proc.stderr, proc.stderr
    assert proc.returncode == 0, proc.stderr
