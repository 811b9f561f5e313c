"""Hand-upgraded modules the analyzer now refuses, to keep the compiler's own fixes under test.

The migrator keeps these defs Python (PM322: an in-place change of a parameter, then a possible
raise), so the pipeline tests no longer reach the bindings' write-back on the error exit. Here the
`.pys` is written by hand as the migrator wrote it before, and run through the import hook (JIT) and
`pymigrate build` against the original under CPython.
"""

from __future__ import annotations

import pytest
from e2e_harness import Package, call, differences, make_package

ORIGINAL = '''
from dataclasses import dataclass


def push_then_check(xs: list[int], v: int) -> int:
    xs.append(v)
    if v < 0:
        raise ValueError("negative value")
    return len(xs)


def scale_until(xs: list[float], k: float) -> None:
    for i in range(len(xs)):
        xs[i] = xs[i] * k
        if xs[i] > 100.0:
            raise OverflowError("too big")


@dataclass
class Acc:
    n: int

    def risky(self, v: int) -> None:
        self.n += v
        if v < 0:
            raise ValueError("negative")
'''

UPGRADED = '''

struct Acc:
    var n: int

    fn __init__(out self, n: int) -> None:
        self.n = n

    fn risky(mut self, v: int) raises -> None:
        self.n += v
        if v < 0:
            raise ValueError("negative")


fn push_then_check(mut xs: list[int], v: int) raises -> int:
    xs.append(v)
    if v < 0:
        raise ValueError("negative value")
    return len(xs)


fn scale_until(mut xs: list[float], k: float) raises -> None:
    for i in range(len(xs)):
        xs[i] = xs[i] * k
        if xs[i] > 100.0:
            raise OverflowError("too big")
'''

CALLS = [
    "xs = [1]\ntry:\n    m.push_then_check(xs, -1)\nexcept ValueError as e:\n    result = (str(e), xs)",
    "xs = [1]; result = (m.push_then_check(xs, 4), xs)",
    "xs = [1.0, 50.0, 3.0]\ntry:\n    m.scale_until(xs, 3.0)\nexcept OverflowError as e:\n    result = (str(e), xs)",
    "xs = [1.0, 2.0]; m.scale_until(xs, 3.0); result = xs",
    "a = m.Acc(1)\ntry:\n    a.risky(-2)\nexcept ValueError:\n    result = a.n",
    "a = m.Acc(1); a.risky(5); result = a",
]


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Package:
    return make_package(tmp_path_factory.mktemp("e2ebind"), "e2ebind", {"wb": ORIGINAL}, upgraded={"wb": UPGRADED})


def test_write_back_on_error_exit(package: Package) -> None:
    found = differences(package, [call("e2ebind.wb", c) for c in CALLS])
    assert not found, "\n".join(map(str, found))
