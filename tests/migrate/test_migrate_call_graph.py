"""Upgrades follow the call graph in one run: a driver whose callees become `fn` in this very run (their
types inferred and inserted first) becomes a `fn` too, and the output lists it hands to them are `mut`."""

from __future__ import annotations

import types
from pathlib import Path

from pymigrate.cli import main
from pymigrate.codegen import compile_module
from pymigrate.runtime import jit
from pymigrate.superset import parse

SOURCE = '''def fill_squares(out, n):
    for i in range(n):
        out.append(float(i * i))


def fill_cubes(out, n):
    for i in range(n):
        out.append(float(i * i * i))


def driver(a: list[float], b: list[float], n: int) -> float:
    fill_squares(a, n)
    fill_cubes(b, n)
    total = 0.0
    for i in range(n):
        total += a[i] + b[i]
    return total
'''

EXPECTED = '''fn fill_squares(mut out: list[float], n: int) raises -> None:
    for i in range(n):
        out.append(float(i * i))


fn fill_cubes(mut out: list[float], n: int) raises -> None:
    for i in range(n):
        out.append(float(i * i * i))


fn driver(mut a: list[float], mut b: list[float], n: int) raises -> float:
    fill_squares(a, n)
    fill_cubes(b, n)
    var total = 0.0
    for i in range(n):
        total += a[i] + b[i]
    return total
'''


def test_a_driver_of_output_filling_fns_becomes_a_fn_in_the_same_run(tmp_path: Path) -> None:
    path = tmp_path / "kernel.py"
    path.write_text(SOURCE, encoding="utf-8")
    assert main(["migrate", str(path), "--write"]) == 0
    written = (tmp_path / "kernel.pys").read_text(encoding="utf-8")
    assert written == EXPECTED
    compiled = types.ModuleType("kernel")
    jit.load(compile_module(parse(written, str(tmp_path / "kernel.pys")), "kernel"), compiled)
    plain: dict[str, object] = {}
    exec(compile(SOURCE, "kernel.py", "exec"), plain)
    assert type(compiled.driver).__name__ == "compiled_function"
    drivers = (compiled.driver, plain["driver"])
    for n, start in ((0, [2.5]), (1, [2.5]), (5, [])):
        outputs = [([*start], []) for _ in drivers]  # the lists each reading fills: the same afterwards
        results = [run(a, b, n) for run, (a, b) in zip(drivers, outputs)]  # type: ignore[operator]
        assert results[0] == results[1] and outputs[0] == outputs[1]
        assert len(outputs[0][1]) == n
