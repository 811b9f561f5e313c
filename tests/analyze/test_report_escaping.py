"""Every report format shows user-controlled text (file names, messages) as text, never as
markup: checked by rendering the Markdown with a CommonMark+tables renderer (markdown-it) and
parsing the HTML, JSON and SARIF, over files whose names are attacks (issue 15)."""

from __future__ import annotations

import json
import os
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from pymigrate.analyze import analyze_paths
from pymigrate.analyze.reports import html, markdown, sarif, terminal
from pymigrate.analyze.reports import json as json_report
from pymigrate.analyze.reports.escape import md_code, md_message, md_text, shown
from pymigrate.config import Config

NAMES = [
    "tick`name.py",
    "two``ticks.py",
    "`edge.py",
    "<img src=x onerror=alert(1)>.py",
    "pipe|name.py",
    "star*_[link](http:x).py",
    "amp&lt;.py",
    "[bold]rich[red].py",
    os.fsdecode(b"\xffbyte.py"),
]


class _Collect(HTMLParser):
    """Tags seen, and the text of each <code> element."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.codes: list[str] = []
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "code":
            self._depth += 1
            self.codes.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "code":
            self._depth -= 1

    def handle_data(self, data: str) -> None:
        if self._depth:
            self.codes[-1] += data


def _parsed(page: str) -> _Collect:
    collector = _Collect()
    collector.feed(page)
    return collector


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> object:
    root = tmp_path_factory.mktemp("evil")
    for name in NAMES:
        (root / name).write_text("def f(x):\n    return x\n")
    (root / "<b>broken`.py").write_text("def f(:\n")
    return analyze_paths([root], Config(), jobs=1)


def test_markdown_shows_names_and_messages_as_text(report: object) -> None:
    text = markdown.render(report)  # type: ignore[arg-type]
    text.encode("utf-8")  # no lone surrogate left
    page = MarkdownIt("commonmark", {"html": True}).enable("table").render(text)
    seen = _parsed(page)
    assert "img" not in seen.tags and "b" not in seen.tags and "a" not in seen.tags and "em" not in seen.tags
    for name in NAMES:
        path = str(Path(report.files[0].path).parent / name)  # type: ignore[attr-defined]
        assert seen.codes.count(shown(path)) >= 2, (name, seen.codes)  # the files table and the details
    assert any("<b>broken`.py" in code for code in seen.codes)


def test_html_shows_names_and_messages_as_text(report: object) -> None:
    page = html.render(report)  # type: ignore[arg-type]
    page.encode("utf-8")
    seen = _parsed(page)
    assert "img" not in seen.tags and "b" not in seen.tags
    for name in NAMES:
        assert any(code.endswith(shown(name)) for code in seen.codes) or shown(name) in page.replace("&lt;", "<").replace(
            "&gt;", ">"
        ).replace("&amp;", "&").replace("&quot;", '"').replace("&#x27;", "'")


@pytest.mark.parametrize("color", [False, True], ids=["plain", "color"])
def test_terminal_view_shows_each_name_on_one_line_as_text(report: object, color: bool) -> None:
    """The default view prints names as the errors print them (files.shown: \\xNN for a byte that is
    not UTF-8, no raw byte reaching the terminal) and never reads them as rich markup."""
    text = terminal.render(report, color=color, width=400)  # type: ignore[arg-type]
    text.encode("utf-8")  # no lone surrogate: a raw \xff byte would reach the terminal
    lines = text.splitlines()
    for name in NAMES:
        path = str(Path(report.files[0].path).parent / name)  # type: ignore[attr-defined]
        assert [line for line in lines if shown(path) + "  score" in line], (name, text)
    broken = str(Path(report.files[0].path).parent / "<b>broken`.py")  # type: ignore[attr-defined]
    assert any(line.strip().startswith(broken + ":1:") for line in lines), text


@pytest.mark.parametrize("module", [json_report, sarif], ids=["json", "sarif"])
def test_json_formats_are_valid_utf8_and_keep_the_real_names(module: object, report: object) -> None:
    text = module.render(report)  # type: ignore[attr-defined]
    document = json.loads(text.encode("utf-8"))
    if module is json_report:
        assert {Path(f["path"]).name for f in document["files"]} == set(NAMES)  # the very str, surrogates and all
    else:
        uris = [loc["physicalLocation"]["artifactLocation"]["uri"] for r in document["runs"][0]["results"]
                for loc in r["locations"]]
        assert any(uri.endswith("/%FFbyte.py") for uri in uris)
        assert any(uri.endswith("/%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E.py") for uri in uris)


@pytest.mark.parametrize("text", ["a`b", "``", "`", "x ` y", " `a` ", "|", "a|`b`|c", "\n`\r"])
def test_code_span_round_trips_through_commonmark(text: str) -> None:
    shown_text = text.replace("\r", " ").replace("\n", " ")
    page = MarkdownIt("commonmark").render(md_code(text, in_table=False))
    assert _parsed(page).codes == [shown_text]


def test_plain_text_and_messages_never_become_markup() -> None:
    attack = "<img src=x onerror=alert(1)> *em* [a](b) `code"
    page = MarkdownIt("commonmark", {"html": True}).render(md_text(attack))
    assert _parsed(page).tags == ["p"]
    page = MarkdownIt("commonmark", {"html": True}).render(md_message("`<img>` and <script>x</script> `ok`"))
    seen = _parsed(page)
    assert seen.tags == ["p", "code", "code"] and seen.codes == ["<img>", "ok"]
