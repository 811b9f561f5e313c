"""Readiness verdicts on hand-checked fixtures: `# status: ready|inferable|blocked[: CODE]` markers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pymigrate.analyze import analyze_source
from pymigrate.analyze.model import ModuleAnalysis

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures" / "analyze" / "readiness"
MARKER = re.compile(r"#\s*status:\s*(ready|inferable|blocked)(?::\s*([A-Z0-9, ]+))?")


def markers(text: str) -> dict[int, tuple[str, set[str]]]:
    out: dict[int, tuple[str, set[str]]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        match = MARKER.search(line)
        if match:
            codes = {c.strip() for c in (match.group(2) or "").split(",") if c.strip()}
            out[number] = (match.group(1), codes)
    return out


def verdicts(module: ModuleAnalysis) -> dict[int, tuple[str, set[str]]]:
    return {u.line: (u.status, {b.code for b in u.blockers}) for u in module.units}


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("*.py")))
def test_readiness_markers(name: str) -> None:
    path = FIXTURES / name
    text = path.read_text(encoding="utf-8")
    module = analyze_source(text, path, use_probe=False)  # the analyzer's own verdict; the compiler's is
    assert module.error is None  # checked in test_analyze_compiler.py
    got = verdicts(module)
    want = markers(text)
    assert set(got) == set(want), "every function and class carries a marker"
    for line, (status, codes) in want.items():
        assert got[line][0] == status, f"{name}:{line}: {got[line]}"
        assert codes <= got[line][1], f"{name}:{line}: expected blockers {codes}, got {got[line][1]}"
        if status == "ready":
            assert not got[line][1]


def test_inferable_has_only_annotation_blockers() -> None:
    for path in FIXTURES.glob("*.py"):
        module = analyze_source(path.read_text(encoding="utf-8"), path, use_probe=False)
        for f in module.functions:
            if f.status == "inferable":
                assert all(b.code.startswith("PM2") for b in f.blockers), f.qualname


def test_blocked_propagates_to_a_fixed_point() -> None:
    source = (
        "def a(t: str) -> int:\n    return eval(t)\n"
        "def b(t: str) -> int:\n    return a(t)\n"
        "def c(t: str) -> int:\n    return b(t)\n"
        "def d(t: str) -> int:\n    return c(t)\n"
    )
    module = analyze_source(source, Path("chain.py"))
    assert [f.status for f in module.functions] == ["blocked"] * 4
    assert [sorted({b.code for b in f.blockers}) for f in module.functions] == [
        ["PM301"], ["PM310"], ["PM310"], ["PM310"]]


def test_mutual_recursion_of_ready_functions_stays_ready() -> None:
    source = (
        "def even(n: int) -> bool:\n    if n == 0:\n        return True\n    return odd(n - 1)\n"
        "def odd(n: int) -> bool:\n    if n == 0:\n        return False\n    return even(n - 1)\n"
    )
    module = analyze_source(source, Path("rec.py"))
    assert [f.status for f in module.functions] == ["ready", "ready"]
