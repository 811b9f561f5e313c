"""The `pymigrate migrate` contract: dry run, --check, --write, --no-upgrade, safety of writes."""

from __future__ import annotations

import argparse
import io
import os
from pathlib import Path
from typing import Any

import pytest
from migrate_support import PlannedTypes, planned_analyzer

from pymigrate.migrate import command
from pymigrate.migrate.pipeline import Stages

SOURCE = """\
# kept
def double(n: int) -> int:
    result = n * 2  # kept too
    return result


def untouched(x):
    return x
"""

UPGRADED = """\
# kept
fn double(n: int) raises -> int:
    var result = n * 2  # kept too
    return result


def untouched(x):
    return x
"""


class _Types:
    def for_file(self, path: Path) -> PlannedTypes:
        return PlannedTypes()


def _stages(ready: list[str], analyze: Any = None) -> Stages:
    return Stages(
        infer=lambda *a, **k: _Types(),
        annotate=lambda module, types: module,
        analyze=analyze or planned_analyzer({"functions": ready}),
    )


def _run(argv: list[str], stages: Stages) -> int:
    parser = argparse.ArgumentParser(prog="pymigrate migrate")
    command.configure(parser)
    return command.run(parser.parse_args(argv), stages)


@pytest.fixture
def pkg(tmp_path: Path) -> Path:
    root = tmp_path / "pkg"
    root.mkdir()
    (root / "__init__.py").write_text("")
    (root / "mod.py").write_text(SOURCE)
    return root


def test_dry_run_prints_diff_and_summary_and_writes_nothing(pkg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run([str(pkg)], _stages(["double"])) == 0
    out, err = capsys.readouterr()
    assert (pkg / "mod.py").read_text() == SOURCE and not (pkg / "mod.pys").exists()
    lines = out.splitlines()
    assert lines[:2] == [f"--- a/{pkg / 'mod.py'}", f"+++ b/{pkg / 'mod.pys'}"]
    assert "-def double(n: int) -> int:" in lines and "+fn double(n: int) raises -> int:" in lines
    assert "+    var result = n * 2  # kept too" in lines
    assert "would migrate 1 file: 0 annotated (.py), 1 upgraded to .pys (1 fn, 0 struct); 1 unchanged" in err
    assert "would upgrade" in err and "(fn: double)" in err


def test_check_exits_1_when_something_would_change_and_0_otherwise(
    pkg: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run([str(pkg), "--check"], _stages(["double"])) == 1
    assert capsys.readouterr().out == ""
    assert _run([str(pkg), "--check"], _stages([])) == 0
    assert (pkg / "mod.py").read_text() == SOURCE


def test_write_turns_upgraded_module_into_pys_and_second_run_changes_nothing(
    pkg: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (pkg / "mod.py").chmod(0o640)
    assert _run([str(pkg), "--write"], _stages(["double"])) == 0
    assert not (pkg / "mod.py").exists()
    assert (pkg / "mod.pys").read_text() == UPGRADED
    assert (pkg / "mod.pys").stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in pkg.iterdir()) == ["__init__.py", "mod.pys"]  # no temporary files left
    capsys.readouterr()
    assert _run([str(pkg), "--check"], _stages(["double"])) == 0
    assert _run([str(pkg), "--write"], _stages(["double"])) == 0
    assert (pkg / "mod.pys").read_text() == UPGRADED
    assert "1 .pys skipped" in capsys.readouterr().err


def test_annotation_only_module_stays_py(pkg: Path) -> None:
    def annotate(module: Any, types: Any) -> Any:
        import libcst as cst

        return cst.parse_module(module.code.replace("def untouched(x):", "def untouched(x: int) -> int:"))

    stages = Stages(
        infer=lambda *a, **k: type("T", (), {"for_file": lambda self, p: PlannedTypes(attributes={"x": "int"})})(),
        annotate=annotate,
        analyze=planned_analyzer({"functions": []}),
    )
    assert _run([str(pkg), "--write"], stages) == 0
    assert not (pkg / "mod.pys").exists()
    assert (pkg / "mod.py").read_text() == SOURCE.replace("def untouched(x):", "def untouched(x: int) -> int:")


def test_no_upgrade_never_produces_pys(pkg: Path) -> None:
    assert _run([str(pkg), "--write", "--no-upgrade"], _stages(["double"])) == 0
    assert (pkg / "mod.py").read_text() == SOURCE and not (pkg / "mod.pys").exists()


def test_refuses_to_overwrite_a_different_pys(pkg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (pkg / "mod.pys").write_text("# someone else's work\n")
    assert _run([str(pkg / "mod.py"), "--write"], _stages(["double"])) == 1
    assert (pkg / "mod.pys").read_text() == "# someone else's work\n"
    assert (pkg / "mod.py").read_text() == SOURCE
    assert "already exists with other content" in capsys.readouterr().err


def test_refuses_when_the_file_changes_during_the_run(pkg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plan = planned_analyzer({"functions": ["double"]})

    def analyze_and_edit(source: str, path: Path, config: Any = None) -> Any:
        path.write_text(SOURCE + "# edited meanwhile\n")
        return plan(source, path, config)

    assert _run([str(pkg / "mod.py"), "--write"], _stages([], analyze_and_edit)) == 1
    assert (pkg / "mod.py").read_text() == SOURCE + "# edited meanwhile\n"
    assert not (pkg / "mod.pys").exists()
    assert "changed on disk during the run" in capsys.readouterr().err


def test_a_file_that_fails_is_reported_and_the_run_goes_on(pkg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (pkg / "broken.py").write_text("def oops(:\n    pass\n")
    assert _run([str(pkg), "--write"], _stages(["double"])) == 1
    err = capsys.readouterr().err
    assert f"{pkg / 'broken.py'}:1:10: error: cannot parse as Python: invalid syntax; fix the syntax first" in err
    assert (pkg / "broken.py").read_text() == "def oops(:\n    pass\n"
    assert (pkg / "mod.pys").read_text() == UPGRADED


def test_write_error_leaves_the_original_untouched(
    pkg: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def fail(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    monkeypatch.setattr(os, "link", fail)  # a new .pys is created by a hard link from its temp file
    assert _run([str(pkg), "--write"], _stages(["double"])) == 1
    assert (pkg / "mod.py").read_text() == SOURCE
    assert sorted(p.name for p in pkg.iterdir()) == ["__init__.py", "mod.py"]
    assert "No space left on device" in capsys.readouterr().err


def test_failed_removal_of_py_takes_the_pys_back(pkg: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_unlink = os.unlink

    def unlink(path: Any, *args: Any, **kwargs: Any) -> None:
        if str(path).endswith("mod.py"):
            raise PermissionError(1, "Operation not permitted")
        real_unlink(path, *args, **kwargs)

    monkeypatch.setattr(os, "unlink", unlink)
    assert _run([str(pkg), "--write"], _stages(["double"])) == 1
    assert (pkg / "mod.py").read_text() == SOURCE
    assert not (pkg / "mod.pys").exists()


def test_help_teaches_with_examples() -> None:
    parser = argparse.ArgumentParser(prog="pymigrate migrate")
    command.configure(parser)
    text = parser.format_help()
    for expected in ("--write", "--check", "--no-upgrade", "--trace", "examples:", "NAME.pys", "exit status"):
        assert expected in text


def test_progress_bar_only_on_a_terminal(tmp_path: Path) -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    bar, advance = command._progress(10, io.StringIO())
    assert advance is None
    stream = Tty()
    bar, advance = command._progress(10, stream)
    assert advance is not None
    with bar:
        advance(tmp_path / "a.py")
    assert "migrating" in stream.getvalue()


def test_trace_select_and_ignore_reach_inference_and_analysis(pkg: Path) -> None:
    seen: dict[str, Any] = {}

    def infer(files: list[Path], **kwargs: Any) -> _Types:
        seen["files"] = sorted(p.name for p in files)
        seen.update(kwargs)
        return _Types()

    def analyze(source: str, path: Path, config: Any = None) -> Any:
        seen["select"], seen["ignore"] = config.select, config.ignore
        return planned_analyzer({})(source, path, config)

    stages = Stages(infer=infer, annotate=lambda m, t: m, analyze=analyze)
    argv = [str(pkg), "--trace", "pytest -q", "--select", "PM2,PM3", "--ignore", " PM201 "]
    assert _run(argv, stages) == 0
    assert seen["files"] == ["__init__.py", "mod.py"]
    assert seen["trace_command"] == "pytest -q" and seen["root"] == pkg.resolve()
    assert (seen["select"], seen["ignore"]) == (("PM2", "PM3"), ("PM201",))


def test_refuses_to_write_through_a_symlink(pkg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (pkg / "link.py").symlink_to(pkg / "mod.py")
    assert _run([str(pkg / "link.py"), "--write"], _stages(["double"])) == 1
    assert (pkg / "link.py").is_symlink() and (pkg / "mod.py").read_text() == SOURCE
    assert not (pkg / "link.pys").exists()
    assert "is a symbolic link" in capsys.readouterr().err


def test_upgrade_policy_none_only_backticks_keyword_names(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.pymigrate]\nupgrade = "none"\n')
    (tmp_path / "names.py").write_text("def f(var):\n    return var\n")
    (tmp_path / "plain.py").write_text("def g(x):\n    return x\n")

    def never(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("policy none neither infers nor analyzes")

    assert _run([str(tmp_path), "--write"], Stages(infer=never, annotate=never, analyze=never)) == 0
    assert (tmp_path / "names.pys").read_text() == "def f(`var`):\n    return `var`\n"
    assert not (tmp_path / "names.py").exists()
    assert (tmp_path / "plain.py").read_text() == "def g(x):\n    return x\n"


def test_upgrade_policy_annotate_only_is_no_upgrade(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.pymigrate]\nupgrade = "annotate-only"\n')
    (tmp_path / "mod.py").write_text(SOURCE)
    assert _run([str(tmp_path), "--check"], _stages(["double"])) == 0
