"""The analyzer's "ready" agrees with the compiler on the fixture packages.

Every function the analyzer calls ready compiles: the probe finds no blocker, and the
migrated superset module beside the fixture compiles with that function as a native fn.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from codegen_support import compiled, parse

from pymigrate.analyze import analyze_source
from pymigrate.codegen import compile_module
from pymigrate.codegen.probe import fn_blockers, struct_blockers

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "packages"
EXPECTED = sorted(FIXTURES.glob("*.expected/*.pys"))


@pytest.mark.parametrize("pys", EXPECTED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_ready_functions_compile(pys: Path) -> None:
    original = FIXTURES / pys.parent.name.removesuffix(".expected") / (pys.stem + ".py")
    source = original.read_text()
    report = analyze_source(source, original)
    module = ast.parse(source)
    top = {n.name: n for n in module.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    result = compile_module(parse(pys.read_text(), str(pys)), pys.stem)
    for info in report.functions:
        if info.status == "ready" and info.qualname in top:
            node = top[info.qualname]
            assert isinstance(node, ast.FunctionDef)
            assert fn_blockers(node, module) == [], info.qualname
            assert info.qualname in result.functions, info.qualname
    for cinfo in report.classes:
        if cinfo.status == "ready":
            cnode = top[cinfo.qualname]
            assert isinstance(cnode, ast.ClassDef)
            assert struct_blockers(cnode, module) == []
            assert cinfo.qualname in result.structs


def test_records_fixture_struct_behaves_like_the_dataclass() -> None:
    pys = FIXTURES / "records.expected" / "geometry.pys"
    native = compiled(pys.read_text(), str(pys))
    namespace: dict[str, object] = {}
    exec(compile((FIXTURES / "records" / "geometry.py").read_text(), "geometry.py", "exec"), namespace)
    py_vec = namespace["Vec2"]
    v, w = native.Vec2(3.0, 4.0), py_vec(3.0, 4.0)  # type: ignore[operator]
    assert repr(v) == repr(w) and v.norm() == w.norm() == 5.0
    v.scale(2.0)
    w.scale(2.0)
    assert (v.x, v.y) == (w.x, w.y)
    xs, ys = [0.0, 3.0, 3.0], [0.0, 4.0, 8.0]
    assert native.path_length(xs, ys) == namespace["path_length"](xs, ys)  # type: ignore[operator]
    c, d = native.centroid(xs, ys), namespace["centroid"](xs, ys)  # type: ignore[operator]
    assert (c.x, c.y) == (d.x, d.y)
