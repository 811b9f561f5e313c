"""The tier rule: a fn is native when the native checker accepts it, else the object tier compiles it
(its annotations hints, the def's exact semantics), and only what neither takes is an error.

Each body below has native annotations and a shape the native tier refuses (a call into Python code,
`try`, `with`, dicts, sets, comprehensions, string methods, tuples, a call to a def left
Python, a call to an object fn). Each compiles in the object tier and gives, on generated inputs (the
annotated classes and others: a `fn f(x: Int)` called with a str behaves as the def), CPython's result,
exception and effects on the arguments and the module."""

from __future__ import annotations

import ast
import copy
import itertools
import types
from typing import Any

import libcst as cst
import pytest
from codegen_support import outcome, parse, plain, same
from hypothesis import given, settings
from hypothesis import strategies as st

from pymigrate.codegen import CompileError, compile_module
from pymigrate.codegen.checker import check_module
from pymigrate.codegen.probe import module_diagnostics
from pymigrate.migrate.emit import render_superset
from pymigrate.migrate.upgrade import Plan, upgrade_module
from pymigrate.runtime import jit

_ids = itertools.count()


def compiled(source: str, filename: str) -> types.ModuleType:
    """The superset source compiled under the tier rule and loaded into a fresh module."""
    mod = types.ModuleType(f"pm_tier_{next(_ids)}")
    mod.__file__ = filename
    jit.load(compile_module(parse(source, filename), mod.__name__, tier_rule=True), mod)
    return mod

SRC = '''
LOG = []
COUNT = 0

def python_helper(x):
    LOG.append(x)
    return x

fn calls_python(x: Int) -> Int:
    return python_helper(x) + len(LOG)

fn guarded(x: Int) -> Int:
    try:
        return 100 // x
    except ZeroDivisionError:
        return -1

fn counts(xs: List[Int]) -> Int:
    var seen = {}
    for x in xs:
        seen[x] = seen.get(x, 0) + 1
    return len(seen)

fn distinct(xs: List[Int]) -> Int:
    return len(set(xs))

fn squares(n: Int) -> List[Int]:
    return [i * i for i in range(n) if i % 2 == 0]

fn shout(s: String) -> String:
    return s.upper().strip() + "!"

fn pair(a: Int, b: Int) -> Int:
    var t = (a, b)
    var x = 0
    var y = 0
    x, y = t
    return x * 10 + y

fn managed(x: Int) -> Int:
    import contextlib
    with contextlib.suppress(ZeroDivisionError):
        return 10 // x
    return 0

fn via_helper(x: Int) -> Int:
    return guarded(x) + 1

fn native_sum(n: Int) -> Int:
    var s = 0
    for i in range(n):
        s += i
    return s

fn grows(xs: List[Int]) -> Int:
    xs.append(len(xs))
    return sorted(xs)[0]
'''

OBJECT = {"calls_python", "guarded", "counts", "distinct", "squares", "shout", "pair", "via_helper",
          "grows"}
NATIVE = {"native_sum"}


def test_each_refused_shape_compiles_in_the_object_tier() -> None:
    mir = check_module(parse(SRC, "m.pys"), tier_rule=True)
    tiers = {name: f.tier for name, f in mir.functions.items()}
    assert {n for n, t in tiers.items() if t == "object"} == OBJECT | {"managed"}
    assert {n for n, t in tiers.items() if t == "native"} == NATIVE


def test_neither_tier_gives_the_object_tiers_reason() -> None:
    """`match`: the native tier lacks it and so does the object tier; the reason that stays is the object
    tier's (what still blocks the fn), under its hint code."""
    src = "fn f(a: Int) -> Int:\n    match a:\n        case _:\n            pass\n    return a\n"
    with pytest.raises(CompileError) as info:
        compile_module(parse(src, "m.pys"), "m", tier_rule=True)
    assert [str(d) for d in info.value.diagnostics] == [
        "m.pys:2:5: error: match is not supported in an object fn yet; keep this function a def"]
    assert [d.code for d in info.value.diagnostics] == ["PM316"]


def test_without_the_rule_the_native_refusal_stands() -> None:
    src = "fn f(a: Int) -> Int:\n    try:\n        return a\n    except TypeError:\n        return 0\n"
    with pytest.raises(CompileError) as info:
        compile_module(parse(src, "m.pys"), "m")
    assert [d.code for d in info.value.diagnostics] == ["PM313"]
    assert check_module(parse(src, "m.pys"), tier_rule=True).functions["f"].tier == "object"


MODS = (compiled(SRC, "m.pys"), plain(SRC))

# beyond the annotated classes too; ints bounded where a fn loops over range(n)
SMALL = st.one_of(st.integers(-5, 40), st.booleans(), st.text(max_size=4), st.floats(allow_nan=False), st.none(),
                  st.lists(st.integers(-3, 3), max_size=6))
ANY = st.one_of(st.integers(-(2**70), 2**70), SMALL)
ARGS = {
    "calls_python": st.tuples(ANY), "guarded": st.tuples(ANY), "counts": st.tuples(ANY), "distinct": st.tuples(ANY),
    "squares": st.tuples(SMALL), "shout": st.tuples(st.one_of(st.text(), ANY)),
    "pair": st.tuples(ANY, ANY), "managed": st.tuples(ANY), "via_helper": st.tuples(ANY),
    "native_sum": st.tuples(st.one_of(st.integers(-3, 300), SMALL)), "grows": st.tuples(ANY),
}


def _state(mod: Any) -> tuple[Any, ...]:
    return (list(mod.LOG), mod.COUNT)


@pytest.mark.parametrize("name", sorted(ARGS))
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_compiled_gives_cpythons_results_and_effects(name: str, data: st.DataObject) -> None:
    args = data.draw(ARGS[name])
    native, python = MODS
    for mod in MODS:
        mod.LOG.clear()
        mod.COUNT = 0
    mine, theirs = copy.deepcopy(args), copy.deepcopy(args)
    got = outcome(getattr(native, name), *mine)
    want = outcome(getattr(python, name), *theirs)
    assert same(got, want), (name, args, got, want)
    assert mine == theirs and _state(native) == _state(python), (name, args)


def test_object_tier_fn_runs_compiled() -> None:
    """The fns are the compiled function objects, not the readings (a str where the def takes an Int goes
    through the same compiled code, with the def's exception)."""
    native, python = MODS
    assert type(native.guarded).__name__ == "compiled_function"
    assert outcome(native.guarded, "a") == outcome(python.guarded, "a")
    assert native.pair("a", "b") == python.pair("a", "b") == "aaaaaaaaaab"


def test_value_semantics_keep_the_native_refusal() -> None:
    """`mut` asks for the superset's write-back: the object tier would share instead, so no fallback."""
    src = "fn f(mut xs: List[Int]) -> Int:\n    print(xs)\n    return 1\n"
    with pytest.raises(CompileError) as info:
        compile_module(parse(src, "m.pys"), "m", tier_rule=True)
    assert [d.code for d in info.value.diagnostics] == ["PM317"]


def test_a_type_error_is_not_a_fallback() -> None:
    """A fn refused only for types stays the author's to fix (PM318): the native tier could take it."""
    src = "fn f(x: Int) -> Int:\n    return 1.5\n"
    with pytest.raises(CompileError) as info:
        compile_module(parse(src, "m.pys"), "m", tier_rule=True)
    assert "PM318" in {d.code for d in info.value.diagnostics}


PY = '''
def safe_int(text: str, default: int = 0) -> int:
    try:
        return int(text)
    except ValueError:
        return default


def tally(words: list[str]) -> int:
    counts = {}
    for w in words:
        counts[w] = counts.get(w, 0) + 1
    return len(counts)


def alias(xs: list[int]) -> int:
    ys = xs
    ys.append(1)
    return len(xs)


def total(n: int) -> int:
    s = 0
    for i in range(n):
        s += i
    return s


def driver(n: int) -> int:
    return total(n) + safe_int(str(n))
'''


def test_probe_migrator_and_build_use_one_rule() -> None:
    """The probe's verdict carries each def's tier; the migrator writes that upgrade (an object fn without
    conventions); the build compiles every one in that tier, with CPython's results and effects."""
    tree = ast.parse(PY)
    targets = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
    verdicts = module_diagnostics(tree, targets, tier_rule=True)
    codes = {n.name: [d.code for d in verdicts.diagnostics[id(n)]] for n in targets}
    # alias: written as a fn with native annotations it compiles natively, copying ys: not moved (PM320)
    assert codes == {"safe_int": [], "tally": [], "alias": ["PM320"], "total": [], "driver": []}
    tiers = {n.name: "object" if id(n) in verdicts.object_tier else "native" for n in targets if n.name != "alias"}
    assert tiers == {"safe_int": "object", "tally": "object", "total": "native", "driver": "object"}
    assert module_diagnostics(tree, targets).object_tier == frozenset()  # without the rule: as before
    plan = Plan(frozenset(tiers), frozenset(), frozenset(n for n, t in tiers.items() if t == "object"))
    upgraded, marks = upgrade_module(cst.parse_module(PY), plan)
    text = render_superset(upgraded, marks)
    assert "fn safe_int(" in text and "def alias(" in text
    mir = check_module(parse(text, "m.pys"), tier_rule=True)
    assert {n: f.tier for n, f in mir.functions.items()} == tiers
    built, python = compiled(text, "m.pys"), plain(PY)
    for name, args in [("safe_int", ("12",)), ("safe_int", ("x", 3)), ("safe_int", (None,)),
                       ("tally", (["a", "b", "a"],)), ("tally", ("abca",)), ("alias", ([1, 2],)), ("total", (10,)),
                       ("total", (True,)), ("total", (2.5,)), ("driver", (7,)), ("driver", ("7",))]:
        mine, theirs = copy.deepcopy(args), copy.deepcopy(args)
        assert same(outcome(getattr(built, name), *mine), outcome(getattr(python, name), *theirs)), (name, args)
        assert mine == theirs
