"""Every compiled function against the original, on generated inputs well beyond the traced types.

The calls are those of the differential harness of tests/e2e (e2e_harness.run_calls /
differences): each way (the original under CPython, the built extension under a bare interpreter,
the `.pys` through the import hook) runs in its own subprocess that reports one outcome per call,
so a crash is pinned to its call and reported, not fatal. An outcome is the return value with its
exact type (floats bit for bit), or the exception type and message, and the arguments afterwards.
"""

from __future__ import annotations

import ast
import importlib.util
import shutil
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from benchmarks.realpkgs.pipeline import REPO, Layout, Result

sys.path.insert(0, str(REPO / "tests" / "e2e"))
from e2e_harness import Package, differences  # noqa: E402

# Subclasses of the builtin types, defined before each call (the generated code names them).
# Two callables with a fixed repr (a lambda's repr holds its address, which differs from process to
# process): K returns its first argument, P all of them.
PRELUDE = ("class I(int): pass\nclass F(float): pass\nclass S(str): pass\nclass B(bytes): pass\n"
           "class L(list): pass\n"
           "class K:\n    def __call__(self, *a, **k): return a[0] if a else None\n"
           "    def __repr__(self): return 'K'\n"
           "class P:\n    def __call__(self, *a, **k): return (a, tuple(sorted(k.items())))\n"
           "    def __repr__(self): return 'P'\n")
# A generated call runs in microseconds; one that runs on is a hang (ecdsa's der.encode_number loops for ever
# on a negative int, in CPython too): it is killed after this many seconds and the run resumes after it.
CALL_TIMEOUT = 10.0
EDGE_INTS = [0, 1, -1, 2**31, 2**53 + 1, 2**63 - 1, 2**63, -2**63, -2**63 - 1, 2**64, 10**30, -10**30]


def _float(x: float) -> str:
    return f"float.fromhex({x.hex()!r})"


SCALAR: st.SearchStrategy[str] = st.one_of(
    st.integers(-1000, 1000).map(repr),
    st.sampled_from(EDGE_INTS).map(repr),
    st.integers().map(repr),
    st.booleans().map(repr),
    st.floats(allow_nan=True, allow_infinity=True).map(_float),
    st.sampled_from([float("nan"), float("inf"), -float("inf"), -0.0, 0.5]).map(_float),
    st.text(max_size=8).map(repr),
    st.binary(max_size=8).map(repr),
    st.just("None"),
    st.integers(-100, 100).map(lambda v: f"I({v})"),
    st.floats(allow_nan=False, width=32).map(lambda v: f"F({_float(v)})"),
    st.text(max_size=4).map(lambda v: f"S({v!r})"),
    st.binary(max_size=4).map(lambda v: f"B({v!r})"),
)
KEY: st.SearchStrategy[str] = st.one_of(st.integers(-50, 50).map(repr), st.text(max_size=3).map(repr))
# Builtins (stable reprs) and the prelude's K() and P(): real packages take functions as arguments (toolz).
CALLABLE: st.SearchStrategy[str] = st.sampled_from(["len", "str", "repr", "bool", "abs", "tuple", "sorted", "int",
                                                    "K()", "P()"])
VALUE: st.SearchStrategy[str] = st.one_of(
    SCALAR,
    CALLABLE,
    st.dictionaries(KEY, SCALAR, max_size=3).map(lambda d: "{" + ", ".join(f"{k}: {v}" for k, v in d.items()) + "}"),
    st.lists(SCALAR, max_size=4).map(lambda xs: "[" + ", ".join(xs) + "]"),
    st.lists(st.integers(-50, 50).map(repr), max_size=5).map(lambda xs: "[" + ", ".join(xs) + "]"),
    st.lists(SCALAR, max_size=3).map(lambda xs: "L([" + ", ".join(xs) + "])"),
    st.lists(SCALAR, max_size=3).map(lambda xs: "(" + "".join(x + ", " for x in xs) + ")"),
)


@dataclass
class Target:
    """A compiled callable: a module-level fn, a struct (called as its class), or a fn method of an
    ordinary class, called through the class as a plain function (`Class.method(self, ...)`, self among
    the generated values: a def accepts any self, so must the compiled method), a staticmethod alike,
    a classmethod bound to its class, a property's getter as `Class.__dict__[name].fget`."""

    module: str
    name: str
    required: int
    optional: int
    callee: str = ""   # the expression called, after `m.`; the name when empty

    @property
    def expr(self) -> str:
        return self.callee or self.name


def targets(layout: Layout, result: Result) -> list[Target]:
    """Module-level fns, structs and fn methods of the built modules, with their positional arity."""
    sys.path.insert(0, str(REPO))
    from pymigrate.superset import parse

    found: list[Target] = []
    pkg = layout.package("mig")
    for module, names in result.fns.items():
        path = pkg.joinpath(*module.split(".")[1:]).with_suffix(".pys")
        if str(path.relative_to(layout.root("mig"))) in result.build_failures:
            continue
        parsed = parse(path.read_text(encoding="utf-8"), str(path))
        for node in parsed.tree.body:
            if isinstance(node, ast.ClassDef) and node.name in names:
                inits = [n for n in node.body if isinstance(n, ast.FunctionDef) and n.name == "__init__"]
                if inits:
                    found.append(_target(module, node.name, inits[0].args, skip=1))
            elif isinstance(node, ast.ClassDef) and not parsed.is_struct(node):
                found.extend(_method_targets(module, node, names))
            elif isinstance(node, ast.FunctionDef) and node.name in names:
                found.append(_target(module, node.name, node.args, skip=0))
    return found


def _method_targets(module: str, cls: ast.ClassDef, names: list[str]) -> list[Target]:
    found: list[Target] = []
    seen: set[str] = set()
    for meth in cls.body:
        qual = f"{cls.name}.{getattr(meth, 'name', '')}"
        if not isinstance(meth, ast.FunctionDef) or qual not in names or qual in seen:
            continue
        seen.add(qual)  # a property's setter shares its getter's name: the getter is called
        decorators = {ast.unparse(d) for d in meth.decorator_list}
        if "classmethod" in decorators:
            found.append(_target(module, qual, meth.args, skip=1))
        elif "property" in decorators:
            found.append(Target(module, qual, 1, 0, f"{cls.name}.__dict__[{meth.name!r}].fget"))
        elif "staticmethod" in decorators or not decorators:
            found.append(_target(module, qual, meth.args, skip=0))
    return found


def _target(module: str, name: str, args: ast.arguments, skip: int) -> Target:
    positional = [*args.posonlyargs, *args.args][skip:]
    return Target(module, name, len(positional) - len(args.defaults), len(args.defaults))


def inputs(target: Target, count: int) -> list[list[str]]:
    """`count` argument lists (as source expressions) for the target, the same on every run."""
    drawn: list[list[str]] = []
    arity = st.integers(target.required, target.required + target.optional)
    strategy = arity.flatmap(lambda n: st.lists(VALUE, min_size=n, max_size=n))

    @seed(zlib.crc32(f"{target.module}.{target.name}".encode()))
    @settings(max_examples=count, database=None, deadline=None, suppress_health_check=list(HealthCheck))
    @given(strategy)
    def collect(args: list[str]) -> None:
        drawn.append(args)

    collect()
    return drawn[:count]


def item(target: Target, args: list[str]) -> dict[str, Any]:
    code = f"{PRELUDE}args[:] = [{', '.join(args)}]\nresult = m.{target.expr}(*args)"
    return {"module": target.module, "code": code, "args": [], "call": target.name}


def run(layout: Layout, result: Result, count: int, modes: tuple[str, ...], timeout: float) -> dict[str, Any]:
    """Differences (with repros) between the original and each compiled way, per target."""
    found = targets(layout, result)
    pkg = Package(layout.work, layout.spec.import_name, {},
                  pys={m.rpartition(".")[2]: "" for m in result.pys_modules},
                  dirs={"cpython": layout.import_root("orig"), "jit": layout.import_root("mig"),
                        "so": layout.import_root("built")})
    items = [item(t, args) for t in found for args in inputs(t, count)]
    report: dict[str, Any] = {"targets": [f"{t.module}.{t.name}" for t in found], "calls": len(items),
                              "modes": list(modes), "differences": []}
    if not items:
        return report
    for dep in layout.spec.runtime_deps:
        spec = importlib.util.find_spec(dep)
        if spec is not None and spec.origin:
            shutil.copy(spec.origin, layout.import_root("built") / Path(spec.origin).name)
    try:
        diffs = differences(pkg, items, modes=("cpython", *modes), timeout=timeout, call_timeout=CALL_TIMEOUT)
    except AssertionError as exc:  # a module imported from the wrong file: a finding in itself
        report["error"] = str(exc)
        return report
    for d in diffs:
        report["differences"].append({"mode": d.mode, "call": d.item["code"].removeprefix(PRELUDE),
                                      "module": d.item["module"], "expected": repr(d.expected)[:600],
                                      "got": repr(d.got)[:600]})
    return report
