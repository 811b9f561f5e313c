"""`.pyi` stubs: exact text for a module using every construct, and mypy's verdict on callers."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from mypy import api as mypy_api

from pymigrate.codegen.stubs import render_stub
from pymigrate.superset import parse

GOLDEN = Path(__file__).parent / "golden"
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "packages"
PACKAGES = ("demo_kernels", "records", "keyword_names", "partial")


def test_stub_text_matches_the_golden_file() -> None:
    source = (GOLDEN / "stub_input.pys").read_text()
    expected = (GOLDEN / "stub_input.pyi.expected").read_text()
    assert render_stub(parse(source, "stub_input.pys")) == expected


def test_stub_is_what_mypy_checks_callers_against(tmp_path: Path) -> None:
    pkg = tmp_path / "records"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    pys = FIXTURES / "records.expected" / "geometry.pys"
    (pkg / "geometry.pyi").write_text(render_stub(parse(pys.read_text(), str(pys))))
    (tmp_path / "caller.py").write_text(
        "from records.geometry import Vec2, centroid\n"
        "v: Vec2 = Vec2(1.0, 2.0)\n"
        "n: float = v.norm() + v.dot(Vec2(x=0.0, y=1.0))\n"
        "v.scale(2.0)\n"
        "c: Vec2 = centroid([1.0], [2.0])\n"
        "bad1: int = v.norm()\n"
        "bad2 = Vec2('a', 2.0)\n"
        "bad3 = centroid([1], 'y')\n"
    )
    out, err, status = mypy_api.run(
        [
            "--strict",
            "--no-incremental",
            "--cache-dir",
            str(tmp_path / ".mypy_cache"),
            "--config-file",
            "",
            str(tmp_path / "caller.py"),
        ]
    )
    errors = [line.split(": error:")[0].rpartition("caller.py:")[2] for line in out.splitlines() if ": error:" in line]
    assert status == 1, out + err
    assert errors == ["6", "7", "8"], out


def _mypy_errors(site: Path) -> list[str]:
    out, err, _status = mypy_api.run(
        [
            "--strict",
            "--no-incremental",
            "--cache-dir",
            str(site / ".mypy_cache"),
            "--config-file",
            "",
            *sorted(str(p.relative_to(site)) for p in site.glob("*/tests")),
        ]
    )
    assert "error: Cannot find" not in out, out
    return sorted(line for line in out.splitlines() if ": error:" in line)


def test_fixture_suites_type_check_the_same_against_the_stubs(tmp_path: Path, monkeypatch: Any) -> None:
    """mypy's verdict on each fixture's own tests is the same for the original package and for
    the stubs of its migration (stubs beside the package's non-migrated modules)."""
    original, stubbed = tmp_path / "original", tmp_path / "stubbed"
    for name in PACKAGES:
        shutil.copytree(FIXTURES / name, original / name)
        shutil.copytree(FIXTURES / name / "tests", stubbed / name / "tests")
        for path in (FIXTURES / f"{name}.expected").iterdir():
            if path.suffix == ".pys":
                result = parse(path.read_text(), str(path))
                (stubbed / name / path.with_suffix(".pyi").name).write_text(render_stub(result))
            else:
                shutil.copy(path, stubbed / name / path.name)
    monkeypatch.chdir(original)
    expected = _mypy_errors(original)
    monkeypatch.chdir(stubbed)
    assert _mypy_errors(stubbed) == expected
