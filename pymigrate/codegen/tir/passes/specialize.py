"""Specialization: each C API call that has a fast path (tir/fastpaths.py) calls the helper instead,
which does the work inline when its operands are exactly the builtin classes it knows and calls the
same C API function otherwise; a method call `o.append(x)` is marked to call PyList_Append when `o`
is exactly a list (whose type no one can change, so its `append` is list.append); a call of the global
`len` or `isinstance` is marked to call the builtin's work directly when the global is still the
builtin (PRECALL_NO_KW_LEN, _ISINSTANCE); a call of an object-tier fn of the same module with all its
parameters given by position, to enter its body directly while the global is still its function
object. An attribute load,
store or method load gets a per-site cache (tir/attrcache.py). A helper returns what the function
returns, so ownership and error handling (already inserted) stay as they are; the choice is made
here, never in the emitter.
"""

from __future__ import annotations

from pymigrate.codegen.tir.fastpaths import BUILTIN_CALLS, FAST, METHODS
from pymigrate.codegen.tir.ops import CallC, FuncTIR, LoadConst, LoadGlobal, LoadMethod, Vectorcall

# the attribute calls whose name is a constant str get a cache site (tir/attrcache.py)
CACHED = {"PyObject_GetAttr": "pmo.attr.get", "PyObject_SetAttr": "pmo.attr.set"}


def specialize(func: FuncTIR, callees: dict[str, tuple[str, int]]) -> None:
    for blk in func.blocks:
        for op in blk.ops:
            if isinstance(op, CallC) and op.fname in FAST:
                op.fname = FAST[op.fname]
            elif isinstance(op, CallC) and op.fname in CACHED and _const_str(op.args[1]):
                op.fname = CACHED[op.fname]
            elif isinstance(op, LoadMethod):
                op.cached = True
            elif isinstance(op, Vectorcall) and isinstance(op.fn, LoadMethod) and not op.kwnames:
                if (op.fn.name, len(op.args)) in METHODS:
                    op.fast = op.fn.name
            elif isinstance(op, Vectorcall) and isinstance(op.fn, LoadGlobal) and not op.kwnames and op.recv is None:
                if (op.fn.name, len(op.args)) in BUILTIN_CALLS:
                    op.fast = op.fn.name
                elif callees.get(op.fn.name, ("", -1))[1] == len(op.args):
                    op.direct = callees[op.fn.name][0]


def _const_str(v: object) -> bool:
    return isinstance(v, LoadConst) and type(v.value) is str
