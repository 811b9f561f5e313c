"""`.pyi` stubs: exact text for a module using every construct, and mypy's verdict on callers.

A built struct's stub is the dataclass it was migrated from, for a type checker: mypy's verdict on
callers of the compiled module is its verdict on callers of the original @dataclass module, and the
callers run the same on both (ground truth: mypy and CPython on the original).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from mypy import api as mypy_api

from pymigrate.codegen import build
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
    errors = _mypy(tmp_path, str(tmp_path / "caller.py"))
    assert [line.split(": error:")[0].rpartition("caller.py:")[2] for line in errors] == ["6", "7", "8"], errors


def _mypy(cache: Path, *paths: str) -> list[str]:
    """mypy --strict's error lines on `paths`, with no project configuration and a fresh cache."""
    out, err, status = mypy_api.run(
        ["--strict", "--no-incremental", "--cache-dir", str(cache / ".mypy_cache"), "--config-file", "", *paths]
    )
    assert status in (0, 1) and "error: Cannot find" not in out, out + err
    return [line for line in out.splitlines() if ": error:" in line]


def _mypy_errors(site: Path) -> list[str]:
    return sorted(_mypy(site, *sorted(str(p.relative_to(site)) for p in site.glob("*/tests"))))


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


ORIGINAL = '''"""Points."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class P:
    """A point."""

    x: float
    y: float

    def norm2(self) -> float:
        return self.x * self.x + self.y * self.y


@dataclass
class Size:
    w: int
    h: int
'''

MIGRATED = '''"""Points."""

from __future__ import annotations


struct P:
    """A point."""

    var x: float
    var y: float

    fn __init__(out self, x: float, y: float) -> None:
        self.x = x
        self.y = y

    fn norm2(self) -> float:
        return self.x * self.x + self.y * self.y


struct Size:
    var w: Int
    var h: Int
'''

CALLER = """import dataclasses

from shapes import P, Size

p = P(1.0, 2.0)
q: P = dataclasses.replace(p, x=1.5)
names: list[str] = [f.name for f in dataclasses.fields(p)]
of_class = [f.name for f in dataclasses.fields(P)]
x: float = p.x
n: float = q.norm2()
s = Size(3, h=4)
t: Size = dataclasses.replace(s, w=5)
whole: dict[str, object] = dataclasses.asdict(t)
print(q, names, of_class, x, n, t, whole, dataclasses.astuple(q), dataclasses.is_dataclass(p))
"""

MISUSE = """import dataclasses

from shapes import P, Size

p = P(1.0, 2.0)
dataclasses.replace(p, z=1.0)
dataclasses.replace(p, x="a")
P("a", 2.0)
Size(1)
bad: str = p.x
p.norm2(1)
"""


def _caller_errors(site: Path, caller: str) -> list[str]:
    """mypy's errors on `caller` placed beside the module in `site`, as 'line: message'."""
    (site / "caller.py").write_text(caller)
    return [line.partition("caller.py:")[2] for line in _mypy(site, str(site / "caller.py"))]


def _sites(tmp_path: Path) -> tuple[Path, Path]:
    """The original module in one folder; the built extension and its stub in another."""
    original, compiled = tmp_path / "original", tmp_path / "compiled"
    original.mkdir()
    compiled.mkdir()
    (original / "shapes.py").write_text(ORIGINAL)
    (compiled / "shapes.pys").write_text(MIGRATED)
    built = build.build_file(compiled / "shapes.pys")
    assert built.stub.exists() and built.extension.exists()
    (compiled / "shapes.pys").unlink()  # callers see only what a build ships: the extension and its stub
    return original, compiled


def _run(site: Path) -> str:
    proc = subprocess.run([sys.executable, "caller.py"], cwd=site, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_struct_stub_accepts_the_dataclass_calls_the_original_accepted(tmp_path: Path) -> None:
    original, compiled = _sites(tmp_path)
    assert _caller_errors(original, CALLER) == []
    assert _caller_errors(compiled, CALLER) == []
    # the calls mypy accepts also run, with the same results, on the compiled module
    assert _run(compiled) == _run(original)


def test_struct_stub_rejects_what_the_original_rejected_with_the_same_messages(tmp_path: Path) -> None:
    original, compiled = _sites(tmp_path)
    expected = _caller_errors(original, MISUSE)
    assert [line.partition(":")[0] for line in expected] == ["6", "7", "8", "9", "10", "11"], expected
    assert _caller_errors(compiled, MISUSE) == expected


def test_struct_stub_without_the_dataclass_decorator_fails_the_dataclass_calls(tmp_path: Path) -> None:
    """Control: the decorator is what makes the stub right; a plain class there fails replace/fields."""
    _original, compiled = _sites(tmp_path)
    stub = compiled / "shapes.pyi"
    text = stub.read_text()
    plain = "\n".join(line for line in text.splitlines() if line.strip() != "@dataclass") + "\n"
    assert plain.count("\n") == text.count("\n") - 2  # both structs carried the decorator
    stub.write_text(plain)
    failing = {line.partition(":")[0] for line in _caller_errors(compiled, CALLER)}
    assert {"6", "7", "8", "11", "12"} <= failing


def _stub(source: str) -> str:
    return render_stub(parse(source, "m.pys"))


STRUCT = "struct S:\n    var n: Int\n"


def test_struct_stub_imports_the_decorator_once() -> None:
    header = "# Generated by pymigrate build from m.pys; do not edit.\n"
    assert _stub(STRUCT) == header + "from dataclasses import dataclass\n\n@dataclass\nclass S:\n    n: int\n"
    # the module's own import of it is kept and not repeated
    own = "from dataclasses import dataclass\n\n@dataclass\nclass D:\n    k: int\n\n" + STRUCT
    assert _stub(own) == (
        header + "from dataclasses import dataclass\n\n@dataclass\nclass D:\n    k: int\n\n@dataclass\nclass S:\n    n: int\n"
    )


def test_struct_stub_decorator_is_not_a_name_the_module_binds_otherwise() -> None:
    source = "from attrs import define as dataclass\n\n" + STRUCT
    assert _stub(source) == (
        "# Generated by pymigrate build from m.pys; do not edit.\n"
        "from dataclasses import dataclass as _pm_dataclass\n"
        "from attrs import define as dataclass\n\n"
        "@_pm_dataclass\nclass S:\n    n: int\n"
    )
