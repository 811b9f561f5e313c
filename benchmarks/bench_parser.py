"""Superset parser throughput in lines per second, next to CPython's own `ast.parse`.

    python -m benchmarks.bench_parser                 # standard library + superset fixtures
    python -m benchmarks.bench_parser --files 200 --json parser.json

Three workloads: plain Python from the standard library (the fast path: no superset token, the
source goes straight to CPython), the same files forced through the token layer (what a source
that mentions `var` anywhere costs), and superset source (the fixtures, repeated into one module).
"""

from __future__ import annotations

import argparse
import ast
import json
import sys
import time
import warnings
from pathlib import Path
from typing import Callable

from pymigrate.superset import parse
from pymigrate.superset.parser import _Parser
from pymigrate.superset.sourcefile import SourceDecodeError, read_source

ROOT = Path(__file__).resolve().parents[1]


def _stdlib_sources(limit: int | None) -> list[str]:
    import sysconfig

    root = Path(sysconfig.get_paths()["stdlib"])
    sources = []
    for path in sorted(root.rglob("*.py")):
        if "site-packages" in path.parts:
            continue
        try:
            text = read_source(path)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ast.parse(text)
                parse(text)
        except (OSError, SourceDecodeError, SyntaxError, ValueError):
            continue  # the benchmark measures sources that parse
        sources.append(text)
        if limit is not None and len(sources) >= limit:
            break
    return sources


def _superset_source(copies: int) -> str:
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "fixtures" / "superset").glob("*.pys"))]
    return "\n".join(texts * copies)


def _rate(sources: list[str], fn: Callable[[str], object], repeat: int) -> float:
    lines = sum(s.count("\n") + 1 for s in sources)
    best = float("inf")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(repeat):
            start = time.perf_counter()
            for source in sources:
                fn(source)
            best = min(best, time.perf_counter() - start)
    return lines / best


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.bench_parser", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--files", type=int, default=None, help="standard-library files to use (default: all)")
    p.add_argument("--repeat", type=int, default=3, help="timed runs per workload; the best counts")
    p.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = p.parse_args(argv)

    stdlib = _stdlib_sources(args.files)
    superset = [_superset_source(200)]

    def forced(source: str) -> object:
        return _Parser(source, "<bench>").run()

    def cpython(source: str) -> object:
        return ast.parse(source)

    rows: list[tuple[str, list[str], Callable[[str], object]]] = [
        ("plain Python, ast.parse", stdlib, cpython),
        ("plain Python, superset parse", stdlib, parse),
        ("plain Python, token layer forced", stdlib, forced),
        ("superset source, superset parse", superset, parse),
    ]
    results = {}
    print(f"{'workload':<36} {'lines':>9} {'lines/s':>12}")
    for name, sources, fn in rows:
        rate = _rate(sources, fn, args.repeat)
        lines = sum(s.count("\n") + 1 for s in sources)
        results[name] = {"lines": lines, "lines_per_second": round(rate)}
        print(f"{name:<36} {lines:>9} {rate:>12,.0f}")
    if args.json is not None:
        args.json.write_text(json.dumps({"python": sys.version.split()[0], "results": results}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
