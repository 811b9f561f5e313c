"""docs/analyze-json.md names exactly the summary keys the report has, and what it says about test modules
holds for a package with one: they are counted in `test_files` and left out of files/functions/classes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema

from pymigrate.analyze import analyze_paths
from pymigrate.analyze.model import AnalysisReport, summary_counts
from pymigrate.config import Config

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "analyze-json.md").read_text(encoding="utf-8")
SCHEMA = json.loads((ROOT / "pymigrate" / "analyze" / "schema.json").read_text(encoding="utf-8"))


def test_documented_summary_keys_are_the_reports() -> None:
    row = next(line for line in DOC.splitlines() if line.startswith("| `summary` |"))
    documented = re.findall(r"`(\w+)`", row.split("|")[3])
    assert documented == list(summary_counts(AnalysisReport()))


def test_test_modules_are_left_out_as_documented(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    (pkg / "tests").mkdir(parents=True)
    (pkg / "core.py").write_text("def twice(n: int) -> int:\n    return 2 * n\n", encoding="utf-8")
    (pkg / "tests" / "helpers.py").write_text("class Box:\n    def get(self, fn):\n        return fn\n",
                                              encoding="utf-8")
    (pkg / "test_core.py").write_text("def test_twice():\n    var = 2\n    assert var == 2\n", encoding="utf-8")
    document = analyze_paths([pkg], Config(), jobs=1).to_json()
    jsonschema.validate(document, SCHEMA)
    assert [Path(f["path"]).name for f in document["files"]] == ["core.py"]
    assert [f["qualname"] for f in document["functions"]] == ["twice"]
    assert document["classes"] == []
    summary = document["summary"]
    assert (summary["files"], summary["test_files"], summary["functions"], summary["classes"]) == (1, 2, 1, 0)
    # only the test modules' keyword-name findings are reported, and counted
    found = sorted((Path(f["path"]).name, f["line"], f["code"]) for f in document["findings"])
    assert found == [("helpers.py", 2, "PM102"), ("helpers.py", 3, "PM106"),  # parameter `fn`, its use
                     ("test_core.py", 2, "PM101"), ("test_core.py", 3, "PM106")]  # `var = 2`, its use
    assert summary["findings"] == 4
