"""Specialization: each C API call that has a fast path (tir/fastpaths.py) calls the helper instead,
which does the work inline when its operands are exactly the builtin classes it knows and calls the
same C API function otherwise; a method call `o.append(x)` is marked to call PyList_Append when `o`
is exactly a list (whose type no one can change, so its `append` is list.append). A helper returns what the function returns, so ownership and error
handling (already inserted) stay as they are; the choice is made here, never in the emitter.
"""

from __future__ import annotations

from pymigrate.codegen.tir.fastpaths import FAST, METHODS
from pymigrate.codegen.tir.ops import CallC, FuncTIR, LoadMethod, Vectorcall


def specialize(func: FuncTIR) -> None:
    for blk in func.blocks:
        for op in blk.ops:
            if isinstance(op, CallC) and op.fname in FAST:
                op.fname = FAST[op.fname]
            elif isinstance(op, Vectorcall) and isinstance(op.fn, LoadMethod) and not op.kwnames:
                if (op.fn.name, len(op.args)) in METHODS:
                    op.fast = op.fn.name
