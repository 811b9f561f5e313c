"""The `.pys` import hook and its cache, with a stand-in compiler (see conftest.py)."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any, Iterator

import pytest

from pymigrate.codegen import build
from pymigrate.codegen.diagnostics import CompileError
from pymigrate.runtime import cache, hook


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A directory on sys.path with the hook installed; imported test modules are forgotten after."""
    root = tmp_path / "site"
    root.mkdir()
    monkeypatch.syspath_prepend(str(root))
    monkeypatch.delenv(cache.CACHE_ENV, raising=False)
    monkeypatch.delenv(cache.NO_CACHE_ENV, raising=False)
    monkeypatch.delenv(hook.MODE_ENV, raising=False)
    before = set(sys.modules)
    finder = hook.install()
    finder.invalidate_caches()
    yield root
    hook.uninstall()
    for name in set(sys.modules) - before:
        # pymigrate's own modules stay: the JIT keeps its engines (the code behind every
        # compiled function) alive through pymigrate.runtime.jit.
        if name.partition(".")[0] not in ("pymigrate", "llvmlite"):
            del sys.modules[name]


def entries(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.glob("*.so")) if directory.is_dir() else []


def fail_compile(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("the module was compiled again instead of loaded from the cache")


def test_import_sets_module_attributes(module_source: str, site: Path, standin_compiler: Any) -> None:
    (site / "mod.pys").write_text(module_source)
    mod = importlib.import_module("mod")
    assert (mod.X, mod.twice(21)) == (3, 42)
    assert mod.__file__ == str(site / "mod.pys")
    assert mod.__spec__.origin == str(site / "mod.pys")
    assert isinstance(mod.__loader__, hook.PysLoader)
    assert mod.__loader__.get_source("mod") == module_source
    assert not hasattr(mod, "__path__")
    with pytest.raises(ValueError) as info:
        mod.boom()
    last = info.traceback[-1]
    assert (str(last.path), last.lineno + 1) == (str(site / "mod.pys"), 9)


def test_cached_import_loads_without_compiling(
    module_source: str, site: Path, standin_compiler: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    (site / "mod.pys").write_text(module_source)
    importlib.import_module("mod")
    written = entries(site / "__pycache__")
    assert len(written) == 1 and written[0].startswith("mod.pymigrate-")
    del sys.modules["mod"]
    monkeypatch.setattr(build, "compile_source", fail_compile)
    assert importlib.import_module("mod").twice(5) == 10
    assert entries(site / "__pycache__") == written


def test_cached_import_needs_neither_llvmlite_nor_the_compiler(
    module_source: str, site: Path, standin_prelude: str, tmp_path: Path
) -> None:
    (site / "mod.pys").write_text(module_source)
    warm = standin_prelude + f"sys.path.insert(0, {str(site)!r})\nimport pymigrate.importer, mod\n"
    cold = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(site)!r})
        import pymigrate.importer, mod
        print(mod.twice(4), sorted(m for m in sys.modules if m.startswith(("llvmlite", "pymigrate.codegen"))))
        """
    )
    # Twice at most: an edit to the compiler's sources between the two runs changes the key.
    for _attempt in range(2):
        subprocess.run([sys.executable, "-c", warm], check=True)
        proc = subprocess.run([sys.executable, "-c", cold], capture_output=True, text=True, check=False)
        if proc.stdout.strip() == "8 []":
            break
    assert proc.stdout.strip() == "8 []", proc.stderr


def test_reload_picks_up_source_changes_and_prunes_old_entries(site: Path, standin_compiler: Any) -> None:
    (site / "mod.pys").write_text("VALUE = add(1, 1)\n")
    mod = importlib.import_module("mod")
    first = entries(site / "__pycache__")
    (site / "mod.pys").write_text("VALUE = add(10, 10)\nOTHER = 1\n")
    same = importlib.reload(mod)
    assert same is mod
    assert (mod.VALUE, mod.OTHER) == (20, 1)
    second = entries(site / "__pycache__")
    assert len(second) == 1 and second != first


def test_package_with_pys_init_and_submodules(site: Path, standin_compiler: Any) -> None:
    pkg = site / "pkg"
    pkg.mkdir()
    (pkg / "__init__.pys").write_text("Y = add(3, 4)\n")
    (pkg / "sub.pys").write_text("from . import plain\nZ = add(plain.P, 1)\n")
    (pkg / "plain.py").write_text("P = 41\n")
    sub = importlib.import_module("pkg.sub")
    pkg_mod = sys.modules["pkg"]
    assert (pkg_mod.Y, sub.Z) == (7, 42)
    assert pkg_mod.__path__ == [str(pkg)]
    assert pkg_mod.__file__ == str(pkg / "__init__.pys")
    assert pkg_mod.__loader__.is_package("pkg")
    assert sub.__name__ == "pkg.sub" and sub.__package__ == "pkg"


def test_regular_package_with_a_pys_submodule(site: Path, standin_compiler: Any) -> None:
    pkg = site / "regular"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("from regular.fast import F\n")
    (pkg / "fast.pys").write_text("F = add(2, 2)\n")
    assert importlib.import_module("regular").F == 4


def test_path_order_and_precedence(site: Path, standin_compiler: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    earlier = tmp_path / "earlier"
    earlier.mkdir()
    monkeypatch.syspath_prepend(str(earlier))
    (earlier / "shadow.py").write_text("WHERE = 'py on an earlier path entry'\n")
    (site / "shadow.pys").write_text("WHERE = 'pys'\n")
    assert importlib.import_module("shadow").WHERE == "py on an earlier path entry"
    (site / "both.py").write_text("WHERE = 'py'\n")
    (site / "both.pys").write_text("WHERE = 'pys'\n")
    assert importlib.import_module("both").WHERE == "pys"


def test_compile_error_at_import_names_the_pys_position(site: Path, standin_compiler: Any) -> None:
    (site / "broken.pys").write_text("x = 1\n    # COMPILE ERROR\n")
    with pytest.raises(CompileError) as info:
        importlib.import_module("broken")
    assert str(info.value) == f"{site / 'broken.pys'}:2:7: error: stand-in compile error"
    assert "broken" not in sys.modules
    assert entries(site / "__pycache__") == []


def test_syntax_error_at_import(site: Path, standin_compiler: Any) -> None:
    (site / "syn.pys").write_text("x = 1\ny = (\n")
    with pytest.raises(SyntaxError) as info:
        importlib.import_module("syn")
    assert info.value.filename == str(site / "syn.pys")
    assert info.value.lineno == 2


def test_error_in_module_body_propagates(site: Path, standin_compiler: Any) -> None:
    (site / "raiser.pys").write_text("A = add(1, 1)\nraise RuntimeError('at import')\n")
    with pytest.raises(RuntimeError, match="at import"):
        importlib.import_module("raiser")
    assert "raiser" not in sys.modules


@pytest.mark.parametrize("damage", ["garbage", "truncate", "flip"])
def test_damaged_cache_entry_is_rebuilt(module_source: str, site: Path, standin_compiler: Any, damage: str) -> None:
    (site / "mod.pys").write_text(module_source)
    importlib.import_module("mod")
    [name] = entries(site / "__pycache__")
    entry = site / "__pycache__" / name
    data = entry.read_bytes()
    if damage == "garbage":
        damaged = b"not an ELF file"
    elif damage == "truncate":
        damaged = data[: len(data) // 2]
    else:
        damaged = data[:100] + bytes([data[100] ^ 0xFF]) + data[101:]
    # A new file in its place: this process still has the old one mapped.
    (site / "damaged.tmp").write_bytes(damaged)
    os.replace(site / "damaged.tmp", entry)
    del sys.modules["mod"]
    assert importlib.import_module("mod").twice(3) == 6
    [rebuilt] = entries(site / "__pycache__")
    assert rebuilt.startswith(name.rsplit(".", 2)[0])
    assert cache.content_digest(site / "__pycache__" / rebuilt) in rebuilt


def test_cache_dir_override_and_no_cache(module_source: str, site: Path, standin_compiler: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shared = tmp_path / "shared-cache"
    monkeypatch.setenv(cache.CACHE_ENV, str(shared))
    (site / "mod.pys").write_text(module_source)
    importlib.import_module("mod")
    assert len(entries(shared)) == 1 and entries(shared)[0].startswith("mod.pymigrate-")
    assert not (site / "__pycache__").exists()
    monkeypatch.delenv(cache.CACHE_ENV)
    monkeypatch.setenv(cache.NO_CACHE_ENV, "1")
    (site / "other.pys").write_text(module_source)
    assert importlib.import_module("other").X == 3
    assert not (site / "__pycache__").exists() or entries(site / "__pycache__") == []


def test_unusable_pycache_falls_back_to_the_user_cache(
    module_source: str, site: Path, standin_compiler: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (site / "mod.pys").write_text(module_source)
    (site / "__pycache__").write_text("a file where the cache directory would go")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert importlib.import_module("mod").X == 3
    assert len(entries(tmp_path / "xdg" / "pymigrate")) == 1


def test_key_changes_with_source_and_name() -> None:
    base = cache.entry_key(b"x = 1\n", "m")
    assert cache.entry_key(b"x = 1\n", "m") == base
    assert cache.entry_key(b"x = 2\n", "m") != base
    assert cache.entry_key(b"x = 1\n", "pkg.m") != base
    assert cache.entry_key(b"x = 1\n", "m", cpu="generic") != base


def test_concurrent_imports_do_not_corrupt_the_cache(module_source: str, site: Path, standin_prelude: str) -> None:
    (site / "mod.pys").write_text(module_source)
    script = standin_prelude + textwrap.dedent(
        f"""
        sys.path.insert(0, {str(site)!r})
        import pymigrate.importer, mod
        assert mod.twice(mod.X) == 6
        """
    )
    procs = [subprocess.Popen([sys.executable, "-c", script], stderr=subprocess.PIPE) for _ in range(4)]
    results = [(p.wait(), p.stderr.read() if p.stderr else b"") for p in procs]
    assert all(code == 0 for code, _ in results), results
    names = entries(site / "__pycache__")
    assert len(names) >= 1
    for name in names:
        assert cache.content_digest(site / "__pycache__" / name) in name
    assert not [p for p in (site / "__pycache__").iterdir() if p.name.endswith(".tmp")]


def test_bad_import_mode(module_source: str, site: Path, standin_compiler: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(hook.MODE_ENV, "turbo")
    (site / "mod.pys").write_text(module_source)
    with pytest.raises(ImportError, match="PYMIGRATE_IMPORT_MODE='turbo' is not one of: auto, native, jit"):
        importlib.import_module("mod")


def test_importer_module_installs_the_finder_once() -> None:
    import pymigrate.importer as importer

    importlib.reload(importer)
    assert sum(isinstance(f, hook.PysFinder) for f in sys.meta_path) == 1
    hook.uninstall()
    assert not any(isinstance(f, hook.PysFinder) for f in sys.meta_path)


def test_native_mode_without_a_compiler_is_an_import_error(
    module_source: str, site: Path, standin_compiler: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CC", "no-such-cc-xyz")
    monkeypatch.setenv(hook.MODE_ENV, "native")
    (site / "mod.pys").write_text(module_source)
    with pytest.raises(ImportError, match="cannot build natively: C compiler 'no-such-cc-xyz' not found"):
        importlib.import_module("mod")


@pytest.mark.parametrize("mode", ["auto", "jit"])
def test_jit_without_a_compiler_or_on_request(
    module_source: str, site: Path, standin_compiler: Any, monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    monkeypatch.setenv("CC", "no-such-cc-xyz")
    monkeypatch.setenv(hook.MODE_ENV, mode)
    (site / "mod.pys").write_text(module_source)
    mod = importlib.import_module("mod")
    assert (mod.X, mod.twice(4), mod.__file__) == (3, 8, str(site / "mod.pys"))
    assert entries(site / "__pycache__") == []
