"""`migrate --write` under concurrency and crashes: no module is ever lost or doubled.

Each run is a real process (write_driver.py) over a generated package of 30 modules. The
expected end state is the one an undisturbed run leaves: every module exactly once, as its
`.pys`, with exactly that content, and no temporary file left behind.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

DRIVER = Path(__file__).resolve().parent / "write_driver.py"
MODULES = 30
TIMEOUT = 120


def _make_package(root: Path) -> None:
    root.mkdir()
    for i in range(MODULES):
        (root / f"mod_{i:03d}.py").write_text(
            f"# module {i}\ndef f_{i}(x: int) -> int:\n    y = x + {i}\n    return y\n"
        )


def _driver(root: Path, *extra: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(DRIVER), str(root), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )


def _finish(proc: subprocess.Popen[str]) -> tuple[int, str]:
    _out, err = proc.communicate(timeout=TIMEOUT)
    return proc.returncode, err


@pytest.fixture(scope="module")
def expected(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """What one undisturbed run writes: the ground truth for the disturbed ones."""
    root = tmp_path_factory.mktemp("reference") / "pkg"
    _make_package(root)
    status, err = _finish(_driver(root))
    assert status == 0, err
    files = {p.name: p.read_bytes() for p in root.iterdir()}
    assert sorted(files) == [f"mod_{i:03d}.pys" for i in range(MODULES)]
    return files


def _originals() -> dict[str, bytes]:
    return {
        f"mod_{i:03d}": f"# module {i}\ndef f_{i}(x: int) -> int:\n    y = x + {i}\n    return y\n".encode()
        for i in range(MODULES)
    }


def _check_no_loss(root: Path, expected: dict[str, bytes]) -> None:
    """Every module still there, each file whole: the old `.py` or the finished `.pys`."""
    names = {p.name for p in root.iterdir() if not p.name.startswith(".")}
    for stem, original in _originals().items():
        py, pys = root / f"{stem}.py", root / f"{stem}.pys"
        assert f"{stem}.py" in names or f"{stem}.pys" in names, f"{stem} lost: {sorted(names)}"
        if py.exists():
            assert py.read_bytes() == original
        if pys.exists():
            assert pys.read_bytes() == expected[f"{stem}.pys"]


def _check_exactly_once(root: Path, expected: dict[str, bytes]) -> None:
    assert {p.name: p.read_bytes() for p in root.iterdir()} == expected


@pytest.mark.parametrize("wait", [False, True], ids=["refuse", "wait"])
def test_two_writers_at_once_lose_nothing(tmp_path: Path, expected: dict[str, bytes], wait: bool) -> None:
    for round_ in range(3):
        root = tmp_path / f"pkg{round_}"
        _make_package(root)
        go = tmp_path / f"go{round_}"
        extra = ("--wait",) if wait else ()
        procs = [_driver(root, *extra, env={"PM_GO_FILE": str(go)}) for _ in range(2)]
        time.sleep(1.0)  # both have imported everything and wait at the start line
        go.touch()
        outcomes = [_finish(p) for p in procs]
        _check_exactly_once(root, expected)
        statuses = sorted(status for status, _ in outcomes)
        if wait:
            assert statuses == [0, 0], outcomes
        else:
            # the second run either found nothing left to do or was refused, saying why
            for status, err in outcomes:
                assert status == 0 or "another `pymigrate migrate --write` is writing here" in err, err
            assert 0 in statuses


def test_a_run_refuses_while_another_holds_the_lock(tmp_path: Path) -> None:
    from pymigrate.migrate.lock import write_lock

    root = tmp_path / "pkg"
    _make_package(root)
    before = {p.name: p.read_bytes() for p in root.iterdir()}
    with write_lock([root]):
        status, err = _finish(_driver(root))
    assert status == 1
    assert f"{root.resolve()}: another `pymigrate migrate --write` is writing here; nothing was done" in err
    assert {p.name: p.read_bytes() for p in root.iterdir()} == before


def test_a_writer_killed_at_any_step_loses_nothing_and_the_next_run_finishes(
    tmp_path: Path, expected: dict[str, bytes]
) -> None:
    counted = tmp_path / "steps"
    probe = tmp_path / "probe"
    _make_package(probe)
    assert _finish(_driver(probe, env={"PM_COUNT_TO": str(counted)}))[0] == 0
    steps = int(counted.read_text())
    assert steps >= 3 * MODULES  # at least: write the temp file, link it, remove the .py
    rng = random.Random(15)
    points = sorted({1, 2, 3, steps // 2, steps - 1, *rng.sample(range(1, steps), 5)})
    for point in points:
        root = tmp_path / f"killed_at_{point}"
        _make_package(root)
        status, err = _finish(_driver(root, env={"PM_KILL_AT": str(point)}))
        assert status == -9, f"not killed at step {point} of {steps}: {err}"
        _check_no_loss(root, expected)
        status, err = _finish(_driver(root))
        assert status == 0, err
        _check_exactly_once(root, expected)
        shutil.rmtree(root)
