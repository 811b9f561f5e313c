"""An Int is never silently taken for a Float64 inside a fn: the Python reading keeps the int.

`x // 2` is 3 in the def when x holds the int 7, 3.0 if the fn had converted it. The checker refuses
each implicit promotion with the conversion to write; the analyzer's probe therefore reports it and
the migrator keeps such a def a def (it does not insert float(...), which would change its results).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from codegen_support import compiled, parse, plain

from pymigrate.codegen import CompileError, compile_module
from pymigrate.codegen.probe import fn_blockers
from pymigrate.migrate.pipeline import Options, default_stages, migrate_source

G = "fn g(x: Float64) -> Float64:\n    return x // 2\n\n"

CASES = [
    ("declaration", "fn f(a: Int) -> Float64:\n    var x: Float64 = a\n    return x // 2\n", (7,), 3,
     "m.pys:2:22: error: cannot assign an Int to 'x' declared Float64: CPython would keep the int; write float(...)"),
    ("literal", "fn f(a: Int) -> Float64:\n    var x: Float64 = 7\n    return x // 2\n", (0,), 3,
     "m.pys:2:22: error: cannot assign an Int to 'x' declared Float64: CPython would keep the int 7; write 7.0"),
    ("assignment", "fn f(a: Int) -> Float64:\n    var x = 0.5\n    x = a\n    return x // 2\n", (7,), 3,
     "m.pys:3:9: error: cannot assign an Int to 'x' of type Float64: CPython would keep the int; write float(...)"),
    ("return", "fn f(a: Int) -> Float64:\n    return a\n", (7,), 7,
     "m.pys:2:12: error: returns Int but fn 'f' is declared -> Float64: CPython would keep the int; write float(...)"),
    ("argument", G + "fn f(a: Int) -> Float64:\n    return g(a)\n", (7,), 3,
     "m.pys:5:14: error: g() parameter 'x' is Float64, not Int: CPython would keep the int; write float(...)"),
    ("append", "fn f(a: Int) -> List[Float64]:\n    var xs: List[Float64] = []\n    xs.append(a)\n    return xs\n",
     (7,), [7], "m.pys:3:15: error: cannot append an Int to a List[Float64]: CPython would keep the int; "
                "write float(...)"),
    ("item-store", "fn f(a: Int) -> List[Float64]:\n    var xs: List[Float64] = [0.0]\n    xs[0] = a\n    return xs\n",
     (7,), [7], "m.pys:3:13: error: cannot assign an Int to 'xs[0]' of type Float64: CPython would keep the int; "
                "write float(...)"),
    ("list-literal", "fn f(a: Int) -> List[Float64]:\n    var xs: List[Float64] = [1.5, a]\n    return xs\n",
     (7,), [1.5, 7], "m.pys:2:35: error: cannot put an Int in a List[Float64]: CPython would keep the int; "
                     "write float(...)"),
    ("default", "fn f(a: Float64 = 7) -> Float64:\n    return a // 2\n", (), 3,
     "m.pys:1:19: error: default of type Int does not match the parameter type Float64: CPython would keep "
     "the int 7; write 7.0"),
]


@pytest.mark.parametrize(("text", "args", "python", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_implicit_promotion_is_refused(text: str, args: tuple[int, ...], python: object, message: str) -> None:
    got = plain(text).f(*args)
    assert repr(got) == repr(python)  # the Python reading keeps the int: the compiled fn could not agree
    with pytest.raises(CompileError) as info:
        compile_module(parse(text, "m.pys"), "m")
    assert str(info.value) == message


def test_written_conversions_and_arithmetic_compile() -> None:
    m = compiled("fn f(a: Int) -> Float64:\n    var x: Float64 = float(a)\n    x += a\n    return x * 2 + a\n")
    assert m.f(3) == plain("fn f(a: Int) -> Float64:\n    var x: Float64 = float(a)\n    x += a\n"
                            "    return x * 2 + a\n").f(3) == 15.0


def test_probe_reports_the_promotion_and_the_migrator_keeps_the_def(tmp_path: Path) -> None:
    import ast

    source = ("def half(a: int) -> float:\n    x: float = a\n    return x // 2\n\n\n"
              "def twice(a: float = 0) -> float:\n    return a * 2\n\n\n"
              "def fine(a: int) -> float:\n    x: float = float(a)\n    return x // 2\n")
    tree = ast.parse(source)
    funcs = {f.name: f for f in tree.body if isinstance(f, ast.FunctionDef)}
    assert any("write float(...)" in b for b in fn_blockers(funcs["half"], tree))
    assert any("write 0.0" in b for b in fn_blockers(funcs["twice"], tree))
    assert fn_blockers(funcs["fine"], tree) == []
    path = tmp_path / "mod.py"
    path.write_text(source)
    result = migrate_source(source.encode(), path, None, Options(annotate=False), default_stages())
    assert result.error is None and result.after is not None
    assert "def half(" in result.after and "def twice(" in result.after and "fn fine(" in result.after
