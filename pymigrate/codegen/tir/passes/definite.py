"""Definite assignment over the IR: a read of a local tests it for NULL (UnboundLocalError, or
NameError for a comprehension's free variable) unless every path to the read has stored a value.

The builder tests every read of a local that is not a parameter; this pass finds the tests that
can never fire and drops them, as codegen/definite.py does for the native tier, but over the blocks
of the IR, so every construct the builder lowers (loops with break and else, comprehensions, and
whatever edges later constructs add) is covered by the same walk. A forward analysis: the state is
the set of registers that hold a value on every path to a point; blocks meet by intersection;
parameters hold their argument from the start; storing NULL (the end of a loop's iterator, of a
comprehension's variables) unbinds. An op inside a `try` that can fail is an edge to its handler
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


def _transfer(block: BasicBlock, state: State, failing: dict[int, State] | None = None) -> State:
    """The state after `block`; `failing` gets, per handler, the state where its ops may fail."""
    bound = set(state)
    for op in block.ops:
        if failing is not None and op.handler is not None and op.error_kind != ERR_NEVER:
            here = frozenset(bound)
            key = id(op.handler)
            failing[key] = failing[key] & here if key in failing else here
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
        for s in _edges(blk):
            if blk not in preds[id(s)]:
                preds[id(s)].append(blk)
    start: State = frozenset(func.args)
    out: dict[int, State] = {}
    fails: dict[int, dict[int, State]] = {}  # block -> handler -> the state where it may go there

    def ins_of(blk: BasicBlock) -> list[State]:
        ins = [out[id(p)] for p in preds[id(blk)] if id(p) in out and blk in successors(p)]
        ins += [fails[id(p)][id(blk)] for p in preds[id(blk)] if id(blk) in fails.get(id(p), {})]
        return ins + ([start] if blk is entry else [])

    changed = True
    while changed:
        changed = False
        for blk in func.blocks:
            ins = ins_of(blk)
            if not ins:
                continue
            state = frozenset.intersection(*ins)
            failing: dict[int, State] = {}
            new = _transfer(blk, state, failing)
            if out.get(id(blk)) != new or fails.get(id(blk)) != failing:
                out[id(blk)] = new
                fails[id(blk)] = failing
                changed = True
    for blk in func.blocks:
        ins = ins_of(blk)
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
        stack.extend(_edges(blk))
    func.blocks[:] = [b for b in func.blocks if id(b) in seen]
    func.relabel()


def _edges(blk: BasicBlock) -> list[BasicBlock]:
    """The block's successors and the handlers its failing ops go to."""
    handlers = [op.handler for op in blk.ops if op.handler is not None and op.error_kind != ERR_NEVER]
    return successors(blk) + handlers
