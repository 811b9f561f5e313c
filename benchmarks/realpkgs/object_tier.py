"""How many functions of the real packages the checker accepts as object-tier fns.

Every module-level function of each package (tests left out) is marked `fn` with each parameter and
its result annotated `object`, alone in its module, and handed to the checker; the accepted ones of a
module are then compiled together to LLVM and verified (the builder and the passes run on real code).
The reasons of the refused ones are counted by hint code. Every method of a module-level class is
counted the same way: marked `fn` as it is written (a method of an ordinary class is object-tier
whatever its annotations), alone in its module, checked, and the accepted ones compiled together.

    python -m benchmarks.realpkgs.object_tier [idna toolz chardet ecdsa]
"""

from __future__ import annotations

import argparse
import ast
import copy
import fnmatch
import re
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.realpkgs.fetch import fetch, unpack
from benchmarks.realpkgs.packages import SPECS, Spec
from pymigrate.codegen import CompileError, compile_module
from pymigrate.codegen.checker import Checker
from pymigrate.codegen.marks import SyntheticMarks
from pymigrate.codegen.probe import method_diagnostics


@dataclass
class Tally:
    functions: int = 0
    accepted: int = 0
    methods: int = 0
    built: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    methods_accepted: int = 0
    methods_built: int = 0
    method_reasons: Counter[str] = field(default_factory=Counter)


def _as_object_fn(tree: ast.Module, index: int) -> tuple[ast.Module, ast.FunctionDef]:
    """A copy of the module whose index-th statement, a def, has every annotation `object`."""
    tree = copy.deepcopy(tree)
    return tree, _annotate(tree.body[index])


def _reason(message: str) -> str:
    """The kind of a refusal, without the names of the function at hand."""
    return re.sub(r"'[^']*'", "'…'", message.split(";")[0])


def _accepts(marks: SyntheticMarks, reasons: Counter[str]) -> bool:
    """Does the checker accept the marked fns? A refusal is counted under its first reason."""
    try:
        Checker(marks).run()
    except CompileError as exc:
        reasons[f"{exc.diagnostics[0].code} {_reason(exc.diagnostics[0].message)}"] += 1
        return False
    return True


def _builds(marks: SyntheticMarks) -> bool:
    """Compile the marked fns together to LLVM and verify the module (False: refused together, as two
    accepted fns of one name, which the module binds twice)."""
    try:
        compiled = compile_module(marks, "pm_measure")
    except CompileError:
        return False
    from llvmlite import binding as llvm  # type: ignore[import-untyped]

    llvm.parse_assembly(compiled.llvm_ir).verify()
    return True


def measure_module(path: Path, tally: Tally) -> None:
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    except (SyntaxError, UnicodeDecodeError, ValueError):
        return
    measure_methods(path, tree, tally)
    accepted: list[int] = []
    for i, stmt in enumerate(tree.body):
        if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        tally.functions += 1
        if isinstance(stmt, ast.AsyncFunctionDef):
            tally.reasons["async def"] += 1
            continue
        copy_tree, func = _as_object_fn(tree, i)
        if _accepts(SyntheticMarks(copy_tree, str(path), fns={id(func)}), tally.reasons):
            tally.accepted += 1
            accepted.append(i)
    if accepted:
        tree_all = copy.deepcopy(tree)
        fns = {id(_annotate(tree_all.body[i])) for i in accepted}
        if _builds(SyntheticMarks(tree_all, str(path), fns=fns)):
            tally.built += len(accepted)


def measure_methods(path: Path, tree: ast.Module, tally: Tally) -> None:
    """Each method of each module-level class marked `fn` alone, then the accepted ones together."""
    accepted: set[int] = set()
    for cls in tree.body:
        if not isinstance(cls, ast.ClassDef):
            continue
        for meth in cls.body:
            if not isinstance(meth, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            tally.methods += 1
            if isinstance(meth, ast.AsyncFunctionDef):
                tally.method_reasons["async def"] += 1
            elif diags := method_diagnostics(meth, tree):  # the analyzer's question, the checker's answer
                tally.method_reasons[f"{diags[0].code} {_reason(diags[0].message)}"] += 1
            else:
                accepted.add(id(meth))
    tally.methods_accepted += len(accepted)
    if accepted and _builds(SyntheticMarks(tree, str(path), fns=accepted)):
        tally.methods_built += len(accepted)


def _annotate(func: ast.stmt) -> ast.FunctionDef:
    """Every parameter and the result annotated `object`."""
    assert isinstance(func, ast.FunctionDef)
    a = func.args
    for arg in [*a.posonlyargs, *a.args, *a.kwonlyargs, *(x for x in (a.vararg, a.kwarg) if x is not None)]:
        arg.annotation = ast.copy_location(ast.Name(id="object", ctx=ast.Load()), arg)
    func.returns = ast.copy_location(ast.Name(id="object", ctx=ast.Load()), func)
    return func


def measure(spec: Spec, work: Path) -> Tally:
    root = unpack(fetch(spec), work / spec.name)
    package = root / spec.import_root / spec.import_name if spec.import_root else root / spec.import_name
    tally = Tally()
    for path in sorted(package.rglob("*.py")):
        rel = str(path.relative_to(root))
        if any(x in rel for x in spec.exclude) or any(fnmatch.fnmatch(path.name, t) or rel.endswith(t)
                                                        for t in spec.tables):
            continue  # tests, and the data-only modules the harness leaves Python for every implementation
        measure_module(path, tally)
    return tally


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("packages", nargs="*", default=list(SPECS))
    args = parser.parse_args(argv)
    total = Tally()
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.packages:
            t = measure(SPECS[name], Path(tmp))
            share = 100.0 * t.accepted / t.functions if t.functions else 0.0
            print(f"{name}: {t.accepted}/{t.functions} module-level functions accepted as object fns ({share:.1f}%), "
                  f"{t.built} built and verified; {t.methods_accepted}/{t.methods} methods of classes accepted, "
                  f"{t.methods_built} built and verified")
            for reason, n in t.reasons.most_common(6):
                print(f"    {n:4d}  {reason}")
            for reason, n in t.method_reasons.most_common(6):
                print(f"    {n:4d}  (methods) {reason}")
            total.functions += t.functions
            total.accepted += t.accepted
            total.reasons.update(t.reasons)
            total.methods += t.methods
            total.methods_accepted += t.methods_accepted
            total.methods_built += t.methods_built
            total.method_reasons.update(t.method_reasons)
    print(f"all: {total.accepted}/{total.functions} module-level functions; {total.methods_accepted}/{total.methods} "
          f"methods ({total.methods_built} built)")
    for reason, n in total.reasons.most_common(10):
        print(f"    {n:4d}  {reason}")
    for reason, n in total.method_reasons.most_common(10):
        print(f"    {n:4d}  (methods) {reason}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
