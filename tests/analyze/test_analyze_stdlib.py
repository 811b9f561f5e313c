"""The whole standard library, `test/` included (it holds deliberately broken files): no crash, and
the files reported as errors are exactly the ones CPython itself refuses to compile."""

from __future__ import annotations

import sysconfig
import warnings
from pathlib import Path

import pytest

from pymigrate.analyze import analyze_paths
from pymigrate.analyze.engine import INTERNAL
from pymigrate.config import Config

STDLIB = Path(sysconfig.get_paths()["stdlib"])


def cpython_rejects(path: Path) -> bool:
    data = path.read_bytes()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            compile(data, str(path), "exec", dont_inherit=True)
        except (SyntaxError, ValueError):
            return True
    return False


@pytest.mark.slow
def test_standard_library_sweep() -> None:
    config = Config(exclude=("site-packages",))
    report = analyze_paths([STDLIB], config, jobs=2)
    assert len(report.files) > 1500
    assert report.lines > 500_000
    messages = [e["message"] for e in report.errors]
    assert not [m for m in messages if INTERNAL in m]
    reported = {Path(e["path"]) for e in report.errors}
    rejected = {Path(m.path) for m in report.files if cpython_rejects(Path(m.path))}
    assert reported == rejected
    assert any("badsyntax" in p.name for p in reported)  # the sweep did reach the broken files
    analyzed = [m for m in report.files if m.error is None]
    assert sum(len(m.functions) for m in analyzed) > 15_000
    # test/ and the test_*.py files elsewhere are test modules: analyzed for errors and PM1xx, not scored
    tests = [m for m in analyzed if m.test]
    assert len(tests) > 900
    assert all(not m.functions and all(f.code.startswith("PM1") for f in m.findings) for m in tests)
    assert 0.0 <= report.score <= 100.0
