"""Upgrading a def to a fn never changes mypy's verdict on the package or its callers.

A fn's missing annotation means `object` (or `None` for a result no path returns) to the checker and is
never written: writing `x: object` made mypy check a body it skipped before and reject callers' uses of
the result. Ground truth is mypy itself, run on the package and a caller before and after migration (the
migrated module as the Python reading of its `.pys`, which is what every Python tool sees of it).
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

from migrate_support import FIXTURES, PlannedTypes, plan_of, planned_analyzer

from pymigrate.migrate.pipeline import Options, Stages, migrate_source
from pymigrate.superset import MarkKind, parse
from pymigrate.superset.tokens import scan

CASE = "object_fill"
# uses the results of the upgraded fns the way the filled annotations made mypy reject
CALLER = "from pkg.mod import appends, gives_value, rebinds, untyped\n\n" \
         "appends([], 1)\nprint(rebinds(b'ab', 2) * 2, gives_value(1) + 1, untyped('a', 2) + 1)\n"


def _mypy(root: Path) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-incremental", "--cache-dir", os.devnull, "--strict-optional",
         "pkg", "caller.py"], cwd=root, capture_output=True, text=True, timeout=600,
    )
    out = proc.stdout + proc.stderr
    assert "Success:" in out or "Found " in out, out  # mypy ran and gave a verdict
    return out


def _package(root: Path, module: str) -> Path:
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("")
    (root / "pkg" / "mod.py").write_text(module)
    (root / "caller.py").write_text(CALLER)
    return root


def _python_reading(pys: str) -> str:
    """The `.pys` text as CPython reads it (fn -> def, superset words dropped, lines kept)."""
    return scan(pys).text


def _planned_migration(source: Path) -> str:
    """The fixture's migration: every def the plan names upgraded, no inferred type inserted."""
    plan = plan_of(CASE)
    stages = Stages(infer=lambda *a, **k: None, annotate=lambda module, types: module,  # type: ignore[arg-type]
                    analyze=planned_analyzer(plan))
    result = migrate_source(source.read_bytes(), source, PlannedTypes(), Options(compiler_check=False), stages)
    assert result.error is None and result.after is not None, result.error
    return result.after


def test_upgrading_every_def_of_the_fixture_keeps_mypys_verdict(tmp_path: Path) -> None:
    source = FIXTURES / CASE / "input.py"
    before = _mypy(_package(tmp_path / "before", source.read_text()))
    pys = _planned_migration(source)
    fns = [m for m in parse(pys, "mod.pys").marks if m.kind is MarkKind.FN]
    assert len(fns) == 4, pys  # every def of the fixture is a fn: the verdict is about the upgrade itself
    after = _mypy(_package(tmp_path / "after", _python_reading(pys)))
    assert after == before
    # the Python reading is the original's: the same tree, every annotation as the def had it
    assert ast.dump(ast.parse(_python_reading(pys))) == ast.dump(ast.parse(source.read_text()))


def test_migrate_write_keeps_mypys_verdict(tmp_path: Path) -> None:
    """The whole command (inference, analysis, upgrade) on the fixture module and a caller."""
    root = _package(tmp_path / "pkg_root", (FIXTURES / CASE / "input.py").read_text())
    before = _mypy(root)
    proc = subprocess.run([sys.executable, "-m", "pymigrate", "migrate", "--write", "--no-cache", "pkg"],
                          cwd=root, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    pys = (root / "pkg" / "mod.pys").read_text()
    assert "fn " in pys, proc.stderr
    shutil.move(root / "pkg" / "mod.pys", tmp_path / "mod.pys")
    (root / "pkg" / "mod.py").write_text(_python_reading(pys))
    assert _mypy(root) == before
