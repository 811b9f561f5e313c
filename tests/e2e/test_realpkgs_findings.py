"""Minimal repros of what the real-package harness (benchmarks/realpkgs) found on PyPI packages.

A finding is a strict xfail while open; once fixed its mark goes and the test stays as a regression test.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def _migrate(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pymigrate", "migrate", "pkg"], cwd=root,
                          capture_output=True, text=True, timeout=600)


def test_local_class_passed_across_modules(tmp_path: Path) -> None:
    """toolz 0.12.1: a class defined inside a function and passed to a function of another module (mypy names it
    ``pkg.use.Box@5``) made inference fail for the whole package; no module can name such a class, so the
    slot takes what else is known of it (here nothing) and every other slot keeps its type."""
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "lib.py").write_text("def size(d):\n    return len(d)\n")
    (pkg / "use.py").write_text("from pkg.lib import size\n\n\ndef check():\n    class Box:\n"
                                "        def __len__(self):\n            return 1\n\n    return size(Box())\n")
    proc = _migrate(tmp_path)
    assert "type inference failed" not in proc.stderr, proc.stderr
    assert proc.returncode == 0, proc.stderr
    assert "Box@" not in proc.stdout and "def check() -> int:" in proc.stdout, proc.stdout
