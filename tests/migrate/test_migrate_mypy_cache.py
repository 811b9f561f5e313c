"""mypy's cache is kept between runs: a warm run infers exactly what a run without any cache infers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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
