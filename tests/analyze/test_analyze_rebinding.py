"""Names the module binds again, or a star import may bind, are what CPython finds when code runs: the
analyzer's own rules (no probe) refuse exactly what the compiler refuses, and say why with their code.

Ground truth: the module upgraded the way `pymigrate migrate` writes it and handed to the compiler
(`compile_module`, what `pymigrate build` runs), and the compiler's probe for the exact position.
PM323: a builtin a function uses (`len`, `range`, `ValueError`, ...) that the module or a star import
may bind. PM413: a struct candidate whose name is bound again, bound before a star import, or bound
conditionally. PM315: a function defined before a star import (docs/rules/PM315.md's example)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import libcst as cst
import pytest

from pymigrate.analyze import analyze_source
from pymigrate.analyze.model import ModuleAnalysis
from pymigrate.analyze.rules import RETIRED, RULES
from pymigrate.codegen import CompileError, compile_module
from pymigrate.codegen.checker import EXCEPTIONS
from pymigrate.codegen.probe import fn_blockers, struct_blockers
from pymigrate.migrate.emit import render_superset
from pymigrate.migrate.upgrade import Plan, upgrade_module
from pymigrate.superset import parse

ROOT = Path(__file__).resolve().parents[2]
PROBE_AT = re.compile(r"^(\d+):(\d+): ")


def own(text: str) -> ModuleAnalysis:
    """The analyzer's verdict from its own rules, without asking the compiler (PM320)."""
    module = analyze_source(text, Path("m.py"), use_probe=False)
    assert module.error is None
    return module


def compiles(text: str, functions: frozenset[str] = frozenset(), classes: frozenset[str] = frozenset()) -> bool | None:
    """Does the module compile once these units are upgraded, as `pymigrate migrate` writes them?
    None when the migrator itself will not upgrade them (it keeps a name defined twice a def/class)."""
    tree, marks = upgrade_module(cst.parse_module(text), Plan(functions, classes))
    result = parse(render_superset(tree, marks), "m.pys")
    upgraded = {s.name for s in result.tree.body if (isinstance(s, ast.FunctionDef) and result.is_fn(s))
                or (isinstance(s, ast.ClassDef) and result.is_struct(s))}
    if upgraded != functions | classes:
        assert not upgraded
        return None
    try:
        compiled = compile_module(result, "m")
    except CompileError:
        return False
    assert functions <= set(compiled.functions) and classes <= set(compiled.structs)
    return True


def probe_positions(reasons: list[str]) -> set[tuple[int, int]]:
    return {(int(m.group(1)), int(m.group(2))) for m in map(PROBE_AT.match, reasons) if m}


def fn_reasons(text: str, name: str) -> list[str]:
    """The compiler probe's reasons for refusing module-level `def name` as a fn."""
    tree = ast.parse(text)
    return fn_blockers(next(s for s in tree.body if isinstance(s, ast.FunctionDef) and s.name == name), tree)


# -- PM323: builtins ------------------------------------------------------------------------------

# (id, a function using one builtin the compiler supports): each is ready and compiles on its own
USES = [
    ("len", "def f(xs: list[int]) -> int:\n    return len(xs)\n"),
    ("abs", "def f(x: int) -> int:\n    return abs(x)\n"),
    ("min", "def f(a: int, b: int) -> int:\n    return min(a, b)\n"),
    ("max", "def f(xs: list[float]) -> float:\n    return max(xs)\n"),
    ("float", "def f(x: int) -> float:\n    return float(x)\n"),
    ("int", "def f(x: float) -> int:\n    return int(x)\n"),
    ("bool", "def f(x: int) -> bool:\n    return bool(x)\n"),
    ("range", "def f(n: int) -> int:\n    t = 0\n    for i in range(n):\n        t += i\n    return t\n"),
    ("ValueError", "def f(n: int) -> int:\n    if n < 0:\n        raise ValueError('negative')\n    return n\n"),
]
# (id, module text around the function, the reason PM323 gives, or None: the builtin is the builtin)
HEADS = [
    ("no-import", "{f}", None),
    ("star-os-path", "from os.path import *\n\n\n{f}", "may be bound by the star import on line 1"),
    ("star-sibling", "from .helpers import *\n\n\n{f}", "may be bound by the star import on line 1"),
    ("star-cmath-after", "import os\n\n\n{f}\n\nfrom cmath import *\n", "may be bound by the star import on line {n}"),
    ("star-math", "from math import *\n\n\n{f}", None),  # math binds none of the builtins
    ("explicit-import", "from os.path import join\n\n\n{f}", None),
]


def star_line(text: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if line.startswith("from ") and line.endswith("*"))


@pytest.mark.parametrize(("head", "reason"), [h[1:] for h in HEADS], ids=[h[0] for h in HEADS])
@pytest.mark.parametrize("use", [u[1] for u in USES], ids=[u[0] for u in USES])
def test_builtins_after_a_star_import(head: str, reason: str | None, use: str) -> None:
    text = head.replace("{f}", use)
    f = own(text).function("f")
    found = [b for b in f.blockers if b.code == "PM323"]
    compiler_reasons = fn_reasons(text, "f")
    if reason is None:
        assert (f.status, f.blockers) == ("ready", [])
        assert compiler_reasons == [] and compiles(text, frozenset({"f"}))
        return
    assert f.status == "blocked"
    name = next(n for n, u in USES if u == use)
    expected_reason = reason.replace("{n}", str(star_line(text)))
    assert [b.message for b in found] == [RULES["PM323"].message.format(name=name, reason=expected_reason)]
    assert probe_positions(compiler_reasons) >= {(b.line, b.column) for b in found}  # the compiler's place too
    assert any("may be bound by a star import" in r for r in compiler_reasons)
    assert not compiles(text, frozenset({"f"}))
    other = {b.code for b in f.blockers} - {"PM323"}
    assert other == ({"PM315"} if "cmath" in head else set())  # there f itself precedes the star import


@pytest.mark.parametrize("exc", EXCEPTIONS)
def test_every_builtin_exception_after_a_star_import(exc: str) -> None:
    use = f"def f(n: int) -> int:\n    if n < 0:\n        raise {exc}('negative')\n    return n\n"
    plain = own(use).function("f")
    assert plain.status == "ready" and compiles(use, frozenset({"f"}))
    text = "from .helpers import *\n\n\n" + use
    f = own(text).function("f")
    assert (f.status, [(b.code, b.line, b.column) for b in f.blockers]) == ("blocked", [("PM323", 6, 15)])
    assert not compiles(text, frozenset({"f"}))


# (id, module head, the function, the name PM323 reports): bound by the module itself
MODULE_BOUND = [
    ("assigned", "len = 3\n", USES[0][1], "len"),
    ("imported", "from operator import abs\n", USES[1][1], "abs"),
    ("lambda", "max = lambda *a: 0.0\n", USES[3][1], "max"),
    ("exception", "ValueError = KeyError\n", USES[8][1], "ValueError"),
    ("range-in-if", "if True:\n    range = list\n", USES[7][1], "range"),
]


@pytest.mark.parametrize(("head", "use", "name"), [c[1:] for c in MODULE_BOUND], ids=[c[0] for c in MODULE_BOUND])
def test_builtins_the_module_binds(head: str, use: str, name: str) -> None:
    text = head + "\n\n" + use
    f = own(text).function("f")
    assert f.status == "blocked"
    assert [b.message for b in f.blockers] == [
        RULES["PM323"].message.format(name=name, reason="is bound in this module")]
    compiler_reasons = fn_reasons(text, "f")
    assert any(f"'{name}' is bound in this module" in r for r in compiler_reasons)
    assert not compiles(text, frozenset({"f"}))


def test_a_module_function_named_like_a_builtin_is_called_after_a_star_import() -> None:
    """A module-level def named `max` defined after the star import is what CPython finds: a fn call."""
    text = ("from os.path import *\n\n\ndef max(a: int, b: int) -> int:\n    return a if a > b else b\n\n\n"
            "def f(a: int) -> int:\n    return max(a, 3)\n")
    module = own(text)
    assert all(b.code != "PM323" for b in module.findings)
    assert not fn_reasons(text, "f") or module.function("f").status != "ready"


def test_a_local_named_like_a_builtin_is_not_pm323() -> None:
    """A local shadows the builtin whatever the module binds: PM317, as before (the compiler refuses too)."""
    text = "from os.path import *\n\n\ndef f(xs: list[int]) -> int:\n    len = 2\n    return len(xs)\n"
    f = own(text).function("f")
    assert [b.code for b in f.blockers] == ["PM317"]
    assert not compiles(text, frozenset({"f"}))


# -- PM413: struct names --------------------------------------------------------------------------

POINT = "from dataclasses import dataclass\n\n\n@dataclass\nclass Point:\n    x: float\n    y: float\n"
MORE = "\n\n@dataclass\nclass Point:\n    x: float\n"
TWICE = "bound more than once at module level"
STRUCT_FORMS = [
    ("alone", POINT, None),
    ("assigned-after", POINT + "\n\nPoint = tuple\n", TWICE),
    ("assigned-before", "Point = None\n" + POINT, TWICE),
    ("second-class", POINT + MORE, TWICE),
    ("def-after", POINT + "\n\ndef Point(x: float) -> float:\n    return x\n", TWICE),
    ("import-as", POINT + "\n\nfrom os import sep as Point\n", TWICE),
    ("in-if", POINT + "\n\nif True:\n    Point = 3\n", TWICE),
    ("del", POINT + "\n\ndel Point\n", TWICE),
    ("global", POINT + "\n\ndef reset() -> None:\n    global Point\n    Point = None\n", TWICE),
    ("walrus", POINT + "\n\nys = [(Point := 1) for _ in range(2)]\n", TWICE),
    ("star-after", POINT + "\n\nfrom os.path import *\n", "bound again by a later star import"),
    ("star-before", "from os.path import *\n" + POINT, None),
    ("star-math-after", POINT + "\n\nfrom math import *\n", None),
    ("conditional", "from dataclasses import dataclass\n\n\nif True:\n    @dataclass\n    class Point:\n"
                    "        x: float\n        y: float\n", "defined conditionally"),
    ("other-name-rebound", POINT + "\n\nSize = tuple\nSize = list\n", None),
]


@pytest.mark.parametrize(("text", "reason"), [s[1:] for s in STRUCT_FORMS], ids=[s[0] for s in STRUCT_FORMS])
def test_struct_names_bound_once(text: str, reason: str | None) -> None:
    module = own(text)
    tree = ast.parse(text)
    nodes = {n.lineno: n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)}
    assert module.classes
    for cls in module.classes:
        node = nodes[cls.line]
        compiler_reasons = struct_blockers(node, tree)
        if reason is None:
            assert (cls.status, cls.blockers) == ("ready", [])
            assert compiler_reasons == [] and compiles(text, classes=frozenset({"Point"}))
            continue
        assert cls.status == "blocked"
        assert [(b.code, b.line, b.column, b.message) for b in cls.blockers] == [
            ("PM413", node.lineno, node.col_offset + len("class ") + 1,
             RULES["PM413"].message.format(name="Point", reason=reason))]
        assert compiler_reasons
        if node in tree.body:  # the compiler's own words: a struct's name must mean it
            assert all("struct 'Point'" in r for r in compiler_reasons)
    if reason is not None:  # forced upgrade: the compiler refuses (or the migrator already keeps it a class)
        assert compiles(text, classes=frozenset({"Point"})) in (False, None)


def test_a_rebound_struct_blocks_its_methods_and_users() -> None:
    """What depends on the class follows it: its methods are PM315, a function building it PM319."""
    text = (POINT + "\n    def norm1(self) -> float:\n        return abs(self.x) + abs(self.y)\n\n\n"
            "def origin() -> Point:\n    return Point(0.0, 0.0)\n\n\nPoint = tuple\n")
    module = own(text)
    point = next(c for c in module.classes if c.qualname == "Point")
    assert [b.code for b in point.blockers] == ["PM413"]
    assert [b.code for b in module.function("Point.norm1").blockers] == ["PM315"]
    assert "PM319" in {b.code for b in module.function("origin").blockers}
    assert not compiles(text, classes=frozenset({"Point"}))


def test_the_full_verdict_names_the_rule_not_the_compiler() -> None:
    """With the probe on, PM413 blocks the class first: no PM320 left to explain it."""
    module = analyze_source(POINT + "\n\nPoint = tuple\n", Path("m.py"))
    assert [b.code for b in module.classes[0].blockers] == ["PM413"]


# -- the rule pages' examples, checked against the compiler ---------------------------------------

def page_block(code: str, heading: str) -> str:
    text = (ROOT / "docs" / "rules" / f"{code}.md").read_text(encoding="utf-8")
    match = re.search(rf"## {re.escape(heading)}\n\n(?:[^\n]*\n\n)?```python\n(.*?)```", text, re.S)
    assert match is not None, (code, heading)
    return match.group(1)


def test_pm315_page_star_import_example() -> None:
    text = page_block("PM315", "Example: a later star import")
    module = own(text)
    half, third = module.function("half"), module.function("third")
    assert [b.message for b in half.blockers] == [RULES["PM315"].message.format(
        name="half", reason="bound again by a later star import")]
    assert (third.status, third.blockers) == ("ready", [])
    assert fn_reasons(text, "half") and not fn_reasons(text, "third")
    assert compiles(text, frozenset({"third"})) and not compiles(text, frozenset({"half"}))


def test_pm323_page_examples_agree_with_the_compiler() -> None:
    before, after = page_block("PM323", "Before"), page_block("PM323", "After")
    assert own(before).function("longest").status == "blocked"
    assert not compiles(before, frozenset({"longest"}))
    assert own(after).function("longest").status == "ready"
    assert compiles(after, frozenset({"longest"}))


def test_pm413_page_examples_agree_with_the_compiler() -> None:
    before, after = page_block("PM413", "Before"), page_block("PM413", "After")
    assert own(before).classes[0].status == "blocked"
    assert not compiles(before, classes=frozenset({"Point"}))
    assert own(after).classes[0].status == "ready"
    assert compiles(after, classes=frozenset({"Point"}))


def test_retired_codes_are_not_given_out_again() -> None:
    assert RETIRED and not RETIRED & set(RULES)
    assert not any((ROOT / "docs" / "rules" / f"{code}.md").exists() for code in RETIRED)


def test_a_class_in_a_class_body_is_not_a_struct_candidate() -> None:
    """Only module-level classes become structs (the compiler's probe says so): a dataclass inside another
    class's body is PM408 on its own, not ready pending the compiler's PM320."""
    text = ("from dataclasses import dataclass\n\n\nclass Outer:\n    @dataclass\n    class Inner:\n        x: float\n\n"
            "        def get(self) -> float:\n            return self.x\n")
    module = own(text)
    inner = next(c for c in module.classes if c.qualname == "Outer.Inner")
    assert (inner.status, [b.code for b in inner.blockers]) == ("blocked", ["PM408"])
    assert module.function("Outer.Inner.get").status == "blocked"
    tree = ast.parse(text)
    node = next(n for n in ast.walk(tree) if isinstance(n, ast.ClassDef) and n.name == "Inner")
    assert struct_blockers(node, tree) == ["only module-level classes can become structs"]
