"""The migration cache: a cached run prints exactly what a run without it prints, misses whenever anything
inference read changed (a dependency's bytes, a module appearing), and is used only when it is safe."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest

from pymigrate.cli import main
from pymigrate.migrate import pipeline

LIB = "def make() -> int:\n    return 1\n"
APP = "from pkg.lib import make\n\n\ndef build():\n    return make()\n\n\ndef extra():\n    from pkg.more import value\n    return value\n"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    where = tmp_path / "cache"
    monkeypatch.setenv("PYMIGRATE_CACHE_DIR", str(where))
    monkeypatch.delenv("PYMIGRATE_NO_CACHE", raising=False)
    return where


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch) -> list[list[Path]]:
    """The file lists actually migrated (not answered from the cache) in this process."""
    seen: list[list[Path]] = []
    original = pipeline.migrate_files

    def counting(files: list[Path], *args: Any, **kwargs: Any) -> Any:
        seen.append(list(files))
        return original(files, *args, **kwargs)

    monkeypatch.setattr(pipeline, "migrate_files", counting)
    return seen


@pytest.fixture
def package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A package in ./src, the working directory (where mypy finds the modules a file imports)."""
    root = tmp_path / "src" / "pkg"
    root.mkdir(parents=True)
    monkeypatch.chdir(root.parent)
    (root / "__init__.py").write_text("", encoding="utf-8")
    (root / "lib.py").write_text(LIB, encoding="utf-8")
    (root / "app.py").write_text(APP, encoding="utf-8")
    for path in root.iterdir():     # a dependency written as the run starts is not recorded (store): not this one
        os.utime(path, (time.time() - 5, time.time() - 5))
    return root


def _migrate(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["migrate", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_cached_run_prints_what_an_uncached_run_prints(
        package: Path, cache: Path, runs: list[list[Path]], capsys: pytest.CaptureFixture[str]) -> None:
    plain = _migrate(capsys, str(package), "--no-cache")
    assert "build() -> int:" in plain[1]
    assert not (cache / "migrate").exists()                 # --no-cache writes nothing either
    cold = _migrate(capsys, str(package))
    warm = _migrate(capsys, str(package))
    assert plain == cold == warm
    assert len(runs) == 2                                   # --no-cache and the cold run; the warm one was read
    assert cache.joinpath("migrate").stat().st_mode & 0o777 == 0o700
    assert _migrate(capsys, str(package), "--check")[0] == 1
    assert len(runs) == 2                                   # the mode is no part of the key: same results


def test_check_right_after_write_is_answered_from_the_cache(
        package: Path, cache: Path, runs: list[list[Path]], capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _migrate(capsys, str(package), "--write")
    assert code == 0 and "upgraded" in err
    migrated = len(runs)            # the run itself, then the run over what it wrote (recorded for --check)
    assert migrated == 2
    checked = _migrate(capsys, str(package), "--check")
    assert len(runs) == migrated                            # no migration ran
    assert checked == _migrate(capsys, str(package), "--check", "--no-cache")   # the answer a full run gives
    assert checked[0] == 0


@pytest.mark.parametrize(("name", "text", "before", "after"), [
    ("lib.py", "def make() -> str:\n    return 'one'\n", "build() -> int:", "build() -> str:"),    # edited
    ("more.py", "value: float = 1.5\n", "build() -> int:", "extra() -> float:"),     # appears where the import was missing
])
def test_a_change_to_what_inference_read_besides_the_run_is_a_miss(
        package: Path, cache: Path, runs: list[list[Path]], capsys: pytest.CaptureFixture[str],
        name: str, text: str, before: str, after: str) -> None:
    app = str(package / "app.py")       # migrated alone: the modules it imports are read by mypy, not migrated
    first = _migrate(capsys, app, "--diff")
    assert before in first[1] and after not in first[1]
    assert _migrate(capsys, app, "--diff") == first and len(runs) == 1
    (package / name).write_text(text, encoding="utf-8")
    changed = _migrate(capsys, app, "--diff")
    assert len(runs) == 2
    assert after in changed[1]
    assert changed == _migrate(capsys, app, "--diff", "--no-cache")


def test_a_damaged_entry_is_recomputed(
        package: Path, cache: Path, runs: list[list[Path]], capsys: pytest.CaptureFixture[str]) -> None:
    first = _migrate(capsys, str(package))
    entries = [p for p in cache.joinpath("migrate").rglob("*") if p.is_file()]
    assert len(entries) == 1
    data = entries[0].read_bytes()
    entries[0].write_bytes(data[:-10] + bytes(10))          # same length, other bytes: the digest fails
    assert _migrate(capsys, str(package)) == first
    assert len(runs) == 2
    assert _migrate(capsys, str(package)) == first and len(runs) == 2      # written again, and used


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="ownership and modes are POSIX")
def test_an_unsafe_cache_directory_is_not_used(
        package: Path, cache: Path, runs: list[list[Path]], capsys: pytest.CaptureFixture[str]) -> None:
    where = cache / "migrate"
    where.mkdir(parents=True)
    where.chmod(0o777)                  # writable by others: anyone could plant an answer
    plain = _migrate(capsys, str(package), "--no-cache")
    code, out, err = _migrate(capsys, str(package))
    assert "note: cache not used:" in err and "writable by group and others" in err
    assert (code, out) == plain[:2]
    assert list(where.iterdir()) == []
    where.chmod(0o700)
    _migrate(capsys, str(package))
    entry = next(p for p in where.rglob("*") if p.is_file())
    entry.chmod(0o666)
    os.chmod(entry.parent, 0o700)
    runs.clear()
    assert _migrate(capsys, str(package))[:2] == plain[:2]
    assert len(runs) == 1               # an entry others may have written is not read


def test_a_traced_run_is_never_cached(package: Path, cache: Path, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    driver = package.parent / "drive.py"
    driver.write_text("from pkg.app import build\nbuild()\n", encoding="utf-8")
    code, _, err = _migrate(capsys, str(package), "--trace", f"python {driver}")
    assert code == 0, err
    assert not (cache / "migrate").exists()
