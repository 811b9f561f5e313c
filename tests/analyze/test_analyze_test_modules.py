"""Test modules (test_*.py, *_test.py, conftest.py, files under tests/) are never upgraded by the migrator,
so they do not count in the score or the summary; only their PM1xx findings are reported."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from pymigrate.analyze import analyze_paths, analyze_source, engine
from pymigrate.analyze.engine import package_root
from pymigrate.analyze.model import AnalysisReport, summary_counts
from pymigrate.analyze.reports import html, markdown, terminal
from pymigrate.config import Config
from pymigrate.migrate import pipeline

SCHEMA = Path(__file__).resolve().parents[2] / "pymigrate" / "analyze" / "schema.json"

PACKAGE = {
    "__init__.py": "",
    "shapes.py": (
        "def area(w: float, h: float) -> float:\n    return w * h\n\n\n"  # ready
        "def half(x: float):\n    return x / 2.0\n\n\n"  # inferable (PM203)
        "def show(x: float) -> float:\n    print(x)\n    return x\n"  # blocked (PM317)
    ),
    "util.py": "def twice(n: int) -> int:\n    return 2 * n\n",  # ready
    # test modules: by name, by pytest's conftest, and by directory
    "test_shapes.py": (
        "from pkg.shapes import area\n\n\ndef test_area():\n    assert area(2.0, 3.0) == 6.0\n\n\n"
        "def check(x):\n    fn = x\n    return fn\n"  # PM101 and PM106 still reported
    ),
    "conftest.py": "def pytest_configure(config):\n    config.addinivalue_line('markers', 'slow: slow')\n",
    "shapes_test.py": "def test_half():\n    print('half')\n",
    "tests/helpers.py": "def make(n: int) -> int:\n    return n + 1\n",
}
TEST_MODULES = {"test_shapes.py", "conftest.py", "shapes_test.py", "tests/helpers.py"}


def write_package(tmp_path: Path) -> Path:
    root = tmp_path / "pkg"
    for name, text in PACKAGE.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def report(tmp_path: Path) -> AnalysisReport:
    return analyze_paths([write_package(tmp_path)], Config(), jobs=1)


def relative(report: AnalysisReport, path: str) -> str:
    return Path(path).relative_to(Path(report.files[0].path).parent).as_posix()


def test_score_and_summary_leave_test_modules_out(report: AnalysisReport) -> None:
    assert {relative(report, m.path) for m in report.files if m.test} == TEST_MODULES
    # area 1 + half 1/2 + show 0 + twice 1, over 4 units
    assert report.score == 62.5
    assert summary_counts(report) == {
        "files": 3, "test_files": 4, "errors": 0, "functions": 4, "functions_ready": 2, "functions_inferable": 1,
        "functions_blocked": 1, "classes": 0, "classes_ready": 0, "classes_blocked": 0, "findings": 4,
    }
    assert [(f.qualname, f.status) for f in report.functions] == [
        ("area", "ready"), ("half", "inferable"), ("show", "blocked"), ("twice", "ready")]


def test_test_modules_keep_only_keyword_findings(report: AnalysisReport) -> None:
    found = sorted((relative(report, f.path), f.line, f.code) for f in report.findings)
    assert found == [("shapes.py", 5, "PM203"), ("shapes.py", 10, "PM317"),
                     ("test_shapes.py", 9, "PM101"), ("test_shapes.py", 10, "PM106")]
    for module in report.files:
        if module.test:
            assert (module.functions, module.classes, module.score) == ([], [], 100.0)


def test_json_lists_scored_files_only(report: AnalysisReport) -> None:
    data = report.to_json()
    jsonschema.validate(data, json.loads(SCHEMA.read_text(encoding="utf-8")))
    assert [(relative(report, f["path"]), f["score"]) for f in data["files"]] == [
        ("__init__.py", 100.0), ("shapes.py", 50.0), ("util.py", 100.0)]
    assert data["score"] == 62.5
    assert data["summary"]["test_files"] == 4


def test_renderers_say_test_modules_are_not_scored(report: AnalysisReport) -> None:
    text = markdown.render(report)
    assert "**Score: 62.5 / 100** over 3 files; 4 test modules are not scored" in text
    assert "test_shapes.py` |" not in text  # no row in the per-file table
    tests = next(m.path for m in report.files if m.path.endswith("test_shapes.py"))
    assert f"<code>{tests}</code>: 2 findings" in text  # its findings are still listed
    shown = terminal.render(report, width=200)
    assert "3 files analyzed (and 4 test modules, not scored), 0 could not be, 4 findings" in shown
    assert "test_shapes.py  test module, not scored" in shown
    assert "test, not scored</span>" in html.render(report)


def test_worker_processes_know_the_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "SERIAL_BELOW", 0)
    parallel = analyze_paths([write_package(tmp_path)], Config(), jobs=2)
    assert (parallel.score, summary_counts(parallel)["test_files"]) == (62.5, 4)


def test_root_is_the_migrators(tmp_path: Path) -> None:
    """The analyzer leaves out exactly what `pymigrate migrate` never upgrades: the same root is used."""
    (tmp_path / "a" / "tests").mkdir(parents=True)
    (tmp_path / "b").mkdir()
    for paths in ([tmp_path / "a"], [tmp_path / "a" / "tests"], [tmp_path / "a", tmp_path / "b"],
                  [tmp_path / "a" / "x.py"], [tmp_path / "a" / "tests" / "x.py", tmp_path / "b"]):
        assert package_root(paths) == pipeline.package_root(paths)


def test_a_module_given_alone_under_tests_is_judged_by_its_name(tmp_path: Path) -> None:
    (tmp_path / "tests").mkdir()
    helper = tmp_path / "tests" / "helpers.py"
    helper.write_text(PACKAGE["tests/helpers.py"], encoding="utf-8")
    alone = analyze_paths([helper], Config(), jobs=1)  # root is tests/ itself, as for the migrator
    assert (alone.score, [f.status for f in alone.functions], alone.files[0].test) == (100.0, ["ready"], False)
    named = tmp_path / "tests" / "test_helpers.py"
    named.write_text(PACKAGE["tests/helpers.py"], encoding="utf-8")
    assert analyze_paths([named], Config(), jobs=1).files[0].test


def test_analyze_source_takes_test_explicitly() -> None:
    text = PACKAGE["test_shapes.py"]
    plain = analyze_source(text, Path("test_shapes.py"))
    assert [f.qualname for f in plain.functions] == ["test_area", "check"]  # a path alone is not enough
    as_test = analyze_source(text, Path("test_shapes.py"), test=True)
    assert (as_test.functions, [f.code for f in as_test.findings]) == ([], ["PM101", "PM106"])
