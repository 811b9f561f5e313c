"""Every rule has a fixture in fixtures/analyze/rules/<CODE>.py whose `# expect:` markers say exactly
where that code (and any other code the markers name) must be reported; nowhere else. Every finding
on a fixture (code, line, column, severity, message) is also a snapshot in <CODE>.findings, as ruff
keeps its rule snapshots: a changed message or position shows in review (`make snapshots`)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from inline_snapshot import external_file

from pymigrate.analyze import analyze_paths, analyze_source
from pymigrate.analyze.model import ModuleAnalysis
from pymigrate.analyze.rules import RULES
from pymigrate.config import Config

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures" / "analyze" / "rules"
MARKER = re.compile(r"#\s*expect:\s*([A-Z0-9, ]+)")


def expected(text: str) -> set[tuple[int, str]]:
    out: set[tuple[int, str]] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        match = MARKER.search(line)
        if match:
            out.update((number, code.strip()) for code in match.group(1).split(",") if code.strip())
    return out


def _analyze(code: str, path: Path, text: str) -> ModuleAnalysis:
    if code == "PM321":  # needs the optional mypy pass
        return analyze_paths([path], Config(), jobs=1, mypy=True).files[0]
    return analyze_source(text, path)


def findings_text(module: ModuleAnalysis) -> str:
    """One line per finding, in report order: what a user reads, without the path."""
    rows = sorted(module.findings, key=lambda f: (f.line, f.column, f.code, f.message))
    return "".join(f"{f.line}:{f.column} {f.code} {f.severity}: {f.message}\n" for f in rows)


@pytest.mark.parametrize("code", sorted(RULES))
def test_rule_findings_snapshot(code: str) -> None:
    path = FIXTURES / f"{code}.py"
    module = _analyze(code, path, path.read_text(encoding="utf-8"))
    assert findings_text(module) == external_file(path.with_suffix(".findings"), format=".txt")


@pytest.mark.parametrize("code", sorted(RULES))
def test_rule_fixture(code: str) -> None:
    path = FIXTURES / f"{code}.py"
    assert path.is_file(), f"rule {code} has no fixture {path}"
    text = path.read_text(encoding="utf-8")
    want = expected(text)
    assert any(c == code for _, c in want), f"{path} has no `# expect: {code}` marker"
    codes = {c for _, c in want}
    module = _analyze(code, path, text)
    assert module.error is None
    got = {(f.line, f.code) for f in module.findings if f.code in codes}
    assert got == want


def test_every_fixture_names_a_rule() -> None:
    for path in FIXTURES.glob("*.py"):
        assert path.stem in RULES, f"{path} is not named after a rule code"
