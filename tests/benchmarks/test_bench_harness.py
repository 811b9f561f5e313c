"""The harness end to end on small sizes (CPython and C only): every C result is checked equal to
CPython's, wrong results and crashing implementations become n/a cells, results.json has its shape."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema  # type: ignore[import-untyped]
import pytest

from benchmarks import impls, runner
from benchmarks.kernels import Kernel, discover

REPO = Path(__file__).resolve().parents[2]
needs_cc = pytest.mark.skipif(shutil.which("cc") is None, reason="no C compiler")


def _kernel(tmp_path: Path) -> Kernel:
    source = tmp_path / "twice.py"
    source.write_text("SMALL = 3\nLARGE = 4\nKIND = 'int'\nTOLERANCE = 0.0\n\ndef twice(n: int) -> int:\n    return 2 * n\n")
    return Kernel("twice", source, 3, 4, "int", 0.0, "int", 7)


def _c_build(tmp_path: Path, body: str) -> impls.Build:
    c_file = tmp_path / "twice.c"
    c_file.write_text(f"long long twice(long long n) {{ {body} }}\n")
    lib = tmp_path / "libtwice.so"
    subprocess.run([impls.CC, "-O1", "-fPIC", "-shared", str(c_file), "-o", str(lib)], check=True)
    return impls.Build(artifact=str(lib))


def _measure(tmp_path: Path, body: str) -> dict[str, runner.Outcome]:
    kernel = _kernel(tmp_path)
    builds = {"cpython": impls.Build(artifact=str(kernel.path)), "c": _c_build(tmp_path, body)}
    return runner.measure_kernel(kernel, ["cpython", "c"], builds, quick=True, rounds=2, target=0.001, logs=tmp_path / "logs")


@needs_cc
def test_matching_implementation_is_timed(tmp_path: Path) -> None:
    outcomes = _measure(tmp_path, "return 2 * n;")
    assert outcomes["c"].ok and len(outcomes["c"].samples) == 2 and outcomes["c"].median is not None
    assert outcomes["cpython"].ok


@needs_cc
def test_wrong_result_is_not_counted(tmp_path: Path) -> None:
    outcomes = _measure(tmp_path, "return 2 * n + 1;")
    assert outcomes["c"].status == "wrong result"
    assert outcomes["c"].reason == "expected 6, got 7"
    assert outcomes["c"].median is None


@needs_cc
def test_crashing_implementation_becomes_failed_not_a_crash(tmp_path: Path) -> None:
    outcomes = _measure(tmp_path, "*(volatile int *)0 = 0; return n;")
    assert outcomes["c"].status == "failed"
    assert outcomes["c"].reason.startswith("worker died (exit -11)")
    assert outcomes["cpython"].ok


def test_unbuilt_implementation_is_na_with_reason(tmp_path: Path) -> None:
    kernel = _kernel(tmp_path)
    builds = {"cpython": impls.Build(artifact=str(kernel.path)), "c": impls.Build(error="no C version")}
    outcomes = runner.measure_kernel(kernel, ["cpython", "c"], builds, quick=True, rounds=1, target=0.001, logs=tmp_path)
    assert (outcomes["c"].status, outcomes["c"].reason) == ("n/a", "no C version")


@needs_cc
@pytest.mark.slow  # migrates and builds every kernel through the real pipeline
def test_quick_run_of_the_real_harness(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--impl", "cpython,c,pymigrate", "--no-plot",
         "--no-imports", "--build-dir", str(tmp_path / "build"), "--json", str(out)],
        cwd=REPO, capture_output=True, text=True, timeout=900,
    )
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text())
    jsonschema.validate(doc, json.loads((REPO / "benchmarks" / "results.schema.json").read_text()))
    names = {k.name for k in discover()}
    assert set(doc["kernels"]) == names
    for name in names:  # the C and the migrated-and-built versions of every kernel give CPython's result
        for impl in ("c", "pymigrate"):
            assert doc["kernels"][name]["results"][impl]["status"] == "ok", (impl, doc["kernels"][name]["results"][impl])
        assert set(doc["medians"][name]) == {"cpython", "c", "pymigrate"}
        assert doc["ratios"][name]["c"]["slower_than_c"] == 1.0
        compiled = doc["compile"][name]["pymigrate"]
        assert compiled["status"] == "ok" and compiled["seconds"]["migrate"] > 0 and compiled["seconds"]["build"] > 0
        assert not any(note.startswith("0 fn, 0 struct") for note in compiled["notes"]), compiled  # really upgraded
    assert doc["call_overhead"]["c"]["vs_c_extension"] == 1.0
    assert "x slower than C" in proc.stdout and "Call overhead of add1(x)" in proc.stdout


def _cpython(name: str, n: int) -> object:
    module = impls.get("cpython").load(f"_cpython_{name}", "", impls.BENCH_DIR / "kernels" / f"{name}.py", "")
    return getattr(module, name)(n)


@pytest.mark.parametrize("name", ["nbody", "sieve"])
def test_numba_column_runs_the_unchanged_kernel(name: str) -> None:
    pytest.importorskip("numba")
    kernel = next(k for k in discover() if k.name == name)
    module = impls.numba_module(f"_numba_{name}", kernel.path, cache=False)
    assert getattr(module, name)(kernel.small) == _cpython(name, kernel.small)


@pytest.mark.slow
def test_mypyc_column_builds_and_matches(tmp_path: Path) -> None:
    impl = impls.get("mypyc")
    if impl.unavailable():
        pytest.skip(impl.unavailable() or "")
    kernel = next(k for k in discover() if k.name == "fib")
    build = impl.build("fib", kernel.path, tmp_path)
    assert build.error is None and build.seconds["mypyc"] > 0
    outcomes = runner.measure_kernel(kernel, ["cpython", "mypyc"], {"cpython": impls.Build(artifact=str(kernel.path)), "mypyc": build},
                                     quick=True, rounds=1, target=0.001, logs=tmp_path / "logs")
    assert outcomes["mypyc"].ok, outcomes["mypyc"].reason
