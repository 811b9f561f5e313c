"""Names bound again at module level are what CPython finds, not the `math` object (or builtin, or constant)
they started as: the compiler refuses what it would otherwise compile to the wrong object, compiles the rest
to CPython's results, and the analyzer's readiness agrees with it."""

from __future__ import annotations

import ast
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from codegen_support import compiled, outcome, plain, plain_python, same

from pymigrate.analyze import analyze_source
from pymigrate.codegen.build import build_file
from pymigrate.codegen.checker import module_binding_counts, module_math_names
from pymigrate.codegen.diagnostics import CompileError
from pymigrate.codegen.probe import fn_blockers

F = "\n\nfn f(x: float) -> float:\n    return {}\n"

# (id, module text before f, f's return expression, arguments, what the old compiler answered)
# The compiler must refuse each: CPython's answer differs from the math (or constant) one.
REFUSED: list[tuple[str, str, str, tuple[Any, ...], Any]] = [
    ("assigned", "import math\nmath = 3\n", "math.sqrt(x)", (4.0,), 2.0),
    ("def", "from math import sqrt\n\n\ndef sqrt(x):\n    return -x\n", "sqrt(x)", (4.0,), 2.0),
    ("aliased", "from math import sqrt\nsqrt = abs\n", "sqrt(x)", (4.0,), 2.0),
    ("second-import", "from math import sqrt as s\nfrom math import fabs as s\n", "s(x)", (-4.0,), None),
    ("import-over-module", "import math\nfrom math import pi as math\n", "math.sqrt(x)", (4.0,), 2.0),
    ("in-if", "from math import sqrt\nif True:\n    sqrt = abs\n", "sqrt(x)", (4.0,), 2.0),
    ("in-try", "from math import sqrt\ntry:\n    from cmath import sqrt\nexcept ImportError:\n    pass\n",
     "sqrt(x)", (4.0,), 2.0),
    ("except-as", "import math\ntry:\n    raise ValueError\nexcept ValueError as math:\n    pass\n",
     "math.sqrt(x)", (4.0,), 2.0),
    ("del", "import math\ndel math\n", "math.sqrt(x)", (4.0,), 2.0),
    ("for-target", "import math\nfor math in [1]:\n    pass\n", "math.sqrt(x)", (4.0,), 2.0),
    ("with-as", "import math\nimport contextlib\nwith contextlib.nullcontext(1) as math:\n    pass\n",
     "math.sqrt(x)", (4.0,), 2.0),
    ("walrus-in-comprehension", "import math\nys = [(math := 3) for _ in range(1)]\n", "math.sqrt(x)", (4.0,), 2.0),
    ("match-capture", "import math\nmatch 3:\n    case math:\n        pass\n", "math.sqrt(x)", (4.0,), 2.0),
    ("global", "import math\n\n\ndef forget():\n    global math\n    math = None\n\n\nforget()\n",
     "math.sqrt(x)", (4.0,), 2.0),
    ("star-import", "from math import sqrt\nfrom cmath import *\n", "sqrt(x)", (4.0,), 2.0),
    ("patched-math", "import math\nmath.sqrt = abs\n", "math.sqrt(x)", (4.0,), 2.0),  # restored after the run
    ("constant-in-if", "N = 2.0\nif True:\n    from math import e as N\n", "N * x", (1.0,), 2.0),
    ("builtin-shadowed", "def abs(x):\n    return 7.0\n", "abs(x)", (-1.0,), 1.0),
    ("exception-shadowed", "ValueError = KeyError\n", "x if x > 0.0 else _raise()", (-1.0,), None),
    ("builtin-star", "from os.path import *\n\nabs = lambda x: 7.0\n", "abs(x)", (-1.0,), 1.0),
    ("fn-over-import", "from math import sqrt\n\n\nfn sqrt(y: float) -> float:\n    return y + 1.0\n",
     "sqrt(x)", (4.0,), None),
    ("import-over-fn", "fn sqrt(y: float) -> float:\n    return y + 1.0\n\n\nfrom math import sqrt\n",
     "sqrt(x)", (4.0,), 5.0),
    ("fn-before-star", "fn sqrt(y: float) -> float:\n    return y + 1.0\n\n\nfrom cmath import *\n",
     "sqrt(x)", (4.0,), 5.0),
]
# cases where the analyzer's own rules (pymigrate/analyze/facts.py, readiness.py) still miss a rebinding the
# compiler refuses: none since facts.py reads the checker's module_binding_counts/module_math_names/last_star_import
# the one form the analyzer's own rules let through: an unannotated ``def abs`` is "inferable" there (once
# annotated it becomes a fn and the call compiles); its full verdict asks the compiler (PM320)
PROBE_ONLY = {"builtin-shadowed"}

# (id, module text before f, f's return expression, arguments): rebinding that leaves f's meaning alone
COMPILED: list[tuple[str, str, str, list[tuple[Any, ...]]]] = [
    ("other-name-rebound", "import math as m\nmath = 3\n", "m.sqrt(x)", [(4.0,), (2.0,), (-1.0,)]),
    ("star-before", "from cmath import *\nfrom math import sqrt\n", "sqrt(x)", [(4.0,), (-1.0,)]),
    ("fn-after-star", "from cmath import *\n\n\nfn sqrt(y: float) -> float:\n    return y + 1.0\n",
     "sqrt(x)", [(4.0,), (-1.5,)]),
    ("class-attribute", "import math\n\n\nclass C:\n    math = 3\n", "math.sqrt(x)", [(4.0,), (-1.0,)]),
    ("function-local", "import math\n\n\ndef g():\n    math = 3\n    return math\n", "math.floor(x) + 0.5",
     [(4.5,), (-1.5,)]),
    ("comprehension-variable", "import math\nys = [math for math in range(3)]\n", "math.sqrt(x)", [(4.0,)]),
]


def superset(head: str, expr: str) -> str:
    if expr.endswith("_raise()"):  # raising needs a statement
        return head + "\n\nfn f(x: float) raises -> float:\n    if x > 0.0:\n        return x\n    raise ValueError('no')\n"
    return head + F.format(expr)


def use_site(text: str) -> tuple[int, int]:
    """line:col (1-based) of f's first statement's value, where the compiler reports the problem."""
    tree = ast.parse(plain_python(text))
    func = next(s for s in tree.body if isinstance(s, ast.FunctionDef) and s.name == "f")
    stmt = func.body[0]
    node = stmt.test if isinstance(stmt, ast.If) else getattr(stmt, "value", None)
    assert isinstance(node, ast.expr)
    return node.lineno, node.col_offset + 1


def restore_math(run: Any) -> Any:
    """Run module code that may patch the math module; put math back afterwards."""
    saved = dict(vars(math))
    try:
        return run()
    finally:
        for name, value in saved.items():
            setattr(math, name, value)


@pytest.mark.parametrize(("head", "expr", "args", "old"), [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED])
def test_refused_where_cpython_finds_another_object(head: str, expr: str, args: tuple[Any, ...], old: Any) -> None:
    text = superset(head, expr)
    with pytest.raises(CompileError) as info:
        compiled(text, "m.pys")
    diags = info.value.diagnostics
    assert diags
    for diag in diags:
        assert str(diag).startswith(f"m.pys:{diag.line}:{diag.col}: error: ")
    in_f = [(d.line, d.col) for d in diags if d.line > head.count("\n")]
    if in_f and not expr.endswith("_raise()"):
        assert in_f == [use_site(text)]
    python = restore_math(lambda: outcome(plain(text).f, *args))
    if old is not None:
        assert not same(python, ("ok", old))  # the answer the compiler used to give is not CPython's


def test_exception_shadowed_raises_what_cpython_raises() -> None:
    text = superset("ValueError = KeyError\n", "_raise()")
    assert outcome(plain(text).f, -1.0)[1][0] is KeyError  # a compiled fn would raise the builtin ValueError


def test_patching_math_is_refused() -> None:
    text = superset("import math\nmath.fabs = abs\n", "math.fabs(x)")
    with pytest.raises(CompileError, match="sets its attributes"):
        compiled(text, "m.pys")


@pytest.mark.parametrize(("head", "expr", "calls"), [c[1:] for c in COMPILED], ids=[c[0] for c in COMPILED])
def test_compiled_gives_cpythons_results(head: str, expr: str, calls: list[tuple[Any, ...]]) -> None:
    text = superset(head, expr)
    native, python = compiled(text, "m.pys"), plain(text)
    for args in calls:
        assert same(outcome(native.f, *args), outcome(python.f, *args)), args


def test_aot_build_gives_cpythons_results(tmp_path: Path) -> None:
    head, expr, calls = next(c[1:] for c in COMPILED if c[0] == "fn-after-star")
    text = superset(head, expr)
    (tmp_path / "rebound.pys").write_text(text, encoding="utf-8")
    build_file(tmp_path / "rebound.pys")
    python = plain(text)
    code = f"import rebound\nprint(type(rebound.f).__name__)\nfor a in {calls!r}:\n    print(repr(rebound.f(*a)))"
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert proc.stdout.splitlines() == ["compiled_function", *(repr(python.f(*a)) for a in calls)]


def verdicts(text: str) -> tuple[str, str, bool]:
    """(the analyzer's own status for f, its full status, whether the compiler compiles f) on the plain twin."""
    source = plain_python(text)
    tree = ast.parse(source)
    func = next(s for s in tree.body if isinstance(s, ast.FunctionDef) and s.name == "f")
    own = analyze_source(source, Path("m.py"), use_probe=False).function("f").status
    full = analyze_source(source, Path("m.py")).function("f").status
    return own, full, not fn_blockers(func, tree)


AGREEMENT = [
    pytest.param(c[1], c[2], False, id=c[0]) for c in REFUSED if c[0] not in PROBE_ONLY
] + [pytest.param(c[1], c[2], True, id=c[0]) for c in COMPILED]


@pytest.mark.parametrize(("head", "expr", "compiles"), AGREEMENT)
def test_analyzer_agrees_with_the_compiler(head: str, expr: str, compiles: bool) -> None:
    own, full, probe = verdicts(superset(head, expr))
    assert probe == compiles
    assert (own == "ready", full == "ready") == (compiles, compiles)


@pytest.mark.parametrize(("head", "expr"), [pytest.param(c[1], c[2], id=c[0]) for c in REFUSED if c[0] in PROBE_ONLY])
def test_analyzer_blocks_probe_only_forms_through_the_compiler(head: str, expr: str) -> None:
    """Where the analyzer's own rules miss a rebinding, the compiler refuses f and the analyzer never calls
    it ready (its full verdict asks the compiler: PM320)."""
    own, full, probe = verdicts(superset(head, expr))
    assert probe is False and full != "ready"


def test_binding_counts() -> None:
    tree = ast.parse(
        "import math, os.path as p\nfrom m import a\nfrom math import *\nx = 1\nif x:\n    from q import b\n"
        "try:\n    pass\nexcept E as e:\n    del x\nfor i, j in []:\n    pass\n"
        "[k for k in []]\n[(w := 1) for k in []]\n"
        "def f(a=(d := 2)):\n    global g\n    local = 1\nclass C(base := object):\n    inner = 1\n"
        "match 1:\n    case [s, *rest] | {'k': s, **rest}:\n        pass\nlambda y: (z := y)\n"
    )
    counts = module_binding_counts(tree)
    assert {k: v for k, v in counts.items() if k not in dir(math) or k in ("e",)} == {
        "math": 1, "p": 1, "a": 1, "x": 2, "b": 1, "e": 2, "i": 1, "j": 1, "w": 1, "f": 1, "d": 1, "g": 2,
        "C": 1, "base": 1, "s": 2, "rest": 2,
    }
    assert counts["sqrt"] == 1  # from math import *
    assert module_math_names(tree) == {"math": ""}


@pytest.mark.parametrize(("text", "names"), [
    ("import math\nimport math as m, math as n\nimport math\n", {"m": "", "n": ""}),
    ("from math import sqrt\nfrom os import *\n", {}),
    ("from os import *\nfrom math import sqrt\n", {"sqrt": "sqrt"}),
    ("from math import sqrt, pi as PI\n", {"sqrt": "sqrt", "PI": "pi"}),
    ("import math\nmath.x = 1\n", {}),
    ("import math\n\n\ndef f():\n    setattr(math, 'sqrt', abs)\n", {}),
    ("from math import sqrt\nfrom math import *\n", {}),
    ("from math import sqrt\nsqrt.x = 1\n", {"sqrt": "sqrt"}),  # a builtin takes no attributes
])
def test_math_names(text: str, names: dict[str, str]) -> None:
    assert module_math_names(ast.parse(text)) == names
