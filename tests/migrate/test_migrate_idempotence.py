"""A second `migrate` right after `--write` changes nothing, with `--trace` too: on the fixture
packages and on a real package from PyPI (humanize, as the inference benchmark downloads it)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from pymigrate.cli import main

REPO = Path(__file__).resolve().parents[2]
PACKAGES = REPO / "fixtures" / "packages"
FIXTURE_PACKAGES = ["demo_kernels", "keyword_names", "partial", "records"]

# runs the fixture suites with the import hook on, so that they also run once modules are .pys
RUN_TESTS = """\
import sys

import pymigrate.importer  # noqa: F401
import pytest

sys.exit(pytest.main(["-q", "-p", "no:cacheprovider", *sys.argv[1:]]))
"""


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and "__pycache__" not in p.parts}


def _write_then_check(paths: list[str], trace: str, root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = _snapshot(root)
    assert main(["migrate", *paths, "--write", "--trace", trace]) == 0, capsys.readouterr().err
    written = _snapshot(root)
    assert written != before                       # the first run did something
    capsys.readouterr()
    assert main(["migrate", *paths, "--check", "--trace", trace]) == 0, capsys.readouterr().err
    assert "would migrate 0 files" in capsys.readouterr().err
    assert main(["migrate", *paths, "--write", "--trace", trace]) == 0
    assert _snapshot(root) == written


def test_fixture_packages_with_trace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in FIXTURE_PACKAGES:
        shutil.copytree(PACKAGES / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "run_tests.py").write_text(RUN_TESTS)
    monkeypatch.chdir(tmp_path)      # the trace command runs here
    trace = f"{sys.executable} run_tests.py " + " ".join(f"{name}/tests" for name in FIXTURE_PACKAGES)
    _write_then_check(FIXTURE_PACKAGES, trace, tmp_path, capsys)
    done = subprocess.run([sys.executable, "run_tests.py", *(f"{n}/tests" for n in FIXTURE_PACKAGES)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-2000:]        # the suites still pass on the migrated packages


HUMANIZE = "4.17.0"      # the version the inference benchmark scores (bench extra)
HUMANIZE_TEST_DEPS = ["freezegun>=1.2"]   # what its test suite imports besides pytest


def _download(args: list[str], cache: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "pip", "download", "-q", "-d", str(cache), *args],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"could not download {' '.join(args)} from PyPI: {done.stderr.strip()[-300:]}")


def _humanize_sdist(cache: Path) -> tuple[Path, list[Path]]:
    """humanize's sdist (sources and tests) and the wheels its tests need, downloaded from PyPI: the
    test is skipped only when that fails."""
    _download(["--no-binary", ":all:", "--no-deps", f"humanize=={HUMANIZE}"], cache)
    wheels = cache / "wheels"
    _download(["--only-binary", ":all:", *HUMANIZE_TEST_DEPS], wheels)
    with tarfile.open(cache / f"humanize-{HUMANIZE}.tar.gz") as tar:
        tar.extractall(cache, filter="data")
    return cache / f"humanize-{HUMANIZE}", sorted(wheels.glob("*.whl"))


def test_real_package_with_trace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root, wheels = _humanize_sdist(tmp_path)
    (root / "run_tests.py").write_text(RUN_TESTS)     # modules that became .pys import through the hook
    monkeypatch.chdir(root)
    path = [str(root / "src"), *map(str, wheels), os.environ.get("PYTHONPATH", "")]    # pure wheels import as zips
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(path))
    # test_update_translations runs xgettext over src/humanize/*.py: once the modules holding the messages
    # are .pys, a tool that reads .py sources finds none of them (not a difference of the modules' behaviour)
    trace = (f"{sys.executable} run_tests.py -x -p no:randomly tests --ignore=tests/test_benchmarks.py"
             " --deselect tests/test_i18n.py::test_update_translations")
    _write_then_check(["src/humanize"], trace, root / "src", capsys)
    done = subprocess.run(trace, shell=True, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-2000:]        # its own tests pass on the migrated package
