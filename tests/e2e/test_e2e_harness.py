"""The harness itself: a crash is caught and pinned to its call, outcomes compare exactly."""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any

import e2e_harness
import pytest
from e2e_harness import Package, call, run_calls
from e2e_runner import canon

CRASHY = '''
import ctypes


def ok(x):
    return x + 1


def crash():
    ctypes.string_at(0)


def boom(x):
    raise KeyError(x)


def hang():
    while True:
        pass
'''


def _package(tmp_path: Path) -> Package:
    pkg = Package(tmp_path, "e2eself", {"crashy": CRASHY})
    mod_dir = pkg.dir("cpython") / "e2eself"
    mod_dir.mkdir(parents=True)
    (mod_dir / "__init__.py").write_text("")
    (mod_dir / "crashy.py").write_text(CRASHY)
    return pkg


def test_crash_is_pinned_and_run_goes_on(tmp_path: Path) -> None:
    pkg = _package(tmp_path)
    items: list[dict[str, Any]] = [{"module": "e2eself.crashy", "call": "ok", "args": (1,)},
             {"module": "e2eself.crashy", "call": "crash", "args": ()},
             {"module": "e2eself.crashy", "call": "boom", "args": ("k",)},
             call("e2eself.crashy", "xs = [1]; xs.append(2); result = xs")]
    out = run_calls(pkg, "cpython", items)
    assert out[0][2] == ("return", ("int", 2), ("list", [("int", 1)]))
    assert out[1][0] == "crash" and out[1][1] == "SIGSEGV"
    assert out[2][2] == ("raise", "KeyError", "'k'", ("list", [("str", "k")]))
    assert out[3][2] == ("return", ("list", [("int", 1), ("int", 2)]), ("list", []))
    assert out[0][1].endswith("crashy.py")


def test_a_call_that_prints_or_reads_stdin_cannot_corrupt_the_protocol(tmp_path: Path) -> None:
    """chardet 5.2.0's `cli.chardetect.main`, called by the real-package harness, printed
    `<stdin>: no result` among the outcome lines and the whole differential run stopped with a ValueError.
    What a call prints is part of its outcome; stdin is empty; bytes written to fd 1 go to stderr."""
    pkg = _package(tmp_path)
    items: list[dict[str, Any]] = [
        call("e2eself.crashy", "import sys\nprint('<stdin>: no result')\nresult = sys.stdin.read()"),
        call("e2eself.crashy", "import os\nos.write(1, b'7\\tjunk\\n')\nresult = 1"),
        {"module": "e2eself.crashy", "call": "ok", "args": (1,)}]
    out = run_calls(pkg, "cpython", items)
    assert out[0][2] == ("return", ("str", ""), ("list", []), ("printed", "<stdin>: no result\n"))
    assert out[1][2] == ("return", ("int", 1), ("list", []))
    assert out[2][2] == ("return", ("int", 2), ("list", [("int", 1)]))


def test_each_hang_costs_one_call_timeout(tmp_path: Path) -> None:
    """ecdsa 0.19.0: `der.encode_number` of a negative int loops for ever (in CPython too); the runner was
    killed only after its whole budget (timeout + 2 s per call still to run), hours for a real package's
    thousands of calls, once per hang. Now each hang costs `call_timeout` and the run goes on after it."""
    pkg = _package(tmp_path)
    hang: dict[str, Any] = {"module": "e2eself.crashy", "call": "hang", "args": ()}
    items: list[dict[str, Any]] = [hang, {"module": "e2eself.crashy", "call": "ok", "args": (2,)}, hang,
                                   *[{"module": "e2eself.crashy", "call": "ok", "args": (i,)} for i in range(200)]]
    start = time.monotonic()
    out = run_calls(pkg, "cpython", items, timeout=60.0, call_timeout=2.0)
    assert time.monotonic() - start < 45, "a hang waited for more than its call's timeout"
    assert out[0][:2] == out[2][:2] == ("crash", "timeout")
    assert out[1][2] == ("return", ("int", 3), ("list", [("int", 2)]))
    assert out[-1][2] == ("return", ("int", 200), ("list", [("int", 199)]))


def test_canon_is_exact() -> None:
    assert canon(0.0) != canon(-0.0)
    assert canon(float("nan")) == canon(-float("nan"))
    assert canon(1) != canon(1.0) != canon(True)
    assert canon(1) != canon(True)
    assert canon([1, 2]) != canon((1, 2))
    assert canon(math.inf) == ("float", "inf")
    assert canon(2**70) == ("int", 2**70)


def test_hang_is_pinned_and_run_goes_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(e2e_harness, "CALL_TIMEOUT", 3.0)
    pkg = _package(tmp_path)
    items: list[dict[str, Any]] = [{"module": "e2eself.crashy", "call": "hang", "args": ()},
                                   {"module": "e2eself.crashy", "call": "ok", "args": (2,)}]
    out = run_calls(pkg, "cpython", items)
    assert out[0][:2] == ("crash", "timeout")
    assert out[1][2] == ("return", ("int", 3), ("list", [("int", 2)]))
