"""How many functions of the real packages the checker accepts as object-tier fns.

Every module-level function of each package (tests left out) is marked `fn` with each parameter and
its result annotated `object`, alone in its module, and handed to the checker; the accepted ones of a
module are then compiled together to LLVM and verified (the builder and the passes run on real code).
The reasons of the refused ones are counted by hint code. Methods are counted apart: the object tier
compiles module-level fns only so far.

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


@dataclass
class Tally:
    functions: int = 0
    accepted: int = 0
    methods: int = 0
    built: int = 0
    reasons: Counter[str] = field(default_factory=Counter)


def _as_object_fn(tree: ast.Module, index: int) -> tuple[ast.Module, ast.FunctionDef]:
    """A copy of the module whose index-th statement, a def, has every annotation `object`."""
    tree = copy.deepcopy(tree)
    return tree, _annotate(tree.body[index])


def _reason(message: str) -> str:
    """The kind of a refusal, without the names of the function at hand."""
    return re.sub(r"'[^']*'", "'…'", message.split(";")[0])


def measure_module(path: Path, tally: Tally) -> None:
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    except (SyntaxError, UnicodeDecodeError, ValueError):
        return
    tally.methods += sum(
        isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) for c in tree.body if isinstance(c, ast.ClassDef)
        for n in c.body
    )
    accepted: list[int] = []
    for i, stmt in enumerate(tree.body):
        if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        tally.functions += 1
        if isinstance(stmt, ast.AsyncFunctionDef):
            tally.reasons["async def"] += 1
            continue
        copy_tree, func = _as_object_fn(tree, i)
        try:
            Checker(SyntheticMarks(copy_tree, str(path), fns={id(func)})).run()
        except CompileError as exc:
            tally.reasons[f"{exc.diagnostics[0].code} {_reason(exc.diagnostics[0].message)}"] += 1
            continue
        tally.accepted += 1
        accepted.append(i)
    if accepted:
        tree_all = copy.deepcopy(tree)
        fns: set[int] = set()
        for i in accepted:
            fns.add(id(_annotate(tree_all.body[i])))
        try:
            compiled = compile_module(SyntheticMarks(tree_all, str(path), fns=fns), "pm_measure")
        except CompileError:  # two accepted fns of one name: the module binds it twice
            return
        from llvmlite import binding as llvm  # type: ignore[import-untyped]

        llvm.parse_assembly(compiled.llvm_ir).verify()
        tally.built += len(accepted)


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
                  f"{t.built} built and verified; {t.methods} methods not counted")
            for reason, n in t.reasons.most_common(6):
                print(f"    {n:4d}  {reason}")
            total.functions += t.functions
            total.accepted += t.accepted
            total.reasons.update(t.reasons)
    print(f"all: {total.accepted}/{total.functions}")
    for reason, n in total.reasons.most_common(10):
        print(f"    {n:4d}  {reason}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
