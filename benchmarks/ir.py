"""`python -m benchmarks.ir MODULE.pys [--raw | --asm] [--function NAME]`: the LLVM IR the
compiler produces for a module, after the same O3 pipeline `pymigrate build` runs (or before it,
with --raw), or the machine code (--asm). The evidence behind docs/performance.md.
"""

from __future__ import annotations

import argparse
import importlib
import re
import sys
from pathlib import Path
from typing import Any


def optimized(llvm_ir: str, *, asm: bool) -> str:
    """The module after the compiler's own O3 pipeline for the host CPU (pymigrate.codegen.target)."""
    llvm: Any = importlib.import_module("llvmlite.binding")
    target: Any = importlib.import_module("pymigrate.codegen.target")
    llvm.initialize_native_target()
    llvm.initialize_native_asmprinter()
    module = llvm.parse_assembly(llvm_ir)
    machine = target.host_target_machine(3)
    module.triple = machine.triple
    module.data_layout = str(machine.target_data)
    target.optimize(module, 3)
    return str(machine.emit_assembly(module)) if asm else str(module)


def only_function(text: str, name: str, *, asm: bool = False) -> str:
    """The definition(s) whose symbol contains `name` (an IR `define`, or an asm function label)."""
    keep: list[str] = []
    inside = False
    for line in text.splitlines():
        if asm:
            start = re.match(r'^"?([\w$][\w.$]*)"?:', line)  # function labels; blocks are .LBB...
        else:
            start = re.match(r'define .*@"?([\w.$]+)"?\(', line)
        if start:
            inside = name in start.group(1)
        if inside:
            keep.append(line)
        if inside and not asm and line == "}":
            inside = False
    return "\n".join(keep) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.ir", description=__doc__)
    parser.add_argument("source", type=Path)
    parser.add_argument("--raw", action="store_true", help="the IR as the compiler emits it (before O3)")
    parser.add_argument("--asm", action="store_true", help="machine code for this CPU instead of IR")
    parser.add_argument("--function", help="only definitions whose symbol contains this text")
    args = parser.parse_args(argv)
    parse = importlib.import_module("pymigrate.superset").parse
    compile_module = importlib.import_module("pymigrate.codegen").compile_module
    source: Path = args.source
    compiled = compile_module(parse(source.read_text(encoding="utf-8"), str(source)), source.stem)
    text = compiled.llvm_ir if args.raw else optimized(compiled.llvm_ir, asm=args.asm)
    print(only_function(text, args.function, asm=args.asm) if args.function else text, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
