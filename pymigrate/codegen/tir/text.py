"""A stable text form of the typed IR, for goldens and for reading what a pass did.

Op results are numbered r0, r1... in block order; registers print as their names; a failing op
shows `!` and its line (and `catch L<n>`, its handler block, inside a `try`), a borrowed result
`(borrowed)`.
"""

from __future__ import annotations

from pymigrate.codegen.tir import ops


class _Namer:
    def __init__(self, func: ops.FuncTIR) -> None:
        self.names: dict[int, str] = {}
        n = 0
        for blk in func.blocks:
            for op in blk.ops:
                if op.type.name != "void":
                    self.names[id(op)] = f"r{n}"
                    n += 1

    def __call__(self, v: ops.Value) -> str:
        if isinstance(v, ops.Register):
            return v.name
        if isinstance(v, ops.Integer):
            return "NULL" if v.type.name == "object" else str(v.value)
        return self.names.get(id(v), "?")


def _label(b: ops.BasicBlock) -> str:
    return f"L{b.label}"


def op_text(op: ops.Op, n: _Namer) -> str:
    if isinstance(op, ops.Goto):
        return f"goto {_label(op.target)}"
    if isinstance(op, ops.Branch):
        extra = f" (NULL {n(op.null_on_true)} on true)" if op.null_on_true is not None else ""
        return f"if {n(op.cond)} goto {_label(op.true)} else goto {_label(op.false)}{extra}"
    if isinstance(op, ops.Return):
        return f"return {n(op.value)}"
    if isinstance(op, ops.Unreachable):
        return "unreachable"
    if isinstance(op, ops.Assign):
        return f"{op.dest.name} = {n(op.src)}"
    if isinstance(op, ops.IncRef):
        return f"inc_ref {n(op.value)}"
    if isinstance(op, ops.DecRef):
        return f"{'xdec_ref' if op.xdec else 'dec_ref'} {n(op.value)}"
    if isinstance(op, ops.AddTraceback):
        return f"add_traceback line {op.line}" + (f" in {op.name}" if op.name else "")
    if isinstance(op, ops.LeaveRecursion):
        return "leave_recursion"
    if isinstance(op, ops.RaiseError):
        text = f"raise {op.exc}({op.message!r})" if op.exc is not None else "propagate"
        return text + _catch(op)
    return f"{n(op)} = {_rhs(op, n)}"


def _catch(op: ops.Op) -> str:
    """Where a failure of an op inside a `try` goes: its handler block."""
    return f" catch {_label(op.handler)}" if op.handler is not None and op.error_kind != ops.ERR_NEVER else ""


def _rhs(op: ops.Op, n: _Namer) -> str:
    if isinstance(op, ops.LoadConst):
        text = f"const {op.value!r}"
    elif isinstance(op, ops.LoadGlobal):
        text = f"load_global {op.name}"
    elif isinstance(op, ops.CallC):
        text = f"{op.fname}({', '.join(map(n, op.args))})"
    elif isinstance(op, ops.Vectorcall):
        args = ", ".join(map(n, op.args))
        kw = f" kw={list(op.kwnames)}" if op.kwnames else ""
        text = f"call {n(op.fn)}({args}){kw}" + (f" on {n(op.recv)}" if op.recv is not None else "")
    elif isinstance(op, ops.LoadMethod):
        text = f"load_method {n(op.recv)}.{op.name}"
    elif isinstance(op, ops.Compare):
        text = f"{n(op.left)} {op.op} {n(op.right)}"
    elif isinstance(op, ops.Not):
        text = f"not {n(op.value)}"
    elif isinstance(op, ops.BoxBool):
        text = f"box_bool {n(op.value)}"
    elif isinstance(op, ops.Helper):
        count = f" count={op.count}" if op.count else ""
        text = f"helper {op.name}({', '.join(map(n, op.args))}){count}"
    elif isinstance(op, ops.EnterRecursion):
        text = "enter_recursion"
    else:  # pragma: no cover - every op is listed above
        raise AssertionError(type(op).__name__)
    text += f" :: {op.type}"
    if op.is_borrowed:
        text += " (borrowed)"
    if op.error_kind in (ops.ERR_MAGIC, ops.ERR_ALWAYS):
        text += f" ! line {op.line}" + _catch(op)
    return text


def format_func(func: ops.FuncTIR) -> str:
    func.relabel()
    n = _Namer(func)
    lines = [f"def {func.key}({', '.join(a.name for a in func.args)}):"]
    for blk in func.blocks:
        lines.append(f"{_label(blk)}:")
        for op in blk.ops:
            lines.append("    " + op_text(op, n))
    return "\n".join(lines) + "\n"
