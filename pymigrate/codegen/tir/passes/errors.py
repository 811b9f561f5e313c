"""Error propagation: every op that can fail branches to an error exit on failure.

An op with ERR_MAGIC is followed by a test of its error value (NULL for an `object`, negative for
an `i32`) and a branch; an op with ERR_ALWAYS jumps. The error target is one block per source
line that adds the fn's traceback entry at that line (as CPython's frame shows the raising line),
then the shared exit that leaves the recursion guard and returns NULL. A failing recursion guard
leaves through an exit of its own: it never entered, so it neither leaves nor adds an entry (a
def's frame that fails to start shows none either).
"""

from __future__ import annotations

from pymigrate.codegen.tir.ops import (
    ERR_ALWAYS,
    ERR_MAGIC,
    I32,
    OBJECT,
    AddTraceback,
    BasicBlock,
    Branch,
    Compare,
    EnterRecursion,
    FuncTIR,
    Goto,
    Integer,
    LeaveRecursion,
    Op,
    Return,
)


def insert_error_branches(func: FuncTIR) -> None:
    exit_leave = BasicBlock()
    exit_leave.ops = [LeaveRecursion(func.line), Return(Integer(0, OBJECT), func.line)]
    exit_plain = BasicBlock()
    exit_plain.ops = [Return(Integer(0, OBJECT), func.line)]
    by_line: dict[tuple[int, tuple[tuple[str, int], ...], int], BasicBlock] = {}
    added: list[BasicBlock] = []

    def handler(line: int, frames: tuple[tuple[str, int], ...], catch: BasicBlock | None) -> BasicBlock:
        """The entries CPython's unwinding adds, innermost first: each inlined frame's (which it also
        leaves), then the fn's at the line that entered the outermost one; then the handler `catch`
        of the enclosing `try`, or the exit."""
        key = (line, frames, id(catch))
        if key not in by_line:
            blk = BasicBlock()
            for name, called_at in reversed(frames):
                blk.ops += [AddTraceback(line, name), LeaveRecursion(line)]
                line = called_at
            blk.ops += [AddTraceback(line), Goto(catch or exit_leave)]
            by_line[key] = blk
            added.append(blk)
        return by_line[key]

    out: list[BasicBlock] = []
    for blk in func.blocks:
        cur = blk
        ops, cur.ops = cur.ops, []
        out.append(cur)
        for op in ops:
            cur.ops.append(op)
            if op.error_kind == ERR_ALWAYS:
                if op.adds_traceback:
                    cur.ops.append(Goto(handler(op.line, op.frames, op.handler)))
                else:
                    cur.ops.append(Goto(op.handler or exit_leave))
                break  # the rest of the block is dead
            if op.error_kind != ERR_MAGIC:
                continue
            if isinstance(op, EnterRecursion):  # never entered: no entry of its own, nothing to leave
                target = exit_plain if op.entry else handler(op.line, op.frames, op.handler)
            else:
                target = handler(op.line, op.frames, op.handler)
            failed = _error_test(op)
            cur.ops.append(failed)
            rest = BasicBlock()
            cur.ops.append(Branch(failed, target, rest, op.line,
                                  null_on_true=op if op.type == OBJECT else None, rare=True))
            out.append(rest)
            cur = rest
    func.blocks = out + added
    if any(_jumps_to(b, exit_leave) for b in func.blocks):
        func.blocks.append(exit_leave)
    if any(_jumps_to(b, exit_plain) for b in func.blocks):
        func.blocks.append(exit_plain)
    func.relabel()


def _error_test(op: Op) -> Compare:
    if op.type == OBJECT:
        return Compare("==", op, Integer(0, OBJECT), op.line)
    if isinstance(op, EnterRecursion):  # Py_EnterRecursiveCall fails with a nonzero value (1 in 3.11)
        return Compare("!=", op, Integer(0, I32), op.line)
    assert op.type == I32, op
    return Compare("<", op, Integer(0, I32), op.line)


def _jumps_to(blk: BasicBlock, target: BasicBlock) -> bool:
    return bool(blk.ops) and any(t is target for t in blk.terminator.targets())
