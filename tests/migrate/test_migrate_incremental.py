"""Per-module incremental migration: after a change, only the modules whose bytes or inferred types changed
go through the per-module stages again, and what the run prints is exactly what a run without the cache
prints (a module edited, a dependency's interface edited, the configuration changed); `--no-cache`
neither reads nor writes; the per-module stages in worker processes give the same output."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from migrate_support import src_package

from pymigrate.cli import main
from pymigrate.migrate import pipeline

LIB = "def make() -> int:\n    return 1\n"
APP = "from pkg.lib import make\n\n\ndef build():\n    return make()\n"
OTHER = "def twice(n: int):\n    return n * 2\n"


@pytest.fixture(scope="module")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache directory for this module's tests: mypy's cache of the standard library is built once."""
    return tmp_path_factory.mktemp("cache")


@pytest.fixture
def cache(shared_cache: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The migration caches empty, mypy's kept."""
    for name in ("migrate", "migrate-modules"):
        shutil.rmtree(shared_cache / name, ignore_errors=True)
    where = shared_cache
    monkeypatch.setenv("PYMIGRATE_CACHE_DIR", str(where))
    monkeypatch.delenv("PYMIGRATE_NO_CACHE", raising=False)
    return where


@pytest.fixture
def computed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The modules whose per-module stages ran (not answered from the cache) in this process."""
    seen: list[str] = []
    original = pipeline.migrate_source

    def counting(data: bytes, path: Path, *args: Any, **kwargs: Any) -> Any:
        seen.append(path.name)
        return original(data, path, *args, **kwargs)

    monkeypatch.setattr(pipeline, "migrate_source", counting)
    return seen


@pytest.fixture
def package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = src_package(tmp_path, {"__init__.py": "", "lib.py": LIB, "app.py": APP, "other.py": OTHER})
    monkeypatch.chdir(root.parent)
    return root


def _migrate(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["migrate", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def _entries(cache: Path) -> int:
    return sum(1 for p in cache.joinpath("migrate-modules").rglob("*") if p.is_file())


def test_an_edited_module_alone_is_migrated_again(
        package: Path, cache: Path, computed: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    first = _migrate(capsys, str(package))
    assert "def build() -> int:" in first[1] and "fn twice(n: int) raises -> int:" in first[1]
    assert sorted(computed) == ["__init__.py", "app.py", "lib.py", "other.py"]
    assert _entries(cache) == 4
    (package / "other.py").write_text(OTHER + "\n\ndef half(n: int):\n    return n // 2\n", encoding="utf-8")
    computed.clear()
    incremental = _migrate(capsys, str(package))
    assert computed == ["other.py"]         # inference ran package-wide; the other modules' types were the same
    assert "fn half(n: int) raises -> int:" in incremental[1]
    assert incremental == _migrate(capsys, str(package), "--no-cache")


def test_a_dependency_interface_edit_migrates_its_dependents_again(
        package: Path, cache: Path, computed: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    _migrate(capsys, str(package))
    (package / "lib.py").write_text("def make() -> str:\n    return 'one'\n", encoding="utf-8")
    computed.clear()
    incremental = _migrate(capsys, str(package))
    assert sorted(computed) == ["app.py", "lib.py"]     # app's inferred return follows lib's interface
    assert "def build() -> str:" in incremental[1]
    assert incremental == _migrate(capsys, str(package), "--no-cache")


def test_a_configuration_change_migrates_every_module_again(
        package: Path, cache: Path, computed: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    upgraded = _migrate(capsys, str(package))
    assert "other.pys" in upgraded[1]
    package.parent.joinpath("pyproject.toml").write_text('[tool.pymigrate]\nupgrade = "annotate-only"\n',
                                                         encoding="utf-8")
    computed.clear()
    annotated = _migrate(capsys, str(package))
    assert len(computed) == 4
    assert ".pys" not in annotated[1] and "def twice(n: int) -> int:" in annotated[1]
    assert annotated == _migrate(capsys, str(package), "--no-cache")


def test_no_cache_neither_reads_nor_writes_module_entries(
        package: Path, cache: Path, computed: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    plain = _migrate(capsys, str(package), "--no-cache")
    assert not cache.joinpath("migrate-modules").exists()
    _migrate(capsys, str(package))
    computed.clear()
    assert _migrate(capsys, str(package), "--no-cache") == plain
    assert len(computed) == 4
    assert cache.joinpath("migrate-modules").stat().st_mode & 0o777 == 0o700


def test_a_damaged_module_entry_is_recomputed(
        package: Path, cache: Path, computed: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    first = _migrate(capsys, str(package), "--diff")
    for entry in (p for p in cache.joinpath("migrate-modules").rglob("*") if p.is_file()):
        data = entry.read_bytes()
        entry.write_bytes(data[:-10] + bytes(10))      # same length, other bytes: the digest fails
    (package / "__init__.py").write_text("# the run entry misses, the module entries are read\n", encoding="utf-8")
    computed.clear()
    again = _migrate(capsys, str(package), "--diff")
    assert len(computed) == 4
    assert again[1] == first[1]


OTHER_UID = 54321


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="ownership and modes are POSIX")
@pytest.mark.parametrize("attack", ["world-writable", "group-writable", "other-owner"])
def test_a_module_entry_another_user_could_have_written_is_not_used(
        package: Path, cache: Path, computed: list[str], capsys: pytest.CaptureFixture[str], attack: str) -> None:
    """A module entry holds the text --write puts into the user's files: one another local user may have
    written (their own, or writable by them) is never read (issue 15's planted entries)."""
    if attack == "other-owner" and os.getuid() != 0:
        pytest.skip("changing a file's owner needs root")
    first = _migrate(capsys, str(package), "--diff")
    for entry in (p for p in cache.joinpath("migrate-modules").rglob("*") if p.is_file()):
        if attack == "other-owner":
            os.chown(entry, OTHER_UID, -1)
        else:
            entry.chmod(0o666 if attack == "world-writable" else 0o660)
    (package / "__init__.py").write_text("# the run entry misses, the module entries are read\n", encoding="utf-8")
    computed.clear()
    again = _migrate(capsys, str(package), "--diff")
    assert len(computed) == 4
    assert again[1] == first[1]


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="ownership and modes are POSIX")
def test_a_module_cache_directory_others_can_write_is_not_used(
        package: Path, cache: Path, computed: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    plain = _migrate(capsys, str(package), "--no-cache")
    where = cache / "migrate-modules"
    where.mkdir(mode=0o700)
    where.chmod(0o777)
    computed.clear()
    code, out, err = _migrate(capsys, str(package))
    assert f"pymigrate migrate: note: cache not used: {where} is writable by group and others (mode 777); not used" in err
    assert (code, out) == plain[:2] and len(computed) == 4
    assert list(where.iterdir()) == []


def test_per_module_stages_in_worker_processes_give_the_same_output(
        package: Path, cache: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    serial = _migrate(capsys, str(package), "--no-cache", "-j", "1")
    monkeypatch.setattr(pipeline, "PARALLEL_MIN_BYTES", 0)     # a small package would stay in this process
    assert _migrate(capsys, str(package), "--no-cache", "-j", "2") == serial
    assert _migrate(capsys, str(package), "--no-cache", "--executor", "local") == serial


def test_a_bad_executor_or_jobs_is_a_usage_error(package: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _migrate(capsys, str(package), "--executor", "ray://somewhere")
    assert code == 2 and "expected 'local' or dask://HOST:PORT" in err
    code, _, err = _migrate(capsys, str(package), "--executor", "dask://nowhere")
    assert code == 2 and "expected dask://HOST:PORT" in err
    code, _, err = _migrate(capsys, str(package), "-j", "0")
    assert code == 2 and "--jobs must be at least 1" in err


def test_a_run_answered_from_the_cache_imports_neither_the_pipeline_nor_libcst(
        package: Path, cache: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """What keeps a hit at interpreter start-up: the pipeline and LibCST are not loaded."""
    import subprocess
    import sys

    assert _migrate(capsys, str(package), "--write")[0] == 0
    repo = Path(__file__).resolve().parents[2]
    program = ("import sys\nfrom pymigrate.cli import main\ncode = main(['migrate', sys.argv[1], '--check'])\n"
               "print(code, sorted(m for m in sys.modules if m.split('.')[0] == 'libcst' "
               "or m == 'pymigrate.migrate.pipeline'))\n")
    proc = subprocess.run([sys.executable, "-c", program, str(package)], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(repo)}, timeout=120, check=False)
    assert proc.stdout.strip() == "0 []", proc.stderr
