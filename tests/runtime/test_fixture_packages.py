"""Proof that callers keep working: each fixture package's own test suite, unchanged, against

(i)   the original Python package,
(ii)  the expected superset migration imported through `import pymigrate.importer`
      (native cache and in-memory JIT), and
(iii) the expected migration built with `pymigrate build` into extension modules and imported by
      an interpreter that cannot import pymigrate or llvmlite.

Everything runs on copies in tmp_path; fixtures/ is never written.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures" / "packages"
PACKAGES = ("demo_kernels", "records", "keyword_names", "partial")
EXT_SUFFIX = str(sysconfig.get_config_var("EXT_SUFFIX"))

# Cases the compiler cannot handle yet: (package, way in) -> the missing compiler feature.
MISSING: dict[tuple[str, str], str] = {}

RUN_SUITE = textwrap.dedent(
    """
    import sys
    site, tests, mode = sys.argv[1], sys.argv[2], sys.argv[3]
    sys.path.insert(0, site)
    if mode == "hook":
        import pymigrate.importer
    elif mode == "plain":
        class Blocked:
            def find_spec(self, name, path=None, target=None):
                if name.partition(".")[0] in ("pymigrate", "llvmlite"):
                    raise ImportError(f"{name} imported by a package that must not need it")
                return None
        sys.meta_path.insert(0, Blocked())
    import pytest
    code = pytest.main(["-q", "-p", "no:cacheprovider", "--rootdir", site, tests])
    for name, module in sorted(sys.modules.items()):
        path = getattr(module, "__file__", None) or ""
        if path.startswith(site) and "tests" not in name.split("."):
            print("LOADED", name, path[len(site) + 1:])
    sys.exit(int(code))
    """
)


def stage(tmp_path: Path, name: str, *, migrated: bool) -> Path:
    """A copy of the package (original or expected migration) with the original tests."""
    site = tmp_path / "site"
    source = FIXTURES / (f"{name}.expected" if migrated else name)
    ignore = shutil.ignore_patterns("__pycache__", "*.so", "*.pyi", ".pytest_cache")
    shutil.copytree(source, site / name, ignore=ignore)
    if migrated:
        shutil.copytree(FIXTURES / name / "tests", site / name / "tests", ignore=ignore)
    return site


def run_suite(site: Path, name: str, mode: str, env_extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYMIGRATE_IMPORT_MODE")}
    env.update(env_extra or {})
    proc = subprocess.run(
        [sys.executable, "-c", RUN_SUITE, str(site), str(site / name / "tests"), mode],
        cwd=site,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert proc.returncode == 0, f"{name} ({mode}):\n{proc.stdout}\n{proc.stderr}"
    assert " passed" in proc.stdout and " failed" not in proc.stdout and "skipped" not in proc.stdout
    loaded = {}
    for line in proc.stdout.splitlines():
        if line.startswith("LOADED "):
            _, module, path = line.split(" ", 2)
            loaded[module] = path
    return loaded


def migrated_modules(name: str) -> dict[str, str]:
    """Dotted name -> path (relative to the package parent) of each .pys in the expected package."""
    base = FIXTURES / f"{name}.expected"
    out = {}
    for pys in sorted(base.rglob("*.pys")):
        rel = pys.relative_to(base).with_suffix("")
        parts = [name, *rel.parts]
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = f"{name}/{pys.relative_to(base).as_posix()}"
    return out


def expect_supported(name: str, way: str) -> None:
    reason = MISSING.get((name, way))
    if reason is not None:
        pytest.xfail(reason)


def test_every_fixture_has_a_suite_and_an_expected_migration() -> None:
    for name in PACKAGES:
        assert list((FIXTURES / name / "tests").glob("test_*.py")), name
        assert migrated_modules(name), name
    assert {p.name for p in FIXTURES.iterdir() if p.is_dir() and not p.name.endswith(".expected")} == set(PACKAGES)


@pytest.mark.parametrize("name", PACKAGES)
def test_original_package(tmp_path: Path, name: str) -> None:
    site = stage(tmp_path, name, migrated=False)
    loaded = run_suite(site, name, "original")
    assert all(path.endswith(".py") for path in loaded.values()), loaded


@pytest.mark.parametrize("mode", ["native", "jit"])
@pytest.mark.parametrize("name", PACKAGES)
def test_migrated_package_through_the_import_hook(tmp_path: Path, name: str, mode: str) -> None:
    expect_supported(name, mode)
    site = stage(tmp_path, name, migrated=True)
    env = {"PYMIGRATE_IMPORT_MODE": mode, "PYMIGRATE_CACHE_DIR": str(tmp_path / "cache")}
    loaded = run_suite(site, name, "hook", env)
    for module, path in migrated_modules(name).items():
        assert loaded.get(module) == path, (module, loaded)
    if mode == "native":
        assert list((tmp_path / "cache").glob("*.so"))
        # Again, now from the cache.
        assert run_suite(site, name, "hook", env) == loaded


@pytest.mark.parametrize("name", PACKAGES)
def test_migrated_package_built_and_imported_without_pymigrate(tmp_path: Path, name: str) -> None:
    expect_supported(name, "build")
    site = stage(tmp_path, name, migrated=True)
    proc = subprocess.run(
        [sys.executable, "-m", "pymigrate", "build", "-q", str(site / name)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    modules = migrated_modules(name)
    written = proc.stdout.splitlines()
    for path in modules.values():
        stem = str(site / path)[: -len(".pys")]
        assert stem + EXT_SUFFIX in written and stem + ".pyi" in written
    loaded = run_suite(site, name, "plain")
    for module, path in modules.items():
        assert loaded.get(module) == path[: -len(".pys")] + EXT_SUFFIX, (module, loaded)
