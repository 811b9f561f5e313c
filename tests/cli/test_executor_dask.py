"""`--executor dask://host:port`: analyze's batches and migrate's per-module stages on the workers of a Dask
distributed cluster (a LocalCluster of two worker processes, started here) give exactly what a local run
gives; a scheduler that cannot be reached is a clear error, before any work."""

from __future__ import annotations

import os
import shutil
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from distributed import LocalCluster

from pymigrate import executor
from pymigrate.cli import main

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    """A fresh two-worker cluster (worker processes: every job and result is serialized)."""
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as local:
        yield local


@pytest.fixture
def scheduler(cluster: LocalCluster) -> str:
    address = cluster.scheduler_address
    assert address.startswith("tcp://")
    return "dask://" + address[len("tcp://"):]


def _tasks(cluster: LocalCluster, function: str) -> int:
    """How many tasks of `function` reached the workers' memory (done), by the scheduler's task prefixes
    (a key's prefix is its function's name, leading underscores dropped)."""
    state = cluster.scheduler.task_prefixes.get(function.lstrip("_"))
    return 0 if state is None else int(state.state_counts["memory"])


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_analyze_on_dask_reports_what_a_local_run_reports(
        cluster: LocalCluster, scheduler: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "pkg"
    shutil.copytree(REPO / "pymigrate" / "analyze", source, ignore=shutil.ignore_patterns("__pycache__"))
    local = _run(capsys, "analyze", str(source), "--format", "json", "--no-cache", "-j", "1")
    assert local[0] in (0, 1) and '"functions"' in local[1]
    remote = _run(capsys, "analyze", str(source), "--format", "json", "--no-cache", "--executor", scheduler)
    assert remote == local
    assert _tasks(cluster, "_shipped_batch") > 0


def test_analyze_on_dask_uses_this_machines_cache(
        cluster: LocalCluster, scheduler: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("PYMIGRATE_CACHE_DIR", str(tmp_path / "cache"))
    source = tmp_path / "pkg"
    shutil.copytree(REPO / "pymigrate" / "migrate", source, ignore=shutil.ignore_patterns("__pycache__"))
    local = _run(capsys, "analyze", str(source), "--format", "json", "--no-cache", "-j", "1")
    before = _tasks(cluster, "_shipped_batch")
    assert _run(capsys, "analyze", str(source), "--format", "json", "--executor", scheduler) == local
    filled = _tasks(cluster, "_shipped_batch")
    assert filled > before and any((tmp_path / "cache" / "analyze").rglob("*"))
    assert _run(capsys, "analyze", str(source), "--format", "json", "--executor", scheduler) == local
    assert _tasks(cluster, "_shipped_batch") == filled          # every file answered here, from the cache
    (source / "lock.py").write_text("def changed(x):\n    return x\n", encoding="utf-8")
    changed = _run(capsys, "analyze", str(source), "--format", "json", "--executor", scheduler)
    assert _tasks(cluster, "_shipped_batch") == filled + 1      # the changed file alone went to a worker
    assert changed == _run(capsys, "analyze", str(source), "--format", "json", "--no-cache", "-j", "1")


def test_migrate_on_dask_prints_what_a_local_run_prints(
        cluster: LocalCluster, scheduler: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "src" / "pkg"
    root.mkdir(parents=True)
    monkeypatch.chdir(root.parent)
    monkeypatch.setenv("PYMIGRATE_NO_CACHE", "1")
    files = {"__init__.py": "", "lib.py": "def make() -> int:\n    return 1\n",
             "app.py": "from pkg.lib import make\n\n\ndef build():\n    return make()\n",
             "other.py": "def twice(n: int):\n    return n * 2\n"}
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
        os.utime(root / name, (time.time() - 5, time.time() - 5))
    local = _run(capsys, "migrate", str(root), "-j", "1")
    assert "fn twice(n: int) raises -> int:" in local[1]
    assert _run(capsys, "migrate", str(root), "--executor", scheduler) == local
    assert _tasks(cluster, "_migrate_job") == len(files)
    assert _run(capsys, "migrate", str(root), "--write", "--executor", scheduler)[0] == 0
    assert sorted(p.name for p in root.iterdir() if p.is_file()) == ["__init__.py", "app.py", "lib.pys", "other.pys"]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_an_unreachable_scheduler_is_a_clear_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(executor, "CONNECT_TIMEOUT", 2.0)
    port = _closed_port()
    module = tmp_path / "mod.py"
    module.write_text("def f(x):\n    return x\n", encoding="utf-8")
    code, out, err = _run(capsys, "analyze", str(module), "--no-cache", "--executor", f"dask://127.0.0.1:{port}")
    assert code == 2 and out == ""
    assert f"pymigrate analyze: cannot reach the Dask scheduler at 127.0.0.1:{port} within 2 s" in err
    code, out, err = _run(capsys, "migrate", str(module), "--no-cache", "--executor", f"dask://127.0.0.1:{port}")
    assert code == 1 and out == ""
    assert f"pymigrate migrate: error: cannot reach the Dask scheduler at 127.0.0.1:{port} within 2 s" in err
    assert err.rstrip().endswith("nothing migrated")
