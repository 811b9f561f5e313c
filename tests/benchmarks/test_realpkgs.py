"""The real-package harness (benchmarks/realpkgs): its pieces, and its fast slice on a real PyPI package
(analyze, migrate --trace, build, the package's own tests before/after/through the hook, a bounded
differential run). The slice is skipped only when the pinned sdist cannot be downloaded."""

from __future__ import annotations

import ast
import hashlib
import sys
from pathlib import Path

import pytest

from benchmarks.realpkgs import differential, pipeline
from benchmarks.realpkgs.__main__ import markdown, parse_args, run_one
from benchmarks.realpkgs.fetch import FetchError, fetch
from benchmarks.realpkgs.packages import FAST, SPECS, Spec
from benchmarks.realpkgs.pipeline import Layout, Result, run_tests


def test_fetch_refuses_an_archive_whose_hash_is_not_the_pinned_one(tmp_path: Path) -> None:
    spec = Spec("nopkg", "1.0", hashlib.sha256(b"the real one").hexdigest(), "nopkg", "true")
    archive = tmp_path / spec.sdist
    archive.write_bytes(b"something else")
    with pytest.raises(ValueError, match="is not the pinned"):
        fetch(spec, tmp_path)
    assert not archive.exists()
    archive.write_bytes(b"the real one")
    assert fetch(spec, tmp_path) == archive


def test_test_counts_are_pytests_own(tmp_path: Path) -> None:
    (tmp_path / "test_x.py").write_text(
        "import pytest\n\ndef test_a():\n    pass\n\ndef test_b():\n    assert 1 == 2\n\n"
        "@pytest.mark.skip(reason='no')\ndef test_c():\n    pass\n\n"
        "@pytest.mark.xfail(strict=True)\ndef test_d():\n    assert False\n\ndef test_e():\n    pass\n")
    spec = Spec("x", "0", "", "x", "{python} -m pytest -q -p no:cacheprovider -o addopts= test_x.py")
    counts = run_tests(spec, tmp_path, tmp_path)
    assert (counts.passed, counts.failed, counts.skipped, counts.xfailed) == (2, 1, 1, 1)
    assert counts.exit == 1


def _value(expr: str) -> object:
    env: dict[str, object] = {}
    exec(differential.PRELUDE + f"v = {expr}", env)
    return env["v"]


def test_generated_inputs_reach_well_beyond_the_traced_types() -> None:
    target = differential.Target("m", "f", 1, 1)
    drawn = differential.inputs(target, 300)
    assert drawn == differential.inputs(target, 300), "inputs are not the same from run to run"
    assert {len(a) for a in drawn} == {1, 2}
    values = [_value(e) for args in drawn for e in args]
    kinds = {type(v).__name__ for v in values}
    assert {"int", "bool", "float", "str", "bytes", "NoneType", "list", "tuple", "dict", "I", "F", "S", "L",
            "builtin_function_or_method", "type"} <= kinds
    assert any(isinstance(v, dict) and v for v in values) and kinds & {"K", "P"}
    assert any(type(v) is int and abs(v) >= 2**63 for v in values)
    assert any(type(v) is float and v != v for v in values)
    assert any(type(v) is float and v in (float("inf"), -float("inf")) for v in values)
    assert [] in values
    assert any(isinstance(v, list) and len({type(x) for x in v}) > 1 for v in values)


def _process_gone(pid: int) -> bool:
    """No such process, or one that ended and waits to be reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in ("Z", "X")


def test_a_traced_migration_past_its_budget_falls_back_to_a_static_one_and_says_so(tmp_path: Path) -> None:
    """The trace command outlives the budget: its whole process group is killed, the package is migrated
    statically from a fresh copy (the typed def still becomes a fn), and the reason is reported."""
    orig = tmp_path / "work" / "orig"
    (orig / "pkg").mkdir(parents=True)
    (orig / "pkg" / "__init__.py").write_text("")
    (orig / "pkg" / "calc.py").write_text("def add(a: int, b: int) -> int:\n    return a + b\n")
    pidfile = tmp_path / "trace.pid"
    sleeper = f"import os, time; open({str(pidfile)!r}, 'w').write(str(os.getpid())); time.sleep(120)"
    spec = Spec("pkg", "0", "", "pkg", f"{{python}} -c \"{sleeper}\"", trace_budget=20.0)
    result = Result("pkg", "0")
    pipeline.migrate(Layout(spec, tmp_path / "work"), result)
    assert result.migrate_mode.startswith("static: the traced run did not finish within its 20 s budget"), \
        result.migrate_mode
    assert any("migrated statically instead" in p for p in result.problems), result.problems
    assert result.migrate_exit == 0, result.problems
    assert result.fns == {"pkg.calc": ["add"]}
    assert pidfile.exists(), "the trace command never ran"
    assert _process_gone(int(pidfile.read_text())), "the traced test run outlived the harness's timeout"


def test_differential_targets_cover_fn_methods_of_ordinary_classes(tmp_path: Path) -> None:
    """A fn method of an ordinary class is called through its class with self among the generated values
    (a def takes any self); a classmethod bound, a property through its getter (once, not its setter)."""
    pkg = tmp_path / "work" / "mig" / "pkg"
    pkg.mkdir(parents=True)
    (pkg / "mod.pys").write_text(
        "class Box:\n"
        "    fn get(self, key: object, default: object = None) -> object:\n        return default\n\n"
        "    @staticmethod\n    fn make(a: object) -> object:\n        return a\n\n"
        "    @classmethod\n    fn named(cls, name: object) -> object:\n        return name\n\n"
        "    @property\n    fn size(self) -> object:\n        return 1\n\n"
        "    @size.setter\n    fn size(self, value: object) -> None:\n        pass\n\n"
        "    def plain(self) -> None:\n        pass\n\n\n"
        "fn top(x: object) -> object:\n    return x\n")
    layout = Layout(Spec("pkg", "0", "", "pkg", "true"), tmp_path / "work")
    result = Result("pkg", "0")
    result.fns = {"pkg.mod": pipeline.upgraded_names(pkg / "mod.pys")}
    assert result.fns["pkg.mod"] == ["Box.get", "Box.make", "Box.named", "Box.size", "top"]
    found = {(t.name, t.required, t.optional, t.expr) for t in differential.targets(layout, result)}
    assert found == {("Box.get", 2, 1, "Box.get"), ("Box.make", 1, 0, "Box.make"), ("Box.named", 1, 0, "Box.named"),
                     ("Box.size", 1, 0, "Box.__dict__['size'].fget"), ("top", 1, 0, "top")}


def test_markdown_tables_of_a_run() -> None:
    """The docs' tables come from a run's JSON: ratios against CPython, pymigrate's time against the
    others', and the reason wherever an implementation has no figure."""
    tests = {"passed": 3, "failed": 0, "skipped": 1, "errors": 0}
    data = {"packages": [{
        "name": "pkg", "version": "1.0", "fn_count": 2, "functions": 5, "migrate_mode": "static: the traced run ...",
        "tests_before": tests, "tests_built": tests, "tests_hook": tests, "steps": {"fetch": 0.1, "migrate": 12.4},
        "differential": {"calls": 50, "differences": []},
        "speed": {"impls": {"mypyc": {"error": "mypy: 1 error"}},
                  "jobs": {"workload": {"compiled": False, "cpython": {"median_s": 0.004, "speedup": 1.0},
                                        "pymigrate": {"median_s": 0.002, "speedup": 2.0},
                                        "cython": {"median_s": 0.0025, "speedup": 1.6},
                                        "mypyc": {"error": "mypy: 1 error"}},
                           "pkg.mod.f": {"compiled": True, "cpython": {"median_s": 0.001, "speedup": 1.0},
                                         "pymigrate": {"error": "result differs from CPython's: 3"},
                                         "cython": {"median_s": 0.0005, "speedup": 2.0},
                                         "mypyc": {"error": "mypy: 1 error"}}}}}]}
    assert markdown(data).splitlines()[2:] == [
        "| pkg 1.0 | 2 / 5 | static | 3 / 0 / 1 | 3 / 0 / 1 | 3 / 0 / 1 | 50 | 0 | migrate 12 |",
        "",
        "| package | job | fn | CPython | pymigrate | Cython | mypyc | pymigrate / Cython | pymigrate / mypyc |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|",
        "| pkg | `workload` |  | 4.00 ms | 2.00x | 1.60x | n/a | 1.25x | n/a |",
        "| pkg | `mod.f` | fn | 1.00 ms | n/a | 2.00x | n/a | n/a | n/a |",
        "",
        "- pkg, mypyc: mypy: 1 error",
        "- pkg, `pkg.mod.f`, pymigrate: result differs from CPython's: 3"]


def test_fast_slice(tmp_path: Path) -> None:
    try:
        fetch(SPECS[FAST])
    except FetchError as exc:
        pytest.skip(f"PyPI cannot be reached: {exc}")
    args = parse_args(["--fast", "--workdir", str(tmp_path), "--json", str(tmp_path / "realpkgs.json")])
    result = run_one(FAST, args)
    before = result.tests_before
    assert before is not None and result.tests_built is not None and result.tests_hook is not None
    assert before.passed > 0 and before.failed == 0 and before.errors == 0, before.tail
    assert result.tests_built.counts() == before.counts(), result.tests_built.tail
    assert result.tests_hook.counts() == before.counts(), result.tests_hook.tail
    assert result.migrate_exit == 0, result.problems
    assert not result.build_failures
    # the analyzer counted every function of the package's modules
    modules = [p for p in (tmp_path / FAST / "orig" / FAST).rglob("*.py")]
    defs = sum(isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
               for p in modules for n in ast.walk(ast.parse(p.read_text(encoding="utf-8"))))
    assert result.functions == defs
    # the object tier reaches real code: defs became fns (idna 3.10: 10 of its 26 module-level functions)
    assert sum(len(names) for names in result.fns.values()) > 0, result.problems
    # every compiled function was called on generated inputs, and agreed with the original
    diff = result.differential
    assert diff["calls"] == args.calls * len(diff["targets"])
    compiled = {f"{module}.{name}" for module, names in result.fns.items() for name in names}
    module_level = {f"{module}.{name}" for module, names in result.fns.items() for name in names if "." not in name}
    assert module_level and module_level <= set(diff["targets"]) <= compiled, diff["targets"]
    assert diff["differences"] == [], diff["differences"]
    assert "error" not in diff


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))
