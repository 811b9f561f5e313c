"""The probe shares one copy of a module between the probes of its functions (linear instead of
quadratic analysis of a big module): each answer must be exactly the one a probe with a fresh
copy of its own gives, for every function and class of real modules."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from pymigrate.codegen import probe
from pymigrate.codegen.diagnostics import Diagnostic

ROOT = Path(__file__).resolve().parents[2]
MODULES = sorted(
    [*ROOT.glob("fixtures/packages/*/*.py"), *ROOT.glob("fixtures/analyze/**/*.py"), *ROOT.glob("benchmarks/kernels/*.py")]
)


def _fresh(node: ast.FunctionDef | ast.ClassDef, module: ast.Module) -> list[Diagnostic]:
    return probe._Probe(module).run(node)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_shared_probe_answers_like_a_fresh_one(path: Path) -> None:
    try:
        module = ast.parse(path.read_text(encoding="utf-8"))
    except SyntaxError:
        pytest.skip("not Python")
    for node in module.body:
        if isinstance(node, ast.FunctionDef):
            assert probe.fn_diagnostics(node, module) == _fresh(node, module), node.name
        elif isinstance(node, ast.ClassDef):
            assert probe.struct_diagnostics(node, module) == _fresh(node, module), node.name
    # twice in a row: the shared copy is left as the first probes found it
    functions = [n for n in module.body if isinstance(n, ast.FunctionDef)]
    assert [probe.fn_diagnostics(f, module) for f in functions] == [_fresh(f, module) for f in functions]
