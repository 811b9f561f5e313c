"""The analyzer and the compiler's checker read `math` imports alike: for every import form and every
attribute of `math`, the analyzer's own verdict (no probe) is `ready` exactly when the compiler compiles
the function (pymigrate.codegen.probe), and both match what the form means in Python."""

from __future__ import annotations

import ast
import math
from pathlib import Path

import pytest

from pymigrate.analyze import analyze_source
from pymigrate.analyze.facts import collect
from pymigrate.analyze.index import build as build_index
from pymigrate.codegen.checker import MATH_FUNCS, math_bindings
from pymigrate.codegen.probe import fn_blockers

# (imports, expression using them, compiles): the expression is the body of `f(x: float) -> float`
FORMS: list[tuple[str, str, bool]] = [
    ("import math", "math.sqrt(x)", True),
    ("import math as m", "m.sqrt(x)", True),
    ("import math as m", "math.sqrt(x)", False),  # `math` itself is not bound
    ("import os, math", "math.fabs(x)", True),
    ("import math, math as mm", "mm.sqrt(x) + math.sqrt(x)", True),
    ("from math import sqrt", "sqrt(x)", True),
    ("from math import sqrt as s", "s(x)", True),
    ("from math import sqrt as s", "sqrt(x)", False),
    ("from math import (sqrt, floor as fl)", "sqrt(x) + fl(x)", True),
    ("from math import pi", "pi * x", True),
    ("from math import pi as PI", "PI * x", True),
    ("import math", "math.pi * x + math.tau", True),
    ("from math import gcd", "gcd(x, x)", False),  # bound, but not a function the compiler has
    ("from math import gcd as sqrt", "sqrt(x)", False),  # the name says sqrt, the function is gcd
    ("import math", "math.degrees(x)", False),
    ("from math import *", "sqrt(x)", False),
    ("import cmath as math", "math.sqrt(x)", False),
    ("import os.path as math", "math.sqrt(x)", False),
    ("from cmath import sqrt", "sqrt(x)", False),
    ("import math.sqrt", "math.sqrt(x)", False),  # not the math module (would fail to import)
    ("from .math import sqrt", "sqrt(x)", False),  # a sibling module named math
    ("from math import sqrt\nfrom math import gcd as sqrt", "sqrt(x)", False),  # the later binding wins
    ("import math\nfrom math import pi as math", "math.sqrt(x)", False),
    ("from math import sqrt\nfrom os.path import *", "sqrt(x)", False),  # the star import may bind sqrt again
    ("from os.path import *\nfrom math import sqrt", "sqrt(x)", True),
    ("from math import sqrt\nfrom math import *", "sqrt(x)", False),  # bound twice, both times to math.sqrt
    ("import math\nmath.sqrt = abs", "math.sqrt(x)", False),  # the module patches math
    ("from math import sqrt\nys = [(sqrt := abs) for _ in range(1)]", "sqrt(x)", False),  # walrus binds the module's name
    ("from math import sqrt\nmatch 3:\n    case sqrt:\n        pass", "sqrt(x)", False),
    ("N = 2.0\nfrom os.path import *", "N * x", False),  # a constant before a star import
    ("from os.path import *\nN = 2.0", "N * x", True),
    ("N = 2.0\nys = [(N := 3) for _ in range(1)]", "N * x", False),
]

# A name bound more than once at module level is not taken for math by the analyzer, although the compiler's
# checker follows the imports alone: `math = other` after `import math` must not compile math.sqrt.
REBOUND = [
    ("from math import gcd as s\nfrom math import sqrt as s", "s(x)"),
    ("from math import pi as math\nimport math", "math.sqrt(x)"),
    ("import math\nmath = 3", "math.sqrt(x)"),
    ("from math import sqrt\nif x:\n    sqrt = abs", "sqrt(x)"),
]


def module_text(imports: str, expr: str) -> str:
    return f"{imports}\n\n\ndef f(x: float) -> float:\n    return {expr}\n"


def verdicts(text: str) -> tuple[bool, bool]:
    """(the analyzer calls f ready on its own rules, the compiler compiles f)."""
    analysis = analyze_source(text, Path("m.py"), use_probe=False)
    assert analysis.error is None
    tree = ast.parse(text)
    func = next(s for s in tree.body if isinstance(s, ast.FunctionDef))
    return analysis.function("f").status == "ready", not fn_blockers(func, tree)


@pytest.mark.parametrize(("imports", "expr", "compiles"), FORMS, ids=[f"{i} | {e}" for i, e, _ in FORMS])
def test_import_forms_agree(imports: str, expr: str, compiles: bool) -> None:
    assert verdicts(module_text(imports, expr)) == (compiles, compiles)


@pytest.mark.parametrize(("imports", "expr"), REBOUND)
def test_rebound_names_are_not_math(imports: str, expr: str) -> None:
    analysis = analyze_source(module_text(imports, expr), Path("m.py"), use_probe=False)
    assert analysis.function("f").status == "blocked"


MATH_CALLABLES = sorted(name for name in dir(math) if not name.startswith("_") and callable(getattr(math, name)))


@pytest.mark.parametrize("name", MATH_CALLABLES)
def test_math_functions_agree(name: str) -> None:
    """The same functions are supported, by both spellings (a drift in either table fails here)."""
    nargs = MATH_FUNCS[name][0] if name in MATH_FUNCS else 1
    args = ", ".join(["x"] * nargs)
    value = f"float({name}({args}))"
    for imports, expr in (("import math", f"float(math.{name}({args}))"), (f"from math import {name}", value)):
        assert verdicts(module_text(imports, expr)) == (name in MATH_FUNCS, name in MATH_FUNCS), imports


def test_supported_functions_exist_in_math() -> None:
    assert set(MATH_FUNCS) <= set(MATH_CALLABLES)


def test_facts_use_the_checker_bindings() -> None:
    """facts.math_names is the checker's module_math_names: its import table less the names bound more than
    once at module level (`gcd` and `pi` are bound again by `from math import *`, `pi` once more by `pi = 3`)."""
    text = "import math as m, os\nfrom math import sqrt as s, pi, gcd\nfrom math import *\nimport cmath\npi = 3\n"
    tree = ast.parse(text)
    facts = collect(tree, build_index(tree))
    table: dict[str, str] = {}
    for stmt in tree.body:
        table.update(math_bindings(stmt))
    assert table == {"m": "", "s": "sqrt", "pi": "pi", "gcd": "gcd"}
    assert facts.math_names == {"m": "", "s": "sqrt"}


# (module text around `def half`, the analyzer's reason for not upgrading it, or None when it is ready)
STAR_IMPORTS = [
    ("{half}\nfrom cmath import *\n", "bound again by a later star import"),  # may bind `half` again
    ("{half}\nfrom .sibling import *\n", "bound again by a later star import"),
    ("from cmath import *\n{half}", None),
    ("{half}\nfrom math import *\n", None),  # math's names are known, and `half` is not one
]
HALF = "\n\ndef half(x: float) -> float:\n    return x / 2.0\n\n"


@pytest.mark.parametrize(("text", "reason"), STAR_IMPORTS)
def test_function_before_a_star_import(text: str, reason: str | None) -> None:
    """A function defined before a star import of another module may not be what CPython callers find:
    the analyzer's own rule (PM315) and the compiler agree."""
    source = text.format(half=HALF)
    analysis = analyze_source(source, Path("m.py"), use_probe=False)
    unit = analysis.function("half")
    tree = ast.parse(source)
    func = next(s for s in tree.body if isinstance(s, ast.FunctionDef))
    assert (unit.status == "ready", not fn_blockers(func, tree)) == (reason is None, reason is None)
    messages = [f.message for f in unit.blockers if f.code == "PM315"]
    assert messages == ([] if reason is None else [
        f"`half` is {reason}; only module-level functions and methods of structs become `fn`"])
