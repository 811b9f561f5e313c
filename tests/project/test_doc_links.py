"""Every relative link in the README and docs/ names a file or directory that exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted([ROOT / "README.md", *(ROOT / "docs").rglob("*.md")])
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
FENCE = re.compile(r"^(```|~~~).*?^\1", re.S | re.M)


def relative_links(page: Path) -> list[str]:
    text = FENCE.sub("", page.read_text(encoding="utf-8"))  # code blocks show links, they do not make them
    text = re.sub(r"`[^`\n]*`", "", text)
    return [t for t in LINK.findall(text) if not re.match(r"[a-z][a-z0-9+.-]*:|#", t)]


def test_the_pages_have_links() -> None:
    assert sum(len(relative_links(p)) for p in PAGES) > 20


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_relative_links_resolve(page: Path) -> None:
    broken = [t for t in relative_links(page) if not (page.parent / t.split("#")[0]).exists()]
    assert broken == []


CITED = re.compile(r"\b(docs/[\w/.-]+\.md|[A-Z][A-Z_]+\.md)\b")


def test_documents_cited_in_the_code_exist() -> None:
    """A page of docs/ or a top-level upper-case document named in a docstring or comment must exist."""
    missing = [
        f"{path.relative_to(ROOT)}: {name}"
        for folder in ("pymigrate", "tests", "benchmarks")
        for path in sorted((ROOT / folder).rglob("*.py"))
        for name in CITED.findall(path.read_text(encoding="utf-8"))
        if not (ROOT / name).exists()
    ]
    assert missing == []
