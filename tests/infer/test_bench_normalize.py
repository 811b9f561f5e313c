"""The benchmark's definition of an exact match (docs/inference.md)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks" / "infer"))

from normalize import normalize, type_aliases  # noqa: E402


def test_equal_after_normalization() -> None:
    assert normalize("Optional[typing.List[int]]") == normalize("list[int] | None")
    assert normalize("Union[str, int, None]") == normalize("None | int | str")
    assert normalize('"packaging.version.Version"') == normalize("Version")
    assert normalize("int | float") == normalize("float")
    assert normalize("Dict[str, Tuple[int, ...]]") == normalize("dict[str, tuple[int, ...]]")


def test_not_equal() -> None:
    assert normalize("Iterator[str]") != normalize("Generator[str, None, None]")
    assert normalize("object") != normalize("Any")
    assert normalize("list[int]") != normalize("Sequence[int]")


def test_package_aliases_expand() -> None:
    aliases = type_aliases("NumberOrString: TypeAlias = float | str\nInterval = tuple[Lower, Upper]\nx = d[1]\n")
    assert set(aliases) == {"NumberOrString", "Interval"}
    assert normalize("NumberOrString", aliases) == normalize("str | float", aliases)
    assert normalize("Sequence[Interval]", aliases) == normalize("Sequence[tuple[Lower, Upper]]", aliases)
