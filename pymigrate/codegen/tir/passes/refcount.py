"""Reference counting: every owned reference is released exactly once on every path.

Owned values are the results of ops that return a new reference (`object` type, not borrowed)
and the references held by registers. A temporary is released right after its last use in its
block, or on the edge to a successor where it is no longer live (error edges included: an edge
block is split off when the other successor still needs it); the value a failed op left NULL is
never released on its error edge. An op that steals an operand (Assign, Return, PyList_SetItem)
takes it over when it is dead afterwards, else gets a new reference (so does a borrowed operand).
A register releases its old value when assigned and everything it holds at each return; the
parameters are borrowed from the caller, so the entry takes a reference to each.
"""

from __future__ import annotations

from pymigrate.codegen.tir.ops import (
    OBJECT,
    Assign,
    BasicBlock,
    Branch,
    DecRef,
    FuncTIR,
    Goto,
    IncRef,
    Integer,
    Op,
    Register,
    Return,
    Value,
    successors,
)


def _owned(v: Value) -> bool:
    return isinstance(v, Op) and v.type == OBJECT and not v.is_borrowed


def _uses(op: Op) -> list[Value]:
    srcs = op.sources()
    if isinstance(op, Branch) and op.null_on_true is not None:
        srcs = [*srcs, op.null_on_true]
    return [s for s in srcs if _owned(s)]


def _liveness(func: FuncTIR) -> dict[int, set[int]]:
    """Owned temporaries live on entry to each block (by id)."""
    gen: dict[int, set[int]] = {}
    kill: dict[int, set[int]] = {}
    for blk in func.blocks:
        g: set[int] = set()
        k: set[int] = set()
        for op in blk.ops:
            for s in _uses(op):
                if id(s) not in k:
                    g.add(id(s))
            if _owned(op):
                k.add(id(op))
        gen[id(blk)], kill[id(blk)] = g, k
    live_in: dict[int, set[int]] = {id(b): set() for b in func.blocks}
    changed = True
    while changed:
        changed = False
        for blk in reversed(func.blocks):
            out: set[int] = set()
            for succ in successors(blk):
                out |= live_in[id(succ)]
            new = gen[id(blk)] | (out - kill[id(blk)])
            if new != live_in[id(blk)]:
                live_in[id(blk)] = new
                changed = True
    return live_in


def insert_ref_counts(func: FuncTIR) -> None:
    live_in = _liveness(func)
    values: dict[int, Op] = {id(op): op for blk in func.blocks for op in blk.ops if _owned(op)}
    order = {k: i for i, k in enumerate(values)}
    new_blocks: list[BasicBlock] = []
    registers = func.registers
    for blk in func.blocks:
        live_out: set[int] = set()
        for succ in successors(blk):
            live_out |= live_in[id(succ)]
        # liveness after each op, walking backwards
        after: list[set[int]] = [set()] * len(blk.ops)
        live = set(live_out)
        for i in range(len(blk.ops) - 1, -1, -1):
            after[i] = set(live)
            op = blk.ops[i]
            if _owned(op):
                live.discard(id(op))
            for s in _uses(op):
                live.add(id(s))
        ops: list[Op] = []
        for i, op in enumerate(blk.ops):
            stolen = op.stolen()
            moved = op.value if isinstance(op, Return) and isinstance(op.value, Register) else None
            for s in stolen:
                if s is moved:
                    continue  # the returned register's reference goes to the caller as it is
                if isinstance(s, Integer):
                    continue
                if not _owned(s) or id(s) in after[i]:
                    ops.append(IncRef(s))
            if isinstance(op, Assign):
                ops.append(DecRef(op.dest, xdec=not op.dest.is_arg))
            if isinstance(op, Return):
                ops.extend(DecRef(r, xdec=not r.is_arg) for r in registers if r is not moved)
            ops.append(op)
            released: set[int] = set()
            for s in _uses(op):
                if id(s) in after[i] or id(s) in released or any(t is s for t in stolen):
                    continue
                if isinstance(op, Branch) and op.null_on_true is s:
                    continue  # released on the edges (below), NULL on the true one
                released.add(id(s))
                ops.insert(len(ops) - 1 if isinstance(op, (Goto, Branch)) else len(ops), DecRef(s))
            if _owned(op) and id(op) not in after[i]:
                ops.append(DecRef(op))  # a result nobody uses
        blk.ops = ops
        # values dead on an edge
        term = blk.terminator
        for t_index, succ in enumerate(successors(blk)):
            dead = [values[v] for v in sorted(live_out - live_in[id(succ)], key=order.__getitem__)]
            if isinstance(term, Branch) and t_index == 0 and term.null_on_true is not None:
                dead = [d for d in dead if d is not term.null_on_true]
            if isinstance(term, Branch) and term.null_on_true is not None and t_index == 1:
                if id(term.null_on_true) not in live_in[id(succ)] and term.null_on_true not in dead:
                    dead.append(term.null_on_true)  # type: ignore[arg-type]
            if not dead:
                continue
            if isinstance(term, Goto):
                blk.ops[-1:-1] = [DecRef(d) for d in dead]
            else:
                edge = BasicBlock()
                edge.ops = [*(DecRef(d) for d in dead), Goto(succ)]
                term.set_target(t_index, edge)
                new_blocks.append(edge)
    func.blocks += new_blocks
    entry = func.blocks[0]
    entry.ops[0:0] = [IncRef(a) for a in func.args]
    func.relabel()


__all__ = ["Register", "insert_ref_counts"]
