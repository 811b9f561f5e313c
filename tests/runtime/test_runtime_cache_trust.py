"""The compile cache trusts nothing it did not make (each attack of issue 15, then the fix).

The suite runs as root in CI, so another local user is simulated with os.chown to an unused
uid; group- and world-writable modes are set with chmod. A planted entry is a real shared object
(built by the stand-in compiler from other source) named with the victim's key and its own
correct content digest, exactly what an attacker can produce.
"""

from __future__ import annotations

import importlib
import os
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from pymigrate.codegen import build
from pymigrate.runtime import cache

OTHER_UID = 54321
VICTIM = "VALUE = add(1, 2)\n"


@pytest.fixture
def site(pys_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setattr(cache, "_warned", set(), raising=False)
    return pys_site


def _planted(directory: Path, site: Path, standin_compiler: Any, tmp_path: Path) -> Path:
    """A shared object that sets PLANTED, named as the cached `mod` of VICTIM would be."""
    evil_source = tmp_path / "evil.pys"
    evil_source.write_text("PLANTED = True\nVALUE = 666\n")
    _result, compiled = build.compile_source(evil_source, "mod")
    built = build.build_shared_object(compiled, evil_source, "mod", tmp_path / "evil.so")
    key = cache.entry_key(VICTIM.encode(), "mod")
    stem = "mod"
    digest = cache.content_digest(built)
    directory.mkdir(parents=True, exist_ok=True)
    entry = directory / f"{stem}.pymigrate-{key}.{digest}.so"
    shutil.copyfile(built, entry)
    os.chmod(entry, 0o755)
    return entry


def _import_victim(site: Path) -> Any:
    (site / "mod.pys").write_text(VICTIM)
    return importlib.import_module("mod")


@pytest.mark.parametrize(
    ("owner", "mode", "reason"),
    [
        (None, 0o1777, "is writable by group and others \\(mode 1777\\)"),
        (OTHER_UID, 0o755, f"is owned by another user \\(uid {OTHER_UID}\\)"),
    ],
    ids=["world-writable", "other-owner"],
)
def test_untrusted_cache_dir_is_not_used(
    site: Path,
    standin_compiler: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    owner: int | None,
    mode: int,
    reason: str,
) -> None:
    shared = tmp_path / "shared"
    entry = _planted(shared, site, standin_compiler, tmp_path)
    os.chown(entry, OTHER_UID, OTHER_UID)
    if owner is not None:
        os.chown(shared, owner, owner)
    os.chmod(shared, mode)
    monkeypatch.setenv(cache.CACHE_ENV, str(shared))
    with pytest.warns(cache.CacheWarning, match=f"cache directory {shared} {reason}: not used"):
        mod = _import_victim(site)
    assert (mod.VALUE, hasattr(mod, "PLANTED")) == (3, False)
    assert [p.name for p in shared.iterdir()] == [entry.name]  # nothing of ours written there either


@pytest.mark.parametrize("attack", ["other-owner", "group-writable", "world-writable"])
def test_untrusted_entry_in_a_trusted_dir_is_not_loaded(
    site: Path, standin_compiler: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, attack: str
) -> None:
    shared = tmp_path / "mine"
    shared.mkdir(mode=0o700)
    entry = _planted(shared, site, standin_compiler, tmp_path)
    if attack == "other-owner":
        os.chown(entry, OTHER_UID, OTHER_UID)
        reason = f"is owned by another user \\(uid {OTHER_UID}\\)"
    else:
        os.chmod(entry, 0o775 if attack == "group-writable" else 0o757)
        reason = "is writable by " + ("its group \\(mode 775\\)" if attack == "group-writable" else "group and others \\(mode 757\\)")
    monkeypatch.setenv(cache.CACHE_ENV, str(shared))
    with pytest.warns(cache.CacheWarning, match=f"cache entry {entry} {reason}; not loaded"):
        mod = _import_victim(site)
    assert (mod.VALUE, hasattr(mod, "PLANTED")) == (3, False)


def test_default_locations_are_checked_too(site: Path, standin_compiler: Any, tmp_path: Path) -> None:
    pycache = site / "__pycache__"
    _planted(pycache, site, standin_compiler, tmp_path)
    os.chmod(pycache, 0o777)
    with pytest.warns(cache.CacheWarning, match=f"cache directory {pycache} is writable by group and others"):
        mod = _import_victim(site)
    assert (mod.VALUE, hasattr(mod, "PLANTED")) == (3, False)
    user_cache = tmp_path / "xdg" / "pymigrate"
    assert len(list(user_cache.glob("mod.pymigrate-*.so"))) == 1  # the entry went to the user cache
    assert stat_mode(user_cache) == 0o700


def test_the_user_cache_directory_is_checked_too(site: Path, standin_compiler: Any, tmp_path: Path) -> None:
    """The last default place (`$XDG_CACHE_HOME/pymigrate`, used when `__pycache__` is not): an entry
    planted there while the directory was left writable by others is not loaded."""
    pycache = site / "__pycache__"
    pycache.mkdir()
    os.chmod(pycache, 0o777)
    user_cache = tmp_path / "xdg" / "pymigrate"
    _planted(user_cache, site, standin_compiler, tmp_path)
    os.chmod(user_cache, 0o777)
    with pytest.warns(cache.CacheWarning) as record:
        mod = _import_victim(site)
    assert (mod.VALUE, hasattr(mod, "PLANTED")) == (3, False)
    messages = {str(w.message) for w in record}
    for where in (pycache, user_cache):
        assert f"pymigrate cache directory {where} is writable by group and others (mode 777): not used " \
            "(compiled modules are not loaded from it)" in messages, messages


def stat_mode(path: Path) -> int:
    return os.stat(path).st_mode & 0o7777


def test_a_trusted_entry_is_still_loaded(site: Path, standin_compiler: Any, tmp_path: Path) -> None:
    """The checks do not refuse the cache's own entries (the default location)."""
    _import_victim(site)
    del sys.modules["mod"]

    def compile_again(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("compiled again: the cache's own entry was refused")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(build, "compile_source", compile_again)
        assert importlib.import_module("mod").VALUE == 3


def test_the_hook_compiles_the_bytes_it_hashed(
    site: Path, standin_compiler: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An edit between hashing and compiling must not be cached under the old source's key."""
    real_slot_for = cache.slot_for

    def slot_then_edit(source: str, module_name: str, source_bytes: bytes) -> Any:
        slot = real_slot_for(source, module_name, source_bytes)
        Path(source).write_text("VALUE = add(40, 2)\n")  # the user saves an edit just now
        return slot

    monkeypatch.setattr(cache, "slot_for", slot_then_edit)
    assert _import_victim(site).VALUE == 3
    monkeypatch.setattr(cache, "slot_for", real_slot_for)
    del sys.modules["mod"]
    assert importlib.import_module("mod").VALUE == 42  # the edit, under its own key
    (site / "mod.pys").write_text(VICTIM)
    del sys.modules["mod"]
    assert importlib.import_module("mod").VALUE == 3  # and the old key still holds the old code


def test_a_directory_at_the_entry_path_is_reported(site: Path, standin_compiler: Any, tmp_path: Path) -> None:
    mod = _import_victim(site)
    [entry] = (site / "__pycache__").glob("mod.pymigrate-*.so")
    del sys.modules["mod"]
    entry.unlink()
    entry.mkdir()
    with pytest.warns(cache.CacheWarning) as record:
        assert importlib.import_module("mod").VALUE == 3
    messages = [str(w.message) for w in record]
    assert f"pymigrate cache entry {entry} is a directory, not a cache entry; remove it; not loaded" in messages
    assert any(m.startswith("pymigrate cache: cannot write") and "compiled again at every import" in m for m in messages)
    del mod
