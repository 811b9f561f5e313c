"""The JIT is immune to other llvmlite users' entries in LLVM's process-wide symbol table."""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    '''
    import types
    import llvmlite.binding as llvm
    from pymigrate.codegen import compile_module
    from pymigrate.runtime.jit import load
    from pymigrate.superset import parse

    # What Numba does at start-up: the *type object's* address under the C variable's name.
    for exc in (ValueError, ZeroDivisionError, OverflowError, IndexError):
        llvm.add_symbol("PyExc_" + exc.__name__, id(exc))

    SOURCE = """
    fn check(x: Int) raises -> Int:
        if x < 0:
            raise ValueError("negative")
        return 10 // x
    """
    module = types.ModuleType("m")
    load(compile_module(parse(textwrap.dedent(SOURCE), "m.pys"), "m"), module)
    for arg in (-1, 0):
        try:
            module.check(arg)
        except Exception as exc:
            print(type(exc).__name__, exc)
    print(module.check(5))
    '''
)


def test_compiled_exceptions_survive_a_polluted_symbol_table() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", "import textwrap\n" + SCRIPT], capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        "ValueError negative",
        "ZeroDivisionError integer division or modulo by zero",
        "2",
    ]
