"""Definite assignment over the IR: a read of a local tests it for NULL (UnboundLocalError, or
NameError for a comprehension's free variable) unless every path to the read has stored a value.

The builder tests every read of a local that is not a parameter; this pass finds the tests that
can never fire and drops them, as codegen/definite.py does for the native tier, but over the blocks
of the IR, so every construct the builder lowers (loops with break and else, comprehensions, and
whatever edges later constructs add) is covered by the same walk. A forward analysis: the state is
the set of registers that hold a value on every path to a point; blocks meet by intersection;
parameters hold their argument from the start; storing NULL (the end of a loop's iterator, of a
comprehension's variables) unbinds.
"""

from __future__ import annotations

from pymigrate.codegen.tir.ops import (
    OBJECT,
    Assign,
    BasicBlock,
    Branch,
    Compare,
    FuncTIR,
    Goto,
    Integer,
    Op,
    Register,
    Value,
    successors,
)

State = frozenset[Register]


def _binds(value: Value, state: set[Register]) -> bool:
    """An assignment of value leaves the register bound (every op result that reaches a store is
    a value: a NULL result branched to the error exit before it)."""
    if isinstance(value, Integer):
        return value.type != OBJECT or value.value != 0
    if isinstance(value, Register):
        return value in state
    return True


def _transfer(block: BasicBlock, state: State) -> State:
    bound = set(state)
    for op in block.ops:
        if isinstance(op, Assign):
            if _binds(op.src, bound):
                bound.add(op.dest)
            else:
                bound.discard(op.dest)
    return frozenset(bound)


def _null_test(op: Op) -> Register | None:
    """The register an `r == NULL` test reads, else None."""
    if isinstance(op, Compare) and op.op == "==" and isinstance(op.left, Register):
        right = op.right
        if isinstance(right, Integer) and right.type == OBJECT and right.value == 0:
            return op.left
    return None


def drop_bound_checks(func: FuncTIR) -> None:
    """Replace each unbound-local test whose register is bound on every path by a jump to the read,
    then drop the blocks no path reaches any more."""
    entry = func.blocks[0]
    preds: dict[int, list[BasicBlock]] = {id(b): [] for b in func.blocks}
    for blk in func.blocks:
        for s in successors(blk):
            preds[id(s)].append(blk)
    start: State = frozenset(func.args)
    out: dict[int, State] = {}
    changed = True
    while changed:
        changed = False
        for blk in func.blocks:
            ins = [out[id(p)] for p in preds[id(blk)] if id(p) in out]
            if blk is entry:
                ins.append(start)
            if not ins:
                continue
            state = frozenset.intersection(*ins)
            new = _transfer(blk, state)
            if out.get(id(blk)) != new:
                out[id(blk)] = new
                changed = True
    for blk in func.blocks:
        ins = [out[id(p)] for p in preds[id(blk)] if id(p) in out] + ([start] if blk is entry else [])
        if not ins or len(blk.ops) < 2:
            continue
        bound = set(frozenset.intersection(*ins))
        for op in blk.ops[:-2]:
            if isinstance(op, Assign):
                if _binds(op.src, bound):
                    bound.add(op.dest)
                else:
                    bound.discard(op.dest)
        test, branch = blk.ops[-2], blk.ops[-1]
        reg = _null_test(test)
        if reg is not None and reg in bound and isinstance(branch, Branch) and branch.cond is test and branch.rare:
            blk.ops[-2:] = [Goto(branch.false, branch.line)]
    _drop_unreachable(func)


def _drop_unreachable(func: FuncTIR) -> None:
    seen: set[int] = set()
    stack = [func.blocks[0]]
    while stack:
        blk = stack.pop()
        if id(blk) in seen:
            continue
        seen.add(id(blk))
        stack.extend(successors(blk))
    func.blocks[:] = [b for b in func.blocks if id(b) in seen]
    func.relabel()
