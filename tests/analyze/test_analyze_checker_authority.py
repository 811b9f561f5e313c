"""One authority on what compiles: the analyzer's hints are the compiler checker's diagnostics.

Ground truth is the checker itself, run on the function written as a `fn` by hand (`def` -> `fn`, locals
declared at their first binding as the migrator writes them): for each hint code the checker emits, the
analyzer reports exactly that code for that function, and a function the analyzer calls ready compiles.
"""

from __future__ import annotations

import ast
import os
import re
import tarfile
from pathlib import Path

import libcst as cst
import pytest

from pymigrate.analyze import analyze_source
from pymigrate.analyze.readiness import CHECKED_CODES
from pymigrate.codegen.checker import check_module
from pymigrate.codegen.diagnostics import CompileError, Diagnostic
from pymigrate.migrate.emit import render_superset
from pymigrate.migrate.upgrade import Plan, upgrade_module
from pymigrate.superset import parse

# (code, module source, the function the code is about)
CASES = [
    ("PM301", "def run(expr: str) -> int:\n    return eval(expr)\n", "run"),
    ("PM302", "def names() -> int:\n    return len(locals())\n", "names"),
    ("PM303", "def read(xs: list[int], key: str) -> int:\n    return getattr(xs, key)\n", "read"),
    ("PM304", "def total(*values: int) -> int:\n    return 0\n", "total"),
    ("PM305", "def count(n: int) -> int:\n    while n > 0:\n        yield n\n        n -= 1\n", "count"),
    ("PM307", "import functools\n\n\n@functools.lru_cache(maxsize=None)\ndef fib(n: int) -> int:\n"
              "    return n if n < 2 else fib(n - 1) + fib(n - 2)\n", "fib"),
    ("PM309", "COUNT = 0\n\n\ndef bump(n: int) -> int:\n    global COUNT\n    COUNT = n\n    return n\n", "bump"),
    ("PM312", "def size(xs: list) -> int:\n    return len(xs)\n", "size"),
    ("PM313", "def safe(a: float, b: float) -> float:\n    try:\n        return a / b\n    finally:\n"
              "        pass\n", "safe"),
    ("PM314", "def scale(x: float, k: float = float(2)) -> float:\n    return x * k\n", "scale"),
    ("PM315", "def twice(x: int) -> int:\n    return x + x\n\n\ndef twice(x: int) -> int:\n    return 2 * x\n",
     "twice"),
    ("PM316", "def squares(n: int) -> list[int]:\n    return [i * i for i in range(n)]\n", "squares"),
    ("PM317", "def show(x: int) -> int:\n    print(x)\n    return x\n", "show"),
    ("PM318", "def mean(xs: list[float]) -> float:\n    total = 0\n    for x in xs:\n        total += x\n"
              "    return total / len(xs)\n", "mean"),
    ("PM323", "abs = len\n\n\ndef size(xs: list[int]) -> int:\n    return abs(xs)\n", "size"),
]


def _as_fn(source: str, name: str) -> str:
    """The superset text with every `def name` written `fn name` (by hand, not by the migrator)."""
    return re.sub(rf"^def {name}\(", f"fn {name}(", source, flags=re.MULTILINE)


def _checker_codes(source: str, name: str) -> set[str]:
    """The codes of the checker's diagnostics on `name` written as a fn: the ground truth."""
    spans = [(min([n.lineno, *(d.lineno for d in n.decorator_list)]), n.end_lineno or n.lineno)
             for n in ast.parse(source).body if isinstance(n, ast.FunctionDef) and n.name == name]
    assert spans, "the case must define the function"
    try:
        check_module(parse(_as_fn(source, name), "case.pys"), implicit_decls=True)
    except CompileError as exc:
        return {d.code for d in exc.diagnostics if any(lo <= d.line <= hi for lo, hi in spans)}
    return set()


@pytest.mark.parametrize("code, source, name", CASES, ids=[c[0] for c in CASES])
def test_the_hint_is_the_checkers_verdict(code: str, source: str, name: str) -> None:
    truth = _checker_codes(source, name)
    assert truth == {code}, f"the case does not make the checker say {code}: {truth}"
    module = analyze_source(source, Path("case.py"))
    assert module.error is None
    units = [f for f in module.functions if f.qualname == name]
    hinted = {b.code for u in units for b in u.blockers if b.code in CHECKED_CODES}
    assert hinted == truth
    assert all(u.status == "blocked" for u in units)


def test_every_code_the_analyzer_leaves_to_the_checker_is_exercised() -> None:
    """PM306 (async) never reaches the analyzer's checker run (an `async def` is not a target); PM320's
    value-semantics reasons are the probe's, not the checker's (tests/analyze/test_analyze_compiler.py);
    the checker takes `Any` as an `object` value, so PM311 is only the estimate's for an unannotated function."""
    assert {c for c, _, _ in CASES} == CHECKED_CODES - {"PM306", "PM311", "PM320"}


COUNTER = '''
from typing import Optional


def counter(n: Optional[int], step: int) -> object:
    total = 0
    def add(k):
        nonlocal total
        total += k
    for _ in range(step):
        add(n)
    return (total, sorted([3, 1], key=lambda v: -v))
'''


def test_an_object_fn_with_closures_is_ready_and_compiles() -> None:
    """Nested functions that capture and nonlocal-write the fn's variables: the checker compiles an object fn's
    (tir/closures.py), so the analyzer's PM308 estimate (a native fn has no closures) gives way to its verdict."""
    assert _checker_codes(COUNTER, "counter") == set()
    module = analyze_source(COUNTER, Path("case.py"))
    (unit,) = [f for f in module.functions if f.qualname == "counter"]
    assert unit.status == "ready" and unit.blockers == []

READY = '''
def area(w: float, h: float) -> float:
    return w * h


def total(xs: list[float]) -> float:
    t = 0.0
    for x in xs:
        t += x
    return t
'''


def test_ready_functions_are_what_the_checker_accepts() -> None:
    module = analyze_source(READY, Path("ready.py"))
    assert {f.qualname: f.status for f in module.functions} == {"area": "ready", "total": "ready"}
    for name in ("area", "total"):
        assert _checker_codes(READY, name) == set()


DEPENDENCIES = '''
def helper(x):
    return x + 1


def caller(x: int) -> int:
    return helper(x)


def blocked(x: int) -> int:
    print(x)
    return x


def caller2(x: int) -> int:
    return blocked(x)
'''


def test_a_call_to_a_def_left_python_follows_that_defs_verdict() -> None:
    """The checker says PM310 for a call to a def that is not a fn; the analyzer resolves it with the callee's
    own verdict: inferable when the callee only lacks annotations, blocked (PM310) when the callee is blocked."""
    module = analyze_source(DEPENDENCIES, Path("deps.py"))
    status = {f.qualname: f.status for f in module.functions}
    assert status == {"helper": "inferable", "caller": "inferable", "blocked": "blocked", "caller2": "blocked"}
    caller2 = next(f for f in module.functions if f.qualname == "caller2")
    assert [b.code for b in caller2.blockers] == ["PM310"]


ROOT = Path(__file__).resolve().parents[2]
REFUSALS = CHECKED_CODES - {"PM320"}  # PM320 is also what compiles but would change meaning (value semantics)
REALPKGS = Path(os.environ.get("PYMIGRATE_REALPKGS_CACHE") or Path.home() / ".cache" / "pymigrate-realpkgs")


def _verdicts_hold(text: str, path: Path) -> tuple[int, int]:
    """Every function and class the analyzer calls ready compiles once the migrator writes the upgrade; every
    module-level function it blocks with a code of the checker's refusals does not (the checker rejects it when the
    migrator writes it, or the migrator cannot write it). Returns how many of each were checked."""
    module = analyze_source(text, path)
    assert module.error is None
    ready = frozenset(f.qualname for f in module.functions if f.status == "ready")
    classes = frozenset(c.qualname for c in module.classes if c.status == "ready")
    assert _diagnostics(text, ready, classes) == [], "a function the analyzer calls ready does not compile"
    tree = ast.parse(text)
    nodes = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    blocked = [f.qualname for f in module.functions if f.status == "blocked" and f.qualname in nodes
               and any(b.code in REFUSALS for b in f.blockers)]
    # one upgrade of them all: the checker checks each fn's body on its own, so each keeps its own diagnostics
    tried, diags = _upgrade_and_check(text, ready | frozenset(blocked), classes)
    for name in blocked:
        node = nodes[name]
        lo, hi = min([node.lineno, *(d.lineno for d in node.decorator_list)]), node.end_lineno or node.lineno
        assert name not in tried or any(lo <= d.line <= hi for d in diags), f"{path}: {name} is blocked but compiles"
    return len(ready) + len(classes), len(blocked)


def _upgrade_and_check(text: str, functions: frozenset[str], classes: frozenset[str]) -> tuple[set[str], list[Diagnostic]]:
    """The names the migrator writes as fn, and the checker's diagnostics on what it wrote."""
    tree, marks = upgrade_module(cst.parse_module(text), Plan(functions, classes))
    try:
        check_module(parse(render_superset(tree, marks), "m.pys"))
    except CompileError as exc:
        return set(marks.fn_names), exc.diagnostics
    return set(marks.fn_names), []


def _diagnostics(text: str, functions: frozenset[str], classes: frozenset[str]) -> list[Diagnostic]:
    return _upgrade_and_check(text, functions, classes)[1]


FIXTURES = sorted([*(ROOT / "fixtures" / "analyze").rglob("*.py"), *(ROOT / "fixtures" / "packages").rglob("*.py")])


def test_ready_compiles_and_blocked_does_not_over_the_fixtures() -> None:
    totals = [_verdicts_hold(p.read_text(encoding="utf-8"), p) for p in FIXTURES]
    assert sum(r for r, _ in totals) >= 20 and sum(b for _, b in totals) >= 20  # both kinds are there


def test_ready_compiles_and_blocked_does_not_on_a_real_package(tmp_path: Path) -> None:
    """idna 3.10 (annotated) from the real-package harness's download cache (`make realpkgs` fills it)."""
    archive = REALPKGS / "idna-3.10.tar.gz"
    if not archive.is_file():
        pytest.skip(f"{archive} is not downloaded (run `python -m benchmarks.realpkgs idna`)")
    with tarfile.open(archive) as tar:
        tar.extractall(tmp_path, filter="data")
    modules = [p for p in sorted((tmp_path / "idna-3.10" / "idna").glob("*.py"))
               if "data" not in p.stem]  # idnadata/uts46data: tables, no functions
    assert modules
    blocked = 0
    for path in modules:
        blocked += _verdicts_hold(path.read_text(encoding="utf-8"), path)[1]
    assert blocked >= 5
