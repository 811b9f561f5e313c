"""Each rule's page docs/rules/<CODE>.md: its Before example triggers the code, its After does not."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pymigrate.analyze import analyze_paths, analyze_source
from pymigrate.analyze.rules import RULES
from pymigrate.config import Config
from pymigrate.superset import parse

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "rules"
BLOCK = re.compile(r"## (Before|After)\n\n```python\n(.*?)```", re.S)


def examples(code: str) -> dict[str, str]:
    text = (DOCS / f"{code}.md").read_text(encoding="utf-8")
    assert text.startswith(f"# {code} {RULES[code].name}\n")
    assert RULES[code].message in text
    return {kind: body for kind, body in BLOCK.findall(text)}


@pytest.mark.parametrize("code", sorted(RULES))
def test_rule_page_examples(code: str, tmp_path: Path) -> None:
    found = examples(code)
    assert set(found) == {"Before", "After"}
    use_probe = code == "PM320"
    if code == "PM321":  # the optional mypy pass reads files
        for kind in ("Before", "After"):
            (tmp_path / f"{kind}.py").write_text(found[kind], encoding="utf-8")
        before_report = analyze_paths([tmp_path / "Before.py"], Config(), jobs=1, mypy=True).files[0]
        after_report = analyze_paths([tmp_path / "After.py"], Config(), jobs=1, mypy=True).files[0]
        assert code in {f.code for f in before_report.findings}
        assert code not in {f.code for f in after_report.findings}
        return
    before = analyze_source(found["Before"], Path(f"{code}_before.py"), use_probe=use_probe)
    assert before.error is None
    assert code in {f.code for f in before.findings}
    if code.startswith("PM1"):
        # the fix is superset syntax: Python's parser rejects the backticks, the superset's accepts them,
        # and the superset rejects the original spelling
        with pytest.raises(SyntaxError):
            parse(found["Before"], f"{code}_before.pys")
        parse(found["After"], f"{code}_after.pys")
        return
    after = analyze_source(found["After"], Path(f"{code}_after.py"), use_probe=use_probe)
    assert after.error is None
    assert code not in {f.code for f in after.findings}


def test_no_page_without_a_rule() -> None:
    assert {p.stem for p in DOCS.glob("*.md")} == set(RULES)


def test_analyze_page_lists_every_code() -> None:
    text = (ROOT / "docs" / "analyze.md").read_text(encoding="utf-8")
    for code in RULES:
        assert f"[{code}](rules/{code}.md)" in text, code
