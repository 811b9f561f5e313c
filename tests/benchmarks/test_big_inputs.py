"""Big inputs stay linear (issue 15: a generated 5 MB module took 128 s to `parse` and over 400 s to
`analyze`; an 8 MB list literal 105 s to `analyze`). The figures are benchmarks/bench_big.py's; this
checks, without timing anything, the cause that made every command superlinear: garbage collections
while a tree of millions of nodes is built, each walking every object the tree already holds. With
the collector paused (sourcefile.gc_paused) a stage collects a bounded number of times whatever the
module's size, where it collected once per 700 new objects before."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from benchmarks.bench_big import generate
from pymigrate.analyze import analyze_file, analyze_source
from pymigrate.config import Config
from pymigrate.migrate.pipeline import Options, Stages, migrate_source
from pymigrate.superset.command import check_file


@contextmanager
def collections() -> Iterator[list[int]]:
    """The generation of each collection that starts inside the block."""
    seen: list[int] = []

    def record(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            seen.append(info["generation"])

    gc.callbacks.append(record)
    try:
        yield seen
    finally:
        gc.callbacks.remove(record)


def _module(tmp_path: Path, size: int) -> tuple[Path, int]:
    """`size` bytes of typed functions and a list literal of a quarter as many ints."""
    text, functions = generate(size)
    path = tmp_path / f"big_{size}.py"
    path.write_text(text + "DATA = [" + ", ".join(str(i) for i in range(size // 4)) + "]\n")
    return path, functions


def _run(stage: str, path: Path, functions: int) -> None:
    if stage == "parse":
        assert check_file(path) is None
    elif stage in ("analyze", "analyze-probe"):
        assert analyze_file(path, Config(), use_probe=stage == "analyze-probe").error is None
    else:
        stages = Stages(infer=lambda *a, **k: None, annotate=lambda module, types: module,
                        analyze=lambda s, p, c=None: analyze_source(s, p, c, use_probe=False))
        result = migrate_source(path.read_bytes(), path, None, Options(), stages)
        assert result.error is None and len(result.fns) == functions


@pytest.mark.parametrize("stage", ["parse", "analyze", "analyze-probe", "migrate"])
def test_a_stage_collects_a_bounded_number_of_times_whatever_the_size(tmp_path: Path, stage: str) -> None:
    counts = []
    for size in (5_000, 20_000) if stage == "migrate" else (20_000, 80_000):
        path, functions = _module(tmp_path, size)
        with collections() as seen:
            _run(stage, path, functions)
        counts.append(len(seen))
    assert counts[1] <= 2 and counts[1] <= counts[0] + 1, counts
