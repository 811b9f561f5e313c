"""Every rule has a fixture in fixtures/analyze/rules/<CODE>.py whose `# expect:` markers say exactly
where that code (and any other code the markers name) must be reported; nowhere else."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pymigrate.analyze import analyze_paths, analyze_source
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


@pytest.mark.parametrize("code", sorted(RULES))
def test_rule_fixture(code: str) -> None:
    path = FIXTURES / f"{code}.py"
    assert path.is_file(), f"rule {code} has no fixture {path}"
    text = path.read_text(encoding="utf-8")
    want = expected(text)
    assert any(c == code for _, c in want), f"{path} has no `# expect: {code}` marker"
    codes = {c for _, c in want}
    if code == "PM321":  # needs the optional mypy pass
        module = analyze_paths([path], Config(), jobs=1, mypy=True).files[0]
    else:
        module = analyze_source(text, path)
    assert module.error is None
    got = {(f.line, f.code) for f in module.findings if f.code in codes}
    assert got == want


def test_every_fixture_names_a_rule() -> None:
    for path in FIXTURES.glob("*.py"):
        assert path.stem in RULES, f"{path} is not named after a rule code"
