"""mypy's cache is kept between runs: a warm run infers exactly what a run without any cache infers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCE = '''\
def area(width, height):
    return width * height


def describe(name, width, height):
    return f"{name}: {area(width, height)}"


def main():
    print(describe("a", 2, 3))
    print(area(2.5, 4.0))
'''


def _migrate(package: Path, cache: Path | None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("PYMIGRATE_NO_CACHE", None)
    if cache is None:
        env["PYMIGRATE_NO_CACHE"] = "1"
    else:
        env["PYMIGRATE_CACHE_DIR"] = str(cache)
    # --no-cache: the migration cache would answer the warm run without any mypy build
    return subprocess.run([sys.executable, "-m", "pymigrate", "migrate", str(package), "--diff", "--no-cache"],
                          capture_output=True, text=True, env=env, timeout=600, check=False)


def test_runs_sharing_the_mypy_cache_infer_what_an_uncached_run_infers(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "shapes.py").write_text(SOURCE, encoding="utf-8")
    plain = _migrate(package, None)
    assert "+def describe(name: str, width: int, height: int) -> str:" in plain.stdout
    cache = tmp_path / "cache"
    cold = _migrate(package, cache)
    entries = list(cache.glob("mypy-*"))
    assert len(entries) == 1 and entries[0].stat().st_mode & 0o777 == 0o700
    assert sum(p.stat().st_size for p in entries[0].rglob("*") if p.is_file()) > 100_000     # interfaces kept
    warm = _migrate(package, cache)
    assert plain.returncode == cold.returncode == warm.returncode == 0
    assert plain.stdout == cold.stdout == warm.stdout
    assert plain.stderr == cold.stderr == warm.stderr


OTHER_UID = 54321


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="ownership and modes are POSIX")
@pytest.mark.parametrize("attack", ["world-writable", "other-owner"])
def test_a_mypy_cache_another_user_could_have_written_is_not_used(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, attack: str) -> None:
    """mypy's entries decide the types migrate writes: a directory another user owns or may write is
    replaced by a private temporary one (issue 15's shared cache directory)."""
    from mypy.version import __version__ as mypy_version

    from pymigrate.migrate.infer import static

    if attack == "other-owner" and os.getuid() != 0:
        pytest.skip("changing a directory's owner needs root")
    shared = tmp_path / "shared" / f"mypy-{mypy_version}-classic-parser"
    shared.mkdir(parents=True)
    if attack == "other-owner":
        shared.chmod(0o700)
        os.chown(shared, OTHER_UID, -1)
    else:
        shared.chmod(0o777)
    monkeypatch.setenv("PYMIGRATE_CACHE_DIR", str(tmp_path / "shared"))
    monkeypatch.delenv("PYMIGRATE_NO_CACHE", raising=False)
    monkeypatch.setattr(static, "_CACHE", [])
    used = Path(static._cache_dir())
    assert used != shared and not used.is_relative_to(shared)
    assert used.stat().st_uid == os.getuid() and used.stat().st_mode & 0o077 == 0
    monkeypatch.setattr(static, "_CACHE", [])
    shared.chmod(0o700)
    os.chown(shared, os.getuid(), -1)
    assert Path(static._cache_dir()) == shared  # the same directory, made safe, is used
