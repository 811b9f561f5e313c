"""Definite assignment over the IR: a read of a local tests it for NULL (UnboundLocalError, or
NameError for a comprehension's free variable) unless every path to the read has stored a value.

The builder tests every read of a local that is not a parameter; this pass finds the tests that
can never fire and drops them, as codegen/definite.py does for the native tier, but over the blocks
of the IR, so every construct the builder lowers (loops with break and else, comprehensions, and
whatever edges later constructs add) is covered by the same walk. A forward analysis: the state is
the set of registers that hold a value on every path to a point; blocks meet by intersection;
parameters hold their argument from the start; storing NULL (the end of a loop's iterator, of a
comprehension's variables) unbinds; an op that may fail inside a `try` also flows, with the state
before it, to its handler. An op inside a `try` that can fail is an edge to its handler
from the point before it (the error pass makes that edge a branch later).
"""

from __future__ import annotations

from pymigrate.codegen.tir.ops import (
    ERR_NEVER,
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


def _transfer(block: BasicBlock, state: State, raised: dict[int, list[State]] | None = None) -> State:
    """The state after block; with `raised`, the state at each op that may fail inside a `try` is
    added to its handler's incoming states (the edge the error pass makes there)."""
    bound = set(state)
    for op in block.ops:
        if raised is not None and op.handler is not None and op.error_kind != ERR_NEVER:
            raised.setdefault(id(op.handler), []).append(frozenset(bound))
        if isinstance(op, Assign):
            if _binds(op.src, bound):
                bound.add(op.dest)
            else:
                bound.discard(op.dest)
    return frozenset(bound)


def _edges(block: BasicBlock) -> list[BasicBlock]:
    """Where control may go from block: its terminator's targets and its ops' `try` handlers."""
    handlers = [op.handler for op in block.ops if op.handler is not None and op.error_kind != ERR_NEVER]
    return successors(block) + handlers


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
    raised: dict[int, list[State]] = {}

    def incoming(blk: BasicBlock) -> State | None:
        ins = [out[id(p)] for p in preds[id(blk)] if id(p) in out] + raised.get(id(blk), [])
        if blk is entry:
            ins.append(start)
        return frozenset.intersection(*ins) if ins else None

    changed = True
    while changed:
        changed = False
        raised_now: dict[int, list[State]] = {}
        for blk in func.blocks:
            state = incoming(blk)
            if state is None:
                continue
            new = _transfer(blk, state, raised_now)
            if out.get(id(blk)) != new:
                out[id(blk)] = new
                changed = True
        if raised_now != raised:
            raised = raised_now
            changed = True
    for blk in func.blocks:
        state = incoming(blk)
        if state is None or len(blk.ops) < 2:
            continue
        test, branch = blk.ops[-2], blk.ops[-1]
        reg = _null_test(test)
        if reg is None or not isinstance(branch, Branch) or branch.cond is not test or not branch.rare:
            continue
        head = BasicBlock()
        head.ops = blk.ops[:-2]
        if reg in _transfer(head, state):
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
        stack.extend(_edges(blk))
    func.blocks[:] = [b for b in func.blocks if id(b) in seen]
    func.relabel()
