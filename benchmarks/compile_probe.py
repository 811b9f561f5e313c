"""`python -m benchmarks.compile_probe FILE.pys [--whole]`: the compiler's phases on one module,
timed in a process whose imports are already done (so the numbers are the compiler's work, not the
interpreter's start-up).

Prints one JSON object. Default: front_end_s (parse, check, lower to LLVM IR) and llvm_s (LLVM O3
and machine code). With --whole: build_file_s (everything `pymigrate build` does for the file:
front end, LLVM, the C entry point, link, stub). Each runs in its own process and compiles the
module once, so neither measurement sees caches warmed by the other.
"""

from __future__ import annotations

import importlib
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

WARM_UP = "fn _warm_up(x: int) raises -> int:\n    return x + 1\n"


def main(argv: list[str]) -> int:
    source = Path(argv[0]).resolve()
    whole = "--whole" in argv[1:]
    build = importlib.import_module("pymigrate.codegen.build")
    result: dict[str, float | int] = {"lines": len(source.read_text(encoding="utf-8").splitlines())}
    with tempfile.TemporaryDirectory(prefix="bench-compile-") as tmp:
        warm = Path(tmp) / "_warm_up.pys"
        warm.write_text(WARM_UP)
        build.build_file(warm, stubs=False)  # first use: imports, target machine, C toolchain probe
        copy = Path(tmp) / source.name
        shutil.copy(source, copy)
        if whole:
            start = time.perf_counter()
            build.build_file(copy)
            result["build_file_s"] = time.perf_counter() - start
        else:
            start = time.perf_counter()
            _, compiled = build.compile_source(copy, source.stem)
            result["front_end_s"] = time.perf_counter() - start
            start = time.perf_counter()
            build.emit_object(compiled.llvm_ir, name=source.stem)
            result["llvm_s"] = time.perf_counter() - start
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))


COMBINED_ORDER = ("nbody", "mandelbrot", "sieve", "fib", "spectral_norm", "fannkuch", "matmul", "text")
_METADATA = ("SMALL", "LARGE", "KIND", "TOLERANCE")


def combined_module(kernels_dir: Path, out: Path, min_lines: int = 200) -> Path | None:
    """A real module of at least `min_lines` lines for the compile-time goal: the hand-migrated
    kernels one after another (their names do not clash), without docstrings and metadata."""
    lines: list[str] = ['"""The hand-migrated kernels in one module (compile-time benchmark)."""', "", "import math", ""]
    for name in COMBINED_ORDER:
        pys = kernels_dir / f"{name}.pys"
        if not pys.exists():
            continue
        text = pys.read_text(encoding="utf-8")
        body = text.split('"""', 2)[2] if text.startswith('"""') else text
        for line in body.splitlines():
            if line.startswith("import math") or line.split(" =")[0] in _METADATA:
                continue
            lines.append(line)
        if len(lines) >= min_lines:
            break
    if len(lines) < min_lines:
        return None
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")
    return out
