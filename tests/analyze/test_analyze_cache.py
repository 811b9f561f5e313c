"""The analysis cache: cached and parallel runs give exactly the plain serial, uncached run's report."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from pymigrate.analyze import analyze_paths, engine
from pymigrate.analyze.cache import AnalysisCache, CacheUnusable
from pymigrate.config import Config

STDLIB = Path(sysconfig.get_paths()["stdlib"])
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def package(tmp_path: Path) -> Path:
    """Real modules (the standard library's json and a few others), a broken file and a test module."""
    root = tmp_path / "pkg"
    shutil.copytree(STDLIB / "json", root, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("fractions.py", "textwrap.py", "colorsys.py", "heapq.py"):
        shutil.copy(STDLIB / name, root / name)
    (root / "broken.py").write_text("def f(:\n    pass\n", encoding="utf-8")
    (root / "tests").mkdir()
    (root / "tests" / "test_it.py").write_text("def test_fn():\n    fn = 1\n    assert fn\n", encoding="utf-8")
    return root


def _count_analyses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths actually analysed (not taken from the cache) in this process."""
    seen: list[str] = []
    original = engine._analyze

    def counting(source: str | bytes, path: str, *args: object, **kwargs: object) -> object:
        seen.append(path)
        return original(source, path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(engine, "_analyze", counting)
    return seen


def test_cached_runs_equal_the_uncached_run_and_only_a_changed_file_is_analysed_again(
        package: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = Config()
    plain = analyze_paths([package], config, jobs=1)
    cache = AnalysisCache.open(config, tmp_path / "cache")
    seen = _count_analyses(monkeypatch)
    cold = analyze_paths([package], config, jobs=1, cache=cache)
    assert len(seen) == len(plain.files)
    assert cold == plain
    seen.clear()
    warm = analyze_paths([package], config, jobs=1, cache=cache)
    assert seen == []
    assert warm == plain
    assert warm.to_json() == plain.to_json()
    changed = package / "heapq.py"
    changed.write_text(changed.read_text(encoding="utf-8") + "\n\ndef added(x):\n    return x + 1\n", encoding="utf-8")
    again = analyze_paths([package], config, jobs=1, cache=cache)
    assert seen == [str(changed)]
    assert again == analyze_paths([package], config, jobs=1)
    assert any(f.qualname == "added" for m in again.files for f in m.functions)


def test_parallel_cached_run_equals_the_serial_uncached_run(package: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "SERIAL_BELOW", 0)
    config = Config()
    plain = analyze_paths([package], config, jobs=1)
    cache = AnalysisCache.open(config, tmp_path / "cache")
    assert analyze_paths([package], config, jobs=2, cache=cache) == plain     # workers write the entries
    entries = [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]
    assert len(entries) == len(plain.files)
    assert analyze_paths([package], config, jobs=2, cache=cache) == plain     # and read them


def test_the_configuration_is_part_of_the_key(package: Path, tmp_path: Path) -> None:
    ignoring = Config(ignore=("PM2",))
    analyze_paths([package], Config(), jobs=1, cache=AnalysisCache.open(Config(), tmp_path / "cache"))
    cached = analyze_paths([package], ignoring, jobs=1, cache=AnalysisCache.open(ignoring, tmp_path / "cache"))
    assert cached == analyze_paths([package], ignoring, jobs=1)
    assert not any(f.code.startswith("PM2") for f in cached.findings)


def test_a_damaged_entry_is_recomputed_and_replaced(package: Path, tmp_path: Path) -> None:
    config = Config()
    cache = AnalysisCache.open(config, tmp_path / "cache")
    plain = analyze_paths([package], config, jobs=1, cache=cache)
    entries = sorted(p for p in (tmp_path / "cache").rglob("*") if p.is_file())
    entries[0].write_bytes(entries[0].read_bytes()[:-7])         # truncated
    data = bytearray(entries[1].read_bytes())
    data[-3] ^= 0xFF                                              # altered
    entries[1].write_bytes(bytes(data))
    assert analyze_paths([package], config, jobs=1, cache=cache) == plain
    assert analyze_paths([package], config, jobs=1) == plain
    assert all(cache.load(p.name) is not None for p in entries)   # written again, intact


def test_a_cache_directory_others_can_write_is_refused(tmp_path: Path) -> None:
    directory = tmp_path / "cache"
    directory.mkdir()
    directory.chmod(0o777)
    with pytest.raises(CacheUnusable, match="is writable by group and others"):
        AnalysisCache.open(Config(), directory)


@pytest.mark.skipif(not hasattr(os, "getuid") or os.getuid() != 0, reason="changing a file's owner needs root")
def test_a_directory_or_entry_owned_by_another_user_is_not_used(package: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir(mode=0o700)
    os.chown(other, 4242, -1)
    with pytest.raises(CacheUnusable, match="is owned by another user"):
        AnalysisCache.open(Config(), other)
    cache = AnalysisCache.open(Config(), tmp_path / "cache")
    plain = analyze_paths([package], Config(), jobs=1, cache=cache)
    entry = next(p for p in (tmp_path / "cache").rglob("*") if p.is_file())
    os.chown(entry, 4242, -1)
    assert cache.load(entry.name) is None
    assert analyze_paths([package], Config(), jobs=1, cache=cache) == plain


def _cli(args: list[str], cache_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYMIGRATE_CACHE_DIR": str(cache_dir), "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "pymigrate", "analyze", *args], capture_output=True, text=True,
                          env=env, timeout=300, check=False)


def test_the_command_caches_under_pymigrate_cache_dir_and_no_cache_writes_nothing(package: Path,
                                                                                  tmp_path: Path) -> None:
    cache_dir = tmp_path / "c"
    plain = _cli([str(package), "--format", "json", "--no-cache"], cache_dir)
    assert not cache_dir.exists()
    first = _cli([str(package), "--format", "json"], cache_dir)
    entries = [p for p in (cache_dir / "analyze").rglob("*") if p.is_file()]
    assert len(entries) == len(list(package.rglob("*.py")))       # the broken file's verdict too
    second = _cli([str(package), "--format", "json"], cache_dir)
    assert plain.returncode == first.returncode == second.returncode == 1     # broken.py
    assert plain.stdout == first.stdout == second.stdout
    assert json.loads(plain.stdout)["files"]
    assert plain.stderr == first.stderr == second.stderr
    assert (cache_dir / "analyze").stat().st_mode & 0o777 == 0o700


def test_a_file_name_that_is_not_utf8_is_cached_like_any_other(tmp_path: Path) -> None:
    root = tmp_path / "pkg"
    root.mkdir()
    (root / os.fsdecode(b"\xffname.py")).write_text("def f(x):\n    return x\n", encoding="utf-8")
    plain = analyze_paths([root], Config(), jobs=1)
    cache = AnalysisCache.open(Config(), tmp_path / "cache")
    assert analyze_paths([root], Config(), jobs=1, cache=cache) == plain
    assert analyze_paths([root], Config(), jobs=1, cache=cache) == plain
    assert plain.files[0].path.endswith("\udcffname.py") and not plain.errors


def test_an_entry_the_run_will_not_trust_is_named_in_a_warning(package: Path, tmp_path: Path) -> None:
    cache_dir = tmp_path / "c"
    plain = _cli([str(package), "--format", "json", "--no-cache"], cache_dir)
    _cli([str(package), "--format", "json"], cache_dir)
    entries = sorted(p for p in (cache_dir / "analyze").rglob("*") if p.is_file())
    writable, linked = entries[0], entries[1]
    writable.chmod(0o666)                                     # others could have rewritten it
    target = tmp_path / "planted"
    target.write_bytes(linked.read_bytes())
    linked.unlink()
    linked.symlink_to(target)                                 # an entry name pointing elsewhere
    again = _cli([str(package), "--format", "json"], cache_dir)
    assert again.stdout == plain.stdout                       # recomputed, the same report
    warnings = sorted(line for line in again.stderr.splitlines() if "warning: cache entry" in line)
    assert warnings == sorted([
        f"pymigrate analyze: warning: cache entry {writable} is writable by group and others (mode 666); not used",
        f"pymigrate analyze: warning: cache entry {linked} is a symbolic link, not a cache entry; remove it; not used",
    ])
    assert [line for line in again.stderr.splitlines() if "warning: cache entry" not in line] == \
        plain.stderr.splitlines()


def test_a_warning_is_shown_by_the_command_that_met_the_entry_only(
    package: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pymigrate.analyze import cache as cache_module
    from pymigrate.cli import main

    cache_module._refused[str(tmp_path / "stale")] = "is writable by its group (mode 660)"  # an earlier command's
    assert main(["parse", str(package / "decoder.py")]) == 0
    assert "warning: cache entry" not in capsys.readouterr().err
