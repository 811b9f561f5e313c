"""f-string joins without the tuple: the builder joins an f-string's parts with PyUnicode_Join over
a new tuple (PyTuple_New, one PyTuple_SetItem per part); this pass makes that one call of a helper
that joins the parts from an array on the stack (`_PyUnicode_JoinArray`, what CPython's BUILD_STRING
calls on its stack), so no tuple is made and freed per f-string. Same result and errors: the parts
are all evaluated before, in the same order; the helper does not take their references, so the
reference counting pass (after this one) releases them after the join.
"""

from __future__ import annotations

from pymigrate.codegen.tir.ops import OBJECT, CallC, FuncTIR, Integer, Op


def _is_call(op: Op, fname: str) -> bool:
    return isinstance(op, CallC) and op.fname == fname


def join_without_tuple(func: FuncTIR) -> None:
    for blk in func.blocks:
        i = 0
        while i < len(blk.ops):
            new = blk.ops[i]
            if not (_is_call(new, "PyTuple_New") and isinstance(new, CallC)):
                i += 1
                continue
            size = new.args[0]
            n = size.value if isinstance(size, Integer) else -1
            sets = blk.ops[i + 1:i + 1 + n]
            end = i + 1 + n
            # the constant separator may be loaded between the stores and the join
            between = blk.ops[end:end + 2]
            join = next((op for op in between if _is_call(op, "PyUnicode_Join")), None)
            stores_ok = n > 0 and len(sets) == n and all(
                isinstance(s, CallC) and s.fname == "PyTuple_SetItem" and s.args[0] is new
                and isinstance(s.args[1], Integer) and s.args[1].value == k for k, s in enumerate(sets))
            if not (stores_ok and isinstance(join, CallC) and join.args[1] is new
                    and all(op is join or not isinstance(op, CallC) for op in between[:between.index(join) + 1])):
                i += 1
                continue
            parts = [s.args[2] for s in sets if isinstance(s, CallC)]
            other_uses = [op for b in func.blocks for op in b.ops
                          if op not in sets and op is not join and new in op.sources()]
            if other_uses:
                i += 1
                continue
            join.fname = f"pmo.fast.join_parts.{n}"
            join.args = [join.args[0], *parts]
            join.type = OBJECT
            del blk.ops[i:end]
    return None
