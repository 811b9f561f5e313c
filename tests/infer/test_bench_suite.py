"""The ten-package benchmark's ground truth from stubs and its scoring (benchmarks/infer/suite.py)."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks" / "infer"))

from suite import Result, _canonical, _score, _stub_file, stub_truth, summary  # noqa: E402

STUB = '''
from _typeshed import Incomplete
from typing import Any, TypeVar, overload

_T = TypeVar("_T")

def first(seq: list[_T]) -> _T: ...
def loose(x: Incomplete) -> int: ...
def keys(d: dict[str, Any]) -> list[str]: ...
def pos(__x: int, /) -> str: ...
@overload
def pick(x: int) -> int: ...
@overload
def pick(x: str) -> str: ...

class Box:
    def put(self, item: object) -> None: ...
'''

SOURCE = '''
def first(seq):
    return seq[0]
def loose(x):
    return 1
def keys(d):
    return list(d)
def pos(x):
    return str(x)
def pick(x):
    return x
class Box:
    def put(self, item):
        pass
def unstubbed(y):
    return y
'''


def test_stub_truth_skips_incomplete_and_overloads(tmp_path: Path) -> None:
    stub = tmp_path / "m.pyi"
    stub.write_text(textwrap.dedent(STUB))
    truth, positions, typevars, _ = stub_truth("m.py", stub)
    assert truth == {("m.py", "first", "param:seq"): "list[_T]", ("m.py", "first", "return"): "_T",
                     ("m.py", "loose", "return"): "int", ("m.py", "keys", "param:d"): "dict[str, Any]",
                     ("m.py", "keys", "return"): "list[str]", ("m.py", "pos", "param:__x"): "int",
                     ("m.py", "pos", "return"): "str", ("m.py", "Box.put", "param:item"): "object",
                     ("m.py", "Box.put", "return"): "None"}
    assert positions["pos"] == ["__x"] and typevars == {"_T"}


def test_scoring_matches_by_position_and_renames_type_variables(tmp_path: Path) -> None:
    stub = tmp_path / "pkg-stubs" / "m.pyi"
    stub.parent.mkdir()
    stub.write_text(textwrap.dedent(STUB))
    assert _stub_file(tmp_path, "pkg/m.py") == stub
    source = tmp_path / "m.py"
    source.write_text(textwrap.dedent(SOURCE))
    truth, positions, typevars, aliases = stub_truth("m.py", stub)
    inferred = {("m.py", "first", 0, "param:seq"): "list[T]", ("m.py", "first", 0, "return"): "T",
                ("m.py", "keys", 0, "param:d"): "dict[str, object]", ("m.py", "pos", 0, "param:x"): "int",
                ("m.py", "pos", 0, "return"): "str", ("m.py", "Box.put", 0, "return"): "None",
                ("m.py", "unstubbed", 0, "return"): "int"}
    result = Result("m")
    _score(result, truth, inferred, {("m.py", q): n for q, n in positions.items()}, {"m.py": typevars | {"T"}},
           aliases, [source], tmp_path)
    # 9 slots: first (2), loose (1), keys (2), pos (2, the stub's __x is the source's x), Box.put (2)
    assert (result.slots, result.covered, result.exact, result.any_slots) == (9, 6, 5, 1)
    assert "  wrong  m.py:keys param:d  want dict[str, Any]  got dict[str, object]" in result.misses


def test_type_variables_compare_by_order_of_appearance() -> None:
    assert _canonical(["Callable[[_T], _S]", "Iterable[_T]", "Iterator[_S]"], {"_T", "_S"}) == \
        _canonical(["Callable[[A], B]", "Iterable[A]", "Iterator[B]"], {"A", "B"})
    assert _canonical(["_T", "_S"], {"_T", "_S"}) != _canonical(["A", "A"], {"A"})


def test_summary_counts_a_failed_package_as_zero() -> None:
    ok = Result("a", slots=10, covered=10, exact=9)
    failed = Result("b", failed="timeout after 900s")
    lines = summary([ok, failed])
    assert lines[0].split()[:4] == ["mean", "10", "45.0%", "50.0%"]
    assert lines[1] == "worst: b (0.0% exact, 0.0% coverage)"
