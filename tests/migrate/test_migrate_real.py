"""The whole pipeline (real inference, annotation, analyzer, superset parser) on real code.

Fixture packages must come out exactly as their `.expected` migrations; modules of the
installed `rich` and `black` must migrate idempotently, parse, and keep every comment. The
full packages run in the slow tests (and in benchmarks/migrate_real.py); a representative
subset runs always.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import rich
from migrate_support import every_top_level_ready

from pymigrate.cli import main
from pymigrate.migrate.audit import audit_module
from pymigrate.migrate.pipeline import Options, Stages, migrate_source
from pymigrate.superset import parse

REPO = Path(__file__).resolve().parents[2]
PACKAGES = REPO / "fixtures" / "packages"
SITE = Path(rich.__file__).resolve().parents[1]
# Modules whose imports stay inside the subset (or go to the standard library and installed
# third-party packages), so inference does not have to load the rest of the package.
SUBSET = {
    "rich": ["_ratio.py", "region.py", "_loop.py", "color_triplet.py", "_pick.py", "errors.py"],
    "black": ["rusty.py", "const.py", "mode.py", "_width_table.py", "output.py"],
}


def _copy_package(name: str, dest: Path, only: list[str] | None = None) -> Path:
    """A copy of an installed package (or of some of its modules, under an empty __init__.py)."""
    target = dest / name
    if only is None:
        shutil.copytree(SITE / name, target, ignore=shutil.ignore_patterns("__pycache__", "*.so"))
        return target
    target.mkdir()
    (target / "__init__.py").write_text("")
    for rel in only:
        shutil.copy2(SITE / name / rel, target / rel)
    return target


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _check_outputs(before: dict[str, bytes], root: Path, paths: list[str]) -> None:
    """Each migrated module parses (.pys: superset, .py: Python) and keeps every comment in order."""
    problems = [p for rel in paths for p in audit_module(before[rel].decode("utf-8"), root / rel)]
    assert problems == []


FIXTURE_PACKAGES = ["demo_kernels", "keyword_names", "partial", "records"]


def test_fixture_packages_migrate_to_their_expected_form_and_then_stay(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in FIXTURE_PACKAGES:
        shutil.copytree(PACKAGES / name, tmp_path / name, ignore=shutil.ignore_patterns("tests", "__pycache__"))
    dirs = [str(tmp_path / name) for name in FIXTURE_PACKAGES]
    assert main(["migrate", *dirs, "--write"]) == 0
    for name in FIXTURE_PACKAGES:
        assert _snapshot(tmp_path / name) == _snapshot(PACKAGES / f"{name}.expected"), name
    capsys.readouterr()
    assert main(["migrate", *dirs, "--check"]) == 0
    assert "would migrate 0 files" in capsys.readouterr().err


def _migrate_twice(root: Path, rels: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    before = _snapshot(root)
    paths = [str(root / rel) for rel in rels]
    assert main(["migrate", *paths, "--write"]) == 0, capsys.readouterr().err
    _check_outputs(before, root, rels)
    after_first = _snapshot(root)
    now = [str(p if p.exists() else p.with_suffix(".pys")) for p in map(Path, paths)]
    capsys.readouterr()
    assert main(["migrate", *now, "--check"]) == 0, capsys.readouterr().err  # a second run would change nothing
    assert _snapshot(root) == after_first


@pytest.mark.parametrize("name", sorted(SUBSET))
def test_real_modules_migrate_idempotently_and_keep_comments(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _copy_package(name, tmp_path, SUBSET[name])
    _migrate_twice(root, SUBSET[name], capsys)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["rich", "black"])
def test_whole_real_package_migrates_idempotently_and_keeps_comments(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _copy_package(name, tmp_path)
    rels = sorted(str(p.relative_to(root)) for p in root.rglob("*.py"))
    _migrate_twice(root, rels, capsys)


def _stress(paths: list[Path]) -> int:
    """Upgrade every module-level def and class as if all were ready; outputs must verify."""
    stages = Stages(infer=lambda *a, **k: None, annotate=lambda m, t: m, analyze=every_top_level_ready)
    upgraded = 0
    for path in paths:
        result = migrate_source(path.read_bytes(), path, None, Options(annotate=False, compiler_check=False), stages)
        assert result.error is None, result.error
        assert result.after is not None
        if result.upgraded:
            parse(result.after, str(path))
            upgraded += len(result.fns) + len(result.structs)
    return upgraded


def test_emit_holds_on_real_code_with_every_item_upgraded() -> None:
    paths = [SITE / name / rel for name, rels in SUBSET.items() for rel in rels]
    assert _stress(paths) > 20


@pytest.mark.slow
def test_emit_holds_on_all_of_rich_and_black_with_every_item_upgraded() -> None:
    paths = sorted((SITE / "rich").rglob("*.py")) + sorted((SITE / "black").rglob("*.py"))
    # 748 fn and 161 struct when written; the floor guards against the stress silently doing nothing
    assert _stress(paths) > 800


