"""Ratios, goals and the printed tables, computed from a hand-made results document."""

import copy
from typing import Any

from benchmarks import report


def ok(seconds: float) -> dict[str, Any]:
    return {"status": "ok", "median_s": seconds, "samples_s": [seconds], "inner": 1}


def _doc() -> dict[str, Any]:
    kernels = {
        "fib": {"kind": "int", "n": 32, "lines": 12, "tolerance": 0.0, "results": {
            "cpython": ok(0.2), "c": ok(0.002), "pymigrate": ok(0.0025)}},
        "nbody": {"kind": "float", "n": 50000, "lines": 147, "tolerance": 0.0, "results": {
            "cpython": ok(0.18), "c": ok(0.0015),
            "pymigrate": {"status": "wrong result", "reason": "expected 1.0, got 2.0 (exact match required)"}}},
    }
    doc: dict[str, Any] = {
        "version": 1,
        "settings": {"quick": False, "rounds": 5, "target_sample_s": 0.1, "implementations": ["cpython", "c", "pymigrate"]},
        "implementations": {"cpython": {"label": "CPython", "available": True}, "c": {"label": "C", "available": True},
                            "pymigrate": {"label": "pymigrate", "available": True}},
        "kernels": kernels,
        "call_overhead": {"cpython": {"status": "ok", "net_ns": 15.0, "gross_ns": 21.0, "vs_c_extension": 2.0},
                          "c": {"status": "ok", "net_ns": 7.5, "gross_ns": 13.5, "vs_c_extension": 1.0},
                          "pymigrate": {"status": "n/a", "reason": "not built"}},
    }
    doc["medians"], doc["ratios"] = report.kernel_tables(kernels)
    return doc


def test_medians_and_ratios_use_verified_results_only() -> None:
    doc = _doc()
    assert doc["medians"] == {"fib": {"cpython": 0.2, "c": 0.002, "pymigrate": 0.0025}, "nbody": {"cpython": 0.18, "c": 0.0015}}
    fib = doc["ratios"]["fib"]["pymigrate"]
    assert fib["faster_than_cpython"] == 0.2 / 0.0025 and fib["slower_than_c"] == 0.0025 / 0.002
    assert "pymigrate" not in doc["ratios"]["nbody"]


def test_goals_are_met_missed_or_not_measured() -> None:
    doc = _doc()
    goals = {g["goal"]: g for g in report.evaluate_goals(doc)}
    assert goals["integer kernels within 1.5x of C"]["met"] is None  # sieve and fannkuch missing
    assert goals["integer kernels within 1.5x of C"]["detail"] == "not measured: sieve, fannkuch"
    assert goals["call overhead within 1.3x of a C extension"]["met"] is None
    full = copy.deepcopy(doc)
    for name, seconds in (("sieve", 0.004), ("fannkuch", 0.0031)):
        full["ratios"][name] = {"pymigrate": {"slower_than_c": seconds / 0.002}}
    full["call_overhead"]["pymigrate"] = {"status": "ok", "net_ns": 9.0, "gross_ns": 15.0, "vs_c_extension": 1.2}
    goals = {g["goal"]: g for g in report.evaluate_goals(full)}
    assert goals["integer kernels within 1.5x of C"]["met"] is False  # sieve is 2x
    assert goals["integer kernels within 1.5x of C"]["measured"] == "fib 1.25x, sieve 2.00x, fannkuch 1.55x"
    assert goals["call overhead within 1.3x of a C extension"]["met"] is True


def test_formatting_of_times_and_ratios() -> None:
    assert [report.fmt_seconds(s) for s in (2.5, 0.0123, 4.2e-5, 3e-8)] == ["2.50 s", "12.3 ms", "42.0 us", "30 ns"]
    assert [report.fmt_ratio(r) for r in (1.0, 1.149, 12.34, 294.2)] == ["1.00x", "1.15x", "12.3x", "294x"]


EXPECTED_TABLE = """\
Kernels: median seconds per call, 5 interleaved rounds, full; every counted result equals CPython's
kernel      n   CPython       C         pymigrate
------  -----  --------  ------  ----------------
fib        32  200.0 ms  2.0 ms            2.5 ms
nbody   50000  180.0 ms  1.5 ms  wrong result [1]

x faster than CPython (higher is better)
kernel  n  CPython     C  pymigrate
------  -  -------  ----  ---------
fib          1.00x  100x      80.0x
nbody        1.00x  120x          -

x slower than C (lower is better; 1.00x = C speed)
kernel  n  CPython      C  pymigrate
------  -  -------  -----  ---------
fib           100x  1.00x      1.25x
nbody         120x  1.00x          -

Call overhead of add1(x) (net of the timing loop; lower is better)
implementation  per call  with loop  vs C extension
--------------  --------  ---------  --------------
CPython          15.0 ns    21.0 ns           2.00x
C                 7.5 ns    13.5 ns           1.00x
pymigrate        n/a [2]

Notes:
  [1] pymigrate: expected 1.0, got 2.0 (exact match required)
  [2] pymigrate: not built
"""


def test_report_table_text() -> None:
    assert report.format_report(_doc()) == EXPECTED_TABLE


def test_compile_and_import_goals() -> None:
    doc = _doc()
    doc["compiler_phases"] = {
        "fib": {"lines": 12, "seconds": {"front end": 0.01, "LLVM": 0.02, "whole build": 0.2}},
        "compile200": {"lines": 240, "seconds": {"front end": 0.09, "LLVM": 0.42, "whole build": 0.62}},
    }
    doc["imports"] = {"module": "spectral_norm", "pymigrate": {"cached": {"import_s": 0.0007, "first_call_s": 1e-5}},
                      "pymigrate-hook": {"cached": {"import_s": 0.025, "first_call_s": 1e-5}}}
    goals = {g["goal"]: g for g in report.evaluate_goals(doc)}
    compile_goal = goals["a 200-line module compiles in under 1 s"]
    assert (compile_goal["met"], compile_goal["measured"]) == (True, "compile200 (240 lines): 0.62 s")
    assert goals["cached import under 20 ms (built extension module)"]["met"] is True
    hook = goals["cached import under 20 ms (import hook)"]
    assert (hook["met"], hook["measured"]) == (False, "25.0 ms")
    doc["compiler_phases"] = {"fib": doc["compiler_phases"]["fib"]}
    assert {g["goal"]: g for g in report.evaluate_goals(doc)}["a 200-line module compiles in under 1 s"]["met"] is None
