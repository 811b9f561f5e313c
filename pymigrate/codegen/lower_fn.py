"""Lowering of one fn body: statements, expressions, calls (see lower.py for the ABI)."""

from __future__ import annotations

import ast
import functools
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from llvmlite import ir  # type: ignore[import-untyped]

from pymigrate.codegen.capi import F64, I1, I32, I64, PTR
from pymigrate.codegen.ir import CallInfo, FuncIR, ModuleIR, Param
from pymigrate.codegen.lower import (
    _CAN_OVERFLOW,
    _INTRINSIC_MATH,
    DEOPT,
    LIST_HDR,
    LIST_REFS,
    OVERFLOW_MSG,
    ModuleLowering,
    Val,
)
from pymigrate.codegen.types import BOOL, FLOAT, INT, NONE, STRING, Ty, list_of
from pymigrate.mutation import root_name

TWO53 = 2**53
# IR instructions a self-recursive fn may grow to when its copies are forced inline (fib: 7 x ~60)
INLINED_RING_BUDGET = 2000
_CMP = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}
_FLIP = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
_RICH = {"<": 0, "<=": 1, "==": 2, "!=": 3, ">": 4, ">=": 5}
_MATH_CONST = {"pi": math.pi, "e": math.e, "tau": math.tau, "inf": math.inf, "nan": math.nan}
# Loop back-edges between two calls of PyErr_CheckSignals (CPython's eval loop checks at every one;
# a countdown keeps the check to a decrement and a never-taken branch).
SIGNAL_CHECK_EVERY = 1024


class FunctionLowering:
    def __init__(self, ml: ModuleLowering, func: FuncIR, copy: int = 0) -> None:
        self.ml = ml
        self.mir = ml.mir
        self.capi = ml.capi
        self.func = func
        self.copy = copy
        self.ring = [ml.natives[func.key], *ml.twins.get(func.key, [])]
        self.inner = ml.bodies.get(func.key)
        self.fn = self.ring[copy] if copy else self.inner or ml.natives[func.key]
        self._err_slot: ir.Value | None = None
        self.alloca_bb = self.fn.append_basic_block("allocas")
        self.ab = ir.IRBuilder(self.alloca_bb)
        self.b = ir.IRBuilder(self.fn.append_basic_block("body"))
        self.body_entry = self.b.block
        self.slots: dict[str, ir.Value] = {}
        self.owned_locals: list[str] = []
        # Values the enclosing `for` loops hold (a pinned list header, a string), in slots that are NULL
        # outside their loop: a return or an error exit inside the loop releases them with the locals.
        self.held: list[tuple[ir.Value, Ty]] = []
        self.active_held: list[tuple[ir.Value, Ty]] = []  # those of the loops being lowered
        self.temps: list[Val] = []
        self.loops: list[tuple[ir.Block, ir.Block]] = []
        self.params = {p.name: p for p in func.params}
        self._err_bb: ir.Block | None = None
        # The source line of the operation being lowered, and the line each branch to the error exit
        # raises at: the exit adds the fn's traceback entry at that line, as CPython shows its frame.
        self.line: int = func.node.lineno
        self._err_lines: dict[int, int] = {}
        self.hoisted: dict[str, tuple[ir.Value, ir.Value]] = {}
        # local -> i1 slot, true once it is assigned: only for the locals some read of which may run
        # before any assignment (definite.py); such a read raises UnboundLocalError while it is false.
        self.bound_flags: dict[str, ir.Value] = {}
        self._ticks: ir.Value | None = None  # back-edges until the next signal check (loop_tick)
        self.fast_copy = False  # lowering the hoisted copy of an innermost loop (versioned): no checks
        # Counters of the enclosing range loops: local -> i1, true when `x += 1` cannot overflow there.
        self.bounded: dict[str, ir.Value] = {}

    # ------------------------------------------------------------------ frame
    def run(self) -> None:
        ml, b = self.ml, self.b
        self.counted = self.func.key in ml.recursive
        if self.counted:
            self.enter_frame()
        for p, arg in zip(self.func.params, self.fn.args):  # (the depth argument, if any, is last)
            arg.name = p.name
            if p.convention in ("mut", "out") or (p.convention == "read" and p.ty.kind == "Struct"):
                self.slots[p.name] = arg
            else:
                slot = self.ab.alloca(ml.llty(p.ty), name=p.name)
                self.ab.store(arg, slot)
                self.slots[p.name] = slot
                if p.convention == "var" and p.ty.needs_drop:
                    self.owned_locals.append(p.name)
        for name in sorted({n.id for n in ast.walk(self.func.node)
                            if isinstance(n, ast.Name) and id(n) in self.mir.unbound}):
            flag = self.ab.alloca(I1, name=f"{name}.bound")
            self.ab.store(ir.Constant(I1, 0), flag)
            self.bound_flags[name] = flag
        for name, ty in self.func.locals.items():
            if name in self.params:
                continue
            slot = self.ab.alloca(ml.llty(ty), name=name)
            self.slots[name] = slot
            if ty.needs_drop:
                r = b.call(ml.default_fn(ty), [])
                self.check(b.extract_value(r, 1))
                b.store(b.extract_value(r, 0), slot)
                self.owned_locals.append(name)
            else:
                self.ab.store(ir.Constant(ml.llty(ty), None), slot)
        self.block(self.func.node.body)
        if not self.b.block.is_terminated:
            if self.func.ret == NONE:
                self.emit_return(None)
            else:
                self.ml.set_error(self.b, "SystemError", f"fn '{self.func.name}' ended without a return")
                self.b.branch(self.err_bb())
        self.finish_error_exit()
        self.emit_traceback()
        if self.copy:
            self.inline_copy()
        self.enter_stack()
        if self.inner is not None:
            self.emit_adapter(self.inner)
        if self.copy == 0:
            # A fn that calls itself calls a copy of its body, which calls the next copy, the last one
            # calling the fn back. LLVM never inlines a function into itself, but it inlines the
            # copies, so each native call runs RECURSION_COPIES levels of the recursion (naive double
            # recursion such as fib makes far fewer calls).
            for k in range(1, len(self.ring)):
                FunctionLowering(self.ml, self.func, k).run()

    def inline_copy(self) -> None:
        """Declare this copy of a self-recursive fn `alwaysinline` when the copies stay small.

        The error exit's traceback call (and each raise site) counts against LLVM's inlining budget:
        since fns gained their traceback entry the inliner stopped merging the ring (fib 2.1x slower).
        Forced, the copies are inlined into `pmn.f`, which is not forced, so the ring stays finite; each
        inlined copy keeps its own error exit and traceback entry. With k self-calls in the body, pmn.f
        then holds 1 + k + k**2 bodies: bounded here so a large body does not blow up the module.
        """
        target = self.ring[(self.copy + 1) % len(self.ring)]
        size = 0
        calls = 0
        for blk in self.fn.blocks:
            for ins in blk.instructions:
                size += 1
                if isinstance(ins, ir.CallInstr) and ins.callee is target:
                    calls += 1
        if (1 + calls + calls * calls) * size <= INLINED_RING_BUDGET:
            self.fn.attributes.add("alwaysinline")

    def emit_adapter(self, inner: ir.Function) -> None:
        """pmn.<key>: call the body with a local error flag and return {T, i1} (inlined away)."""
        native = self.ml.natives[self.func.key]
        b = ir.IRBuilder(native.append_basic_block("entry"))
        flag = b.alloca(I1)
        b.store(ir.Constant(I1, 0), flag)
        v = b.call(inner, [*native.args, flag])
        rt = native.function_type.return_type
        b.ret(b.insert_value(b.insert_value(ir.Constant(rt, ir.Undefined), v, 0), b.load(flag, typ=I1), 1))

    def ret_err(self, b: ir.IRBuilder) -> None:
        if self.inner is None:
            self.ml._ret_err(b, self.fn)
        else:
            b.store(ir.Constant(I1, 1), self.fn.args[-1])
            b.ret(ir.Constant(self.fn.function_type.return_type, ir.Undefined))

    def call_body(self, key: str, args: list[ir.Value]) -> tuple[ir.Value, ir.Value]:
        """Call fn `key`; returns its error flag and result."""
        inner = self.ml.bodies.get(key)
        if inner is None:
            callee = self.ml.natives[key]
            if key == self.func.key:
                callee = self.ring[(self.copy + 1) % len(self.ring)]
            r = self.b.call(callee, args + self.depth_args(key))
            return self.b.extract_value(r, 1), self.b.extract_value(r, 0)
        if self._err_slot is None:
            self._err_slot = self.ab.alloca(I1, name="callerr")
        self.b.store(ir.Constant(I1, 0), self._err_slot)
        v = self.b.call(inner, [*args, self._err_slot])
        return self.b.load(self._err_slot, typ=I1), v

    def enter_frame(self) -> None:
        """Recursive fns get their call depth as a hidden last argument. Deeper than the frames the
        def could still open, or below the thread's stack floor (both set by the wrapper, see
        Bindings._enter_budget), the native run deopts and the Python reading decides: CPython's
        RecursionError, or the result at a depth the native stack could not hold."""
        b, ml = self.b, self.ml
        d = self.fn.args[-1]
        d.name = "depth"
        self.deopt_if(b, b.icmp_signed(">", d, b.load(ml.depth_limit, typ=I64)))

    def enter_stack(self) -> None:
        """End the entry block: a recursive fn's body that stays a real function (not a ring copy
        inlined into its caller) first compares the stack pointer with the thread's floor."""
        ab, ml = self.ab, self.ml
        if self.counted and "alwaysinline" not in self.fn.attributes:
            sp = ab.ptrtoint(ab.call(ml.intrinsic_fn("llvm.stacksave.p0", PTR, []), []), I64)
            self.deopt_if(ab, ab.icmp_unsigned("<", sp, ab.load(ml.stack_floor, typ=I64)))
        ab.branch(self.body_entry)

    def deopt_if(self, b: ir.IRBuilder, cond: ir.Value) -> None:
        """Leave through a deopt (before any local is set up) when cond holds."""
        too_deep = self.fn.append_basic_block("depth.error")
        ok = self.fn.append_basic_block("depth.ok")
        br = b.cbranch(cond, too_deep, ok)
        br.set_weights([1, 2000])
        b.position_at_end(too_deep)
        self.ml.set_error(b, "RecursionError", "maximum recursion depth exceeded")
        self.ret_err(b)
        b.position_at_end(ok)

    def depth_args(self, key: str) -> list[ir.Value]:
        """The hidden depth argument when calling a recursive fn."""
        if key not in self.ml.recursive:
            return []
        if self.counted:
            return [self.b.add(self.fn.args[-1], ir.Constant(I64, 1))]
        return [ir.Constant(I64, 1)]

    def err_bb(self) -> ir.Block:
        """The shared error exit: release the locals, return the error flag.

        Called as the current block is about to branch there: that block raises at `self.line`.
        """
        self._err_lines.setdefault(id(self.b.block), self.line)
        if self._err_bb is None:
            self._err_bb = self.fn.append_basic_block("error")
        return self._err_bb

    def finish_error_exit(self) -> None:
        """Fill the error exit once the body is lowered, when every held slot is known."""
        if self._err_bb is None:
            return
        eb = ir.IRBuilder(self._err_bb)
        for name in self.owned_locals:
            ty = self.local_ty(name)
            eb.call(self.ml.drop_fn(ty), [eb.load(self.slots[name], typ=self.ml.llty(ty))])
        for slot, ty in self.held:
            eb.call(self.ml.drop_fn(ty), [eb.load(slot, typ=PTR)])
        self.ret_err(eb)

    @contextmanager
    def holding(self, ty: Ty, v: ir.Value) -> Iterator[None]:
        """The code inside (a loop) holds the owned value v; it is released after it, or by a return or
        an error exit that leaves from inside."""
        slot = self.ab.alloca(PTR, name="held")
        self.ab.store(ir.Constant(PTR, None), slot)
        self.held.append((slot, ty))
        self.b.store(v, slot)
        active = self.active_held
        self.active_held = [*active, (slot, ty)]
        try:
            yield
        finally:
            self.active_held = active
        if not self.b.block.is_terminated:
            self.drop(ty, v)
            self.b.store(ir.Constant(PTR, None), slot)

    def emit_traceback(self) -> None:
        """Give the error exit the fn's traceback entry (name, .pys file, line of the raising operation).

        The line reaches the exit as a phi of constants, so the paths that do not raise pay nothing.
        """
        err = self._err_bb
        if err is None:
            return
        from pymigrate.codegen.bindings import binder_slot, raise_site, traceback_fn

        preds = [blk for blk in self.fn.blocks if blk.is_terminated and any(op is err for op in blk.terminator.operands)]
        if not preds:
            return
        eb = ir.IRBuilder()
        eb.position_at_start(err)
        where = eb.phi(PTR, name="raise.site")
        sites: dict[int, ir.GlobalVariable] = {}
        for blk in preds:
            line = self._err_lines.get(id(blk), self.func.node.lineno)
            if line not in sites:
                sites[line] = raise_site(self.ml, self.func, line, binder_slot(self.ml, self.func.key))
            where.add_incoming(sites[line], blk)
        eb.call(traceback_fn(self.ml), [where])  # one argument: the exit stays small enough to inline

    def tick_counter(self, body: list[ast.stmt]) -> ir.Value | None:
        """Before a loop: the countdown its back-edge decrements (see loop_tick). A loop with a loop
        inside shares the fn's countdown, so a nest of short loops still checks; an innermost loop
        starts its own here, so a loop that runs fewer than SIGNAL_CHECK_EVERY times per entry (the
        optimizer proves it from the trip count) keeps no check at all and unrolls as before. The
        hoisted copy of an innermost loop (versioned) has none either, so it still vectorizes."""
        if self.fast_copy:
            return None
        every = ir.Constant(I32, SIGNAL_CHECK_EVERY)
        if any(isinstance(n, (ast.For, ast.While)) for st in body for n in ast.walk(st)):
            if self._ticks is None:
                self._ticks = self.ab.alloca(I32, name="ticks")
                self.ab.store(every, self._ticks)
            return self._ticks
        own = self.ab.alloca(I32, name="loop.ticks")
        self.b.store(every, own)
        return own

    def loop_tick(self, ticks: ir.Value | None) -> None:
        """At a loop's back-edge: every SIGNAL_CHECK_EVERY times, run the pending signal handlers as
        CPython's eval loop does (PyErr_CheckSignals: only in the main thread, as CPython), so Ctrl-C
        or a handler's exception stops a long loop and reaches the caller as a real exception."""
        if ticks is None:
            return
        b = self.b
        every = ir.Constant(I32, SIGNAL_CHECK_EVERY)
        left = b.sub(b.load(ticks, typ=I32), ir.Constant(I32, 1))
        b.store(left, ticks)
        due = self.fn.append_basic_block("signals")
        cont = self.fn.append_basic_block("signals.done")
        br = b.cbranch(b.icmp_signed("==", left, ir.Constant(I32, 0)), due, cont)
        br.set_weights([1, SIGNAL_CHECK_EVERY])
        b.position_at_end(due)
        b.store(every, ticks)
        failed = b.icmp_signed("<", b.call(self.capi.fn("PyErr_CheckSignals"), []), ir.Constant(I32, 0))
        self.check(failed)  # the handler's exception (KeyboardInterrupt...) is set: leave as any error
        self.b.branch(cont)
        self.b.position_at_end(cont)

    def mark_bound(self, name: str) -> None:
        if name in self.bound_flags:
            self.b.store(ir.Constant(I1, 1), self.bound_flags[name])

    def check_bound(self, node: ast.Name) -> None:
        """A read of a local that may have no value yet raises CPython's UnboundLocalError there."""
        if id(node) in self.mir.unbound:
            unset = self.b.not_(self.b.load(self.bound_flags[node.id], typ=I1))
            self.raise_if(unset, "UnboundLocalError",
                          f"cannot access local variable '{node.id}' where it is not associated with a value")

    def local_ty(self, name: str) -> Ty:
        return self.func.locals[name]

    def check(self, err: ir.Value) -> None:
        """Branch to the error exit when err is set."""
        cont = self.fn.append_basic_block("ok")
        br = self.b.cbranch(err, self.err_bb(), cont)
        br.set_weights([1, 2000])
        self.b.position_at_end(cont)

    @contextmanager
    def raising(self, cond: ir.Value) -> Iterator[None]:
        """`with self.raising(cond): set the exception` -> the error exit when cond holds."""
        exc_bb = self.fn.append_basic_block("raise")
        cont = self.fn.append_basic_block("ok")
        br = self.b.cbranch(cond, exc_bb, cont)
        br.set_weights([1, 2000])
        self.b.position_at_end(exc_bb)
        with self.branch_temps():
            yield
        self.b.branch(self.err_bb())
        self.b.position_at_end(cont)

    @functools.cached_property
    def mut_value_lists(self) -> set[str]:
        """The fn's `mut` parameters that are lists of lists or of structs."""
        return {p.name for p in self.func.params if p.convention == "mut" and _holds_items(p.ty)}

    def identity_deopt(self, lst: ast.expr) -> None:
        """Replacing or removing items of a list of lists or structs that a `mut` parameter holds deopts.

        A native item is a value in its list's slot, written back onto the caller's item object at the
        same index (bindings.Bindings._write_list), which keeps every reference to it live as CPython
        does while items are only changed in place or appended. A store of a whole item, `pop`, `clear`
        or an assignment to the parameter moves objects, which only the Python reading follows."""
        if _holds_items(self.mir.types.get(id(lst))) and root_name(lst) in self.mut_value_lists:
            self.raise_if_deopt("items of a mut list")

    def raise_if_deopt(self, why: str) -> None:
        """Leave through a deopt here: the Python reading runs the call instead (lower.DEOPT)."""
        with self.raising(ir.Constant(I1, 1)):
            self.ml.set_error(self.b, DEOPT, why)

    def raise_if(self, cond: ir.Value, exc: str, msg: str) -> None:
        with self.raising(cond):
            self.ml.set_error(self.b, exc, msg)

    def unless_cold(self, fast_ok: ir.Value, fast: ir.Value, cold: Callable[[], ir.Value], name: str) -> ir.Value:
        """fast when fast_ok holds (the likely case), otherwise the value cold() computes on a cold path."""
        fast_bb = self.b.block
        cold_bb = self.fn.append_basic_block(f"{name}.cold")
        join = self.fn.append_basic_block(f"{name}.join")
        br = self.b.cbranch(fast_ok, join, cold_bb)
        br.set_weights([2000, 1])
        self.b.position_at_end(cold_bb)
        cold_val = cold()
        cold_end = self.b.block
        self.b.branch(join)
        self.b.position_at_end(join)
        phi = self.b.phi(fast.type)
        phi.add_incoming(fast, fast_bb)
        phi.add_incoming(cold_val, cold_end)
        return phi

    def call_checked(self, f: ir.Function, args: list[ir.Value]) -> ir.Value:
        r = self.b.call(f, args)
        self.check(self.b.extract_value(r, 1))
        return self.b.extract_value(r, 0)

    # ------------------------------------------------------------------ ownership
    def use(self, v: Val) -> ir.Value:
        """Borrow a value for the current statement (owned temporaries are released at its end)."""
        if v.owned and v.ty.needs_drop:
            self.temps.append(v)
        return v.v

    def take(self, v: Val) -> ir.Value:
        """An owned value: temporaries move, anything else is copied."""
        if v.owned or not v.ty.needs_drop:
            return v.v
        return self.call_checked(self.ml.copy_fn(v.ty), [v.v])

    def drop(self, ty: Ty, v: ir.Value) -> None:
        if ty.needs_drop:
            self.b.call(self.ml.drop_fn(ty), [v])

    def flush(self) -> None:
        temps, self.temps = self.temps, []
        for t in temps:
            self.drop(t.ty, t.v)

    @contextmanager
    def branch_temps(self) -> Iterator[None]:
        """Temporaries made on one branch of an expression (a conditional's arm, an operand of
        `and`/`or`, a chained comparison's tail, a raise site) are released on that branch, before it
        leaves for the join: they do not exist on the other paths, so the statement's end cannot
        release them. The temporaries of the enclosing code stay pending."""
        outer, self.temps = self.temps, []
        try:
            yield
            if not self.b.block.is_terminated:
                self.flush()
        finally:
            self.temps = outer

    def emit_return(self, value: Val | None) -> None:
        b = self.b
        if value is None:
            out: ir.Value = ir.Constant(self.ml.llty(NONE), 0)
        else:
            out = value.v
        self.flush()
        for name in self.owned_locals:
            ty = self.local_ty(name)
            self.drop(ty, b.load(self.slots[name], typ=self.ml.llty(ty)))
        for slot, ty in self.active_held:
            self.drop(ty, b.load(slot, typ=PTR))
        if self.inner is None:
            self.ml._ret_ok(b, self.fn, out)
        else:
            b.ret(out)

    # ------------------------------------------------------------------ statements
    def block(self, body: list[ast.stmt]) -> None:
        for s in body:
            if self.b.block.is_terminated:
                self.b.position_at_end(self.fn.append_basic_block("dead"))
            self.line = s.lineno
            self.stmt(s)
            self.flush()

    def stmt(self, s: ast.stmt) -> None:
        b = self.b
        if isinstance(s, ast.Assign):
            target = s.targets[0]
            if isinstance(target, ast.Tuple):
                assert isinstance(s.value, ast.Tuple)
                vals = []
                for t, v in zip(target.elts, s.value.elts):
                    vals.append(self.take(self.coerce(self.expr(v), self.target_ty(t))))
                for t, v in zip(target.elts, vals):
                    self.store_to(t, v)
            else:
                self.assign(target, s.value)
        elif isinstance(s, ast.AnnAssign):
            if s.value is None:  # `var x: T` binds nothing (Python's `x: T`); x's slot is initialised
                return
            self.assign(s.target, s.value)
        elif isinstance(s, ast.AugAssign):
            tty = self.target_ty(s.target)
            if isinstance(s.target, ast.Name):
                self.check_bound(s.target)
                cur = Val(b.load(self.slots[s.target.id], typ=self.ml.llty(tty)), tty)
                if self.bounded_step(s):
                    r = b.call(self.ml.intrinsic("llvm.sadd.with.overflow", I64, 2, overflow=True), [cur.v, ir.Constant(I64, 1)])
                    self.raise_if(b.and_(b.extract_value(r, 1), b.not_(self.bounded[s.target.id])), "OverflowError", OVERFLOW_MSG)
                    self.store_to(s.target, b.extract_value(r, 0))
                    return
                res = self.binop(s.op, cur, self.expr(s.value))
                self.store_to(s.target, self.take(self.coerce(res, tty)))
            elif _item_place(s.target) is not None and _resizes([s.value], self.mir):
                if isinstance(s.target, ast.Subscript):
                    self.identity_deopt(s.target.value)
                self.aug_item(s, tty)
            else:
                if isinstance(s.target, ast.Subscript):
                    self.identity_deopt(s.target.value)
                ptr = self.addr(s.target)
                cur = Val(self.load(ptr, tty), tty)
                res = self.take(self.coerce(self.binop(s.op, cur, self.expr(s.value)), tty))
                if tty.needs_drop:
                    self.drop(tty, self.load(ptr, tty))
                self.store(res, ptr, tty)
        elif isinstance(s, ast.Expr):
            if isinstance(s.value, ast.Constant):
                return
            self.use(self.expr(s.value))
        elif isinstance(s, ast.Return):
            if s.value is None or self.func.ret == NONE:
                if s.value is not None:
                    self.use(self.expr(s.value))
                self.emit_return(None)
            else:
                self.emit_return(Val(self.take(self.coerce(self.expr(s.value), self.func.ret)), self.func.ret, True))
        elif isinstance(s, ast.If) and self.branchless_update(s):
            pass
        elif isinstance(s, ast.If):
            cond = self.truth(self.expr(s.test))
            self.flush()
            then_bb = self.fn.append_basic_block("if.then")
            else_bb = self.fn.append_basic_block("if.else")
            end_bb = self.fn.append_basic_block("if.end")
            b.cbranch(cond, then_bb, else_bb)
            b.position_at_end(then_bb)
            self.block(s.body)
            if not self.b.block.is_terminated:
                self.b.branch(end_bb)
            self.b.position_at_end(else_bb)
            self.block(s.orelse)
            if not self.b.block.is_terminated:
                self.b.branch(end_bb)
            self.b.position_at_end(end_bb)
        elif isinstance(s, ast.While):
            end = self.fn.append_basic_block("while.end")

            def emit_while(version: str) -> None:
                head = self.fn.append_basic_block(f"while.head{version}")
                body = self.fn.append_basic_block(f"while.body{version}")
                latch = self.fn.append_basic_block(f"while.next{version}")
                ticks = self.tick_counter(s.body)
                self.b.branch(head)
                self.b.position_at_end(head)
                cond = self.truth(self.expr(s.test))
                self.flush()
                self.b.cbranch(cond, body, end)
                self.b.position_at_end(body)
                self.loop_body(s.body, latch, end)
                self.loop_tick(ticks)
                self.b.branch(head)

            self.versioned(s.body, [s.test], set(), emit_while)
            self.b.position_at_end(end)
        elif isinstance(s, ast.For):
            if id(s.iter) in self.mir.calls and self.mir.calls[id(s.iter)].kind == "range":
                self.for_range(s)
            else:
                self.for_list(s)
        elif isinstance(s, ast.Break):
            self.flush()
            b.branch(self.loops[-1][1])
        elif isinstance(s, ast.Continue):
            self.flush()
            b.branch(self.loops[-1][0])
        elif isinstance(s, ast.Pass):
            pass
        elif isinstance(s, ast.Raise):
            self.raise_stmt(s)
        elif isinstance(s, ast.Assert):
            ok = self.truth(self.expr(s.test))
            with self.raising(b.not_(ok)):
                exc = self.b.load(self.capi.exc("AssertionError"), typ=PTR)
                if s.msg is None:
                    self.b.call(self.capi.fn("PyErr_SetNone"), [exc])
                else:
                    self.b.call(self.capi.fn("PyErr_SetObject"), [exc, self.use(self.expr(s.msg))])
        else:  # the checker lets nothing else through
            raise AssertionError(f"unexpected statement {type(s).__name__}")

    def aug_item(self, s: ast.AugAssign, tty: Ty) -> None:
        """`xs[i] op= value` (or `xs[i].f op= value`) whose value may change lists, in CPython's order:
        the list and the index are evaluated once and the item loaded, then the value is computed, and
        the store resolves the index against the list as it is then (a negative index against its
        new length; IndexError "list assignment index out of range" when it no longer fits). The list
        object is held while the value runs, as CPython's evaluation stack holds it."""
        place = _item_place(s.target)
        assert place is not None
        item, fields = place
        if fields:
            # `xs[i].f op= g()`: CPython stores into the item object it loaded before g ran, wherever g
            # left it (popped, replaced, moved). A native struct item is a value in its list's slot, with
            # no identity to follow, so such a run deopts and the Python reading decides.
            self.raise_if_deopt("item identity")
        lst = self.expr(item.value)
        assert lst.ty.elem is not None
        hdr = lst.v if lst.owned else None
        if lst.owned:
            self.use(lst)
        else:
            self.pin(lst.v)
        idx = self.coerce(self.expr(item.slice), INT).v

        elem = lst.ty.elem

        def field_ptr(msg: str) -> ir.Value:
            ptr = self.elem_ptr(lst.v, idx, elem, msg)
            ty = elem
            for name in fields:
                st = self.mir.structs[ty.name]
                k = st.field_index(name)
                ptr = self.b.gep(ptr, [ir.Constant(I32, 0), ir.Constant(I32, k)], source_etype=self.ml.struct_types[ty.name])
                ty = st.fields[k][1]
            return ptr

        def body() -> None:
            cur = Val(self.load(field_ptr("list index out of range"), tty), tty)
            res = self.take(self.coerce(self.binop(s.op, cur, self.expr(s.value)), tty))
            ptr = field_ptr("list assignment index out of range")
            if tty.needs_drop:
                self.drop(tty, self.load(ptr, tty))
            self.store(res, ptr, tty)

        if hdr is not None:
            body()
        else:
            with self.holding(lst.ty, lst.v):
                body()

    def branchless_update(self, s: ast.If) -> bool:
        """`if c: x += k` (x a numeric local, k a literal or a local) without a data-dependent branch.

        The update is computed either way and selected; its overflow only counts when c holds,
        so the observable behaviour is the branchy one's. Counting loops stop mispredicting.
        """
        if s.orelse or len(s.body) != 1 or not isinstance(s.body[0], ast.AugAssign):
            return False
        aug = s.body[0]
        t, v = aug.target, aug.value
        if not isinstance(t, ast.Name) or t.id not in self.slots or not isinstance(aug.op, (ast.Add, ast.Sub)):
            return False
        if not (isinstance(v, ast.Constant) or (isinstance(v, ast.Name) and v.id in self.slots)):
            return False
        if id(t) in self.mir.unbound or id(v) in self.mir.unbound:
            return False
        tty, vty = self.mir.types[id(t)], self.mir.types[id(v)]
        if tty not in (INT, FLOAT) or vty not in (INT, FLOAT, BOOL) or (tty == INT and vty == FLOAT):
            return False
        b = self.b
        cond = self.truth(self.expr(s.test))
        self.flush()
        cur = b.load(self.slots[t.id], typ=self.ml.llty(tty))
        val = self.coerce(self.expr(v), tty).v
        if tty == FLOAT:
            new = b.fadd(cur, val) if isinstance(aug.op, ast.Add) else b.fsub(cur, val)
        else:
            name = "sadd" if isinstance(aug.op, ast.Add) else "ssub"
            r = b.call(self.ml.intrinsic(f"llvm.{name}.with.overflow", I64, 2, overflow=True), [cur, val])
            ovf = b.and_(cond, b.extract_value(r, 1))
            if self.bounded_step(aug):
                ovf = b.and_(ovf, b.not_(self.bounded[t.id]))
            self.raise_if(ovf, "OverflowError", OVERFLOW_MSG)
            new = self.b.extract_value(r, 0)
        self.b.store(self.b.select(cond, new, cur), self.slots[t.id])
        return True

    def raise_stmt(self, s: ast.Raise) -> None:
        exc = s.exc
        assert exc is not None
        name = exc.func.id if isinstance(exc, ast.Call) and isinstance(exc.func, ast.Name) else None
        if name is None:
            assert isinstance(exc, ast.Name)
            name = exc.id
        arg = exc.args[0] if isinstance(exc, ast.Call) and exc.args else None
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            self.ml.set_error(self.b, name, arg.value)
        elif arg is not None:
            etype = self.b.load(self.capi.exc(name), typ=PTR)
            self.b.call(self.capi.fn("PyErr_SetObject"), [etype, self.use(self.expr(arg))])
        else:
            self.b.call(self.capi.fn("PyErr_SetNone"), [self.b.load(self.capi.exc(name), typ=PTR)])
        self.flush()
        self.b.branch(self.err_bb())

    def target_ty(self, t: ast.expr) -> Ty:
        return self.mir.types[id(t)]

    def assign(self, target: ast.expr, value: ast.expr) -> None:
        ty = self.target_ty(target)
        v = self.take(self.coerce(self.expr(value), ty))
        self.store_to(target, v)

    def store_to(self, target: ast.expr, v: ir.Value) -> None:
        """Store an owned value, releasing what the target held."""
        ty = self.target_ty(target)
        if isinstance(target, ast.Subscript):
            self.identity_deopt(target.value)
        elif isinstance(target, ast.Name) and target.id in self.mut_value_lists:
            self.raise_if_deopt("items of a mut list")
        if isinstance(target, ast.Name):
            ptr = self.slots[target.id]
            self.mark_bound(target.id)
        else:
            ptr = self.addr(target, store=True)
        if ty.needs_drop:
            old = self.load(ptr, ty)
            self.store(v, ptr, ty)
            self.drop(ty, old)
        else:
            self.store(v, ptr, ty)

    def for_range(self, s: ast.For) -> None:
        b = self.b
        info = self.mir.calls[id(s.iter)]
        args = [self.coerce(self.expr(a), INT).v for a in info.args]
        step_const: int | None = 1
        if len(args) == 1:
            start, stop, step = ir.Constant(I64, 0), args[0], ir.Constant(I64, 1)
        else:
            start, stop = args[0], args[1]
            step = args[2] if len(args) == 3 else ir.Constant(I64, 1)
            if len(args) == 3:
                node = info.args[2]
                step_const = _int_literal(node)
                if step_const == 0 or step_const is None:
                    self.raise_if(
                        b.icmp_signed("==", step, ir.Constant(I64, 0)), "ValueError", "range() arg 3 must not be zero"
                    )
        self.flush()
        assert isinstance(s.target, ast.Name)
        target = s.target.id
        end = self.fn.append_basic_block("for.end")

        def emit(version: str) -> None:
            b = self.b
            counter = self.ab.alloca(I64, name="range.i")
            b.store(start, counter)
            ticks = self.tick_counter(s.body)
            head = self.fn.append_basic_block(f"for.head{version}")
            body = self.fn.append_basic_block(f"for.body{version}")
            latch = self.fn.append_basic_block(f"for.next{version}")
            b.branch(head)
            b.position_at_end(head)
            i = b.load(counter, typ=I64)
            if step_const is not None:
                cond = b.icmp_signed("<" if step_const > 0 else ">", i, stop)
            else:
                pos = b.icmp_signed(">", step, ir.Constant(I64, 0))
                cond = b.select(pos, b.icmp_signed("<", i, stop), b.icmp_signed(">", i, stop))
            b.cbranch(cond, body, end)
            b.position_at_end(body)
            b.store(i, self.slots[target])
            self.mark_bound(target)
            self.loop_body(s.body, latch, end)
            self.loop_tick(ticks)
            i2 = self.b.load(counter, typ=I64)
            if step_const == 1:
                self.b.store(self.b.add(i2, ir.Constant(I64, 1), flags=["nsw"]), counter)
                self.b.branch(head)
            else:
                r = self.b.call(self.ml.intrinsic("llvm.sadd.with.overflow", I64, 2, overflow=True), [i2, step])
                self.b.store(self.b.extract_value(r, 0), counter)
                self.b.cbranch(self.b.extract_value(r, 1), end, head)

        saved = dict(self.bounded)
        if step_const == 1:
            self.bound_counters(s, start, stop)
        self.versioned(s.body, [], {target}, emit)
        self.bounded = saved
        self.b.position_at_end(end)

    def bound_counters(self, s: ast.For, start: ir.Value, stop: ir.Value) -> None:
        """Range analysis for counters: an Int local whose only change in a `range(start, stop)` loop
        is one `x += 1`, outside any inner loop, grows at most by the trip count, stop - start. One
        test before the loop (x + (stop - start) fits in 64 bits) proves the whole loop free of
        overflow; the increment's check is then dead (`and not safe`) and LLVM unswitches it out,
        so the loop can vectorize. When the test fails the check stays and raises as before."""
        b = self.b
        for name in _unit_counters(s.body):
            if name not in self.slots or self.local_ty(name) != INT or root_name(s.target) == name:
                continue
            c0 = b.load(self.slots[name], typ=I64)
            diff = b.call(self.ml.intrinsic("llvm.ssub.with.overflow", I64, 2, overflow=True), [stop, start])
            total = b.call(self.ml.intrinsic("llvm.sadd.with.overflow", I64, 2, overflow=True), [c0, b.extract_value(diff, 0)])
            self.bounded[name] = b.not_(b.or_(b.extract_value(diff, 1), b.extract_value(total, 1)))

    def bounded_step(self, aug: ast.AugAssign) -> bool:
        """Is this `x += 1` on a counter that bound_counters proved (at run time, once) cannot overflow?"""
        t, v = aug.target, aug.value
        return (
            isinstance(t, ast.Name) and t.id in self.bounded and isinstance(aug.op, ast.Add)
            and isinstance(v, ast.Constant) and type(v.value) is int and v.value == 1
        )

    def versioned(self, body: list[ast.stmt], extra: list[ast.expr], bound: set[str], emit: Callable[[str], None]) -> None:
        """Emit an innermost loop twice when list headers can be hoisted: a fast copy that reads
        them once (taken when every hoisted index is in range) and the plain copy."""
        keys = self.hoist_candidates(body, extra, bound)
        if not keys:
            emit("")
            return
        b = self.b
        guards: list[ir.Value] = []
        outer: dict[str, ir.Value] = {}
        for _, x in keys:
            if isinstance(x, ast.Subscript):
                assert isinstance(x.value, ast.Name)
                name = x.value.id
                if name not in outer:
                    outer[name] = b.load(self.slots[name], typ=PTR)
                k = self.coerce(self.expr(x.slice), INT).v
                guards.append(b.icmp_unsigned("<", k, self.hdr_load(outer[name], 0)))
        fast_bb = self.fn.append_basic_block("loop.hoisted")
        plain_bb = self.fn.append_basic_block("loop.plain")
        ok: ir.Value = ir.Constant(I1, 1)
        for g in guards:
            ok = b.and_(ok, g)
        br = b.cbranch(ok, fast_bb, plain_bb)
        br.set_weights([2000, 1])
        b.position_at_end(fast_bb)
        saved = dict(self.hoisted)
        self.fast_copy = True
        for key, x in keys:
            if isinstance(x, ast.Name):
                hdr = b.load(self.slots[x.id], typ=PTR)
            else:
                assert isinstance(x, ast.Subscript) and isinstance(x.value, ast.Name)
                data = self.hdr_load(outer[x.value.id], 2)
                k = self.coerce(self.expr(x.slice), INT).v
                hdr = b.load(b.gep(data, [k], source_etype=PTR), typ=PTR)
                hdr.set_metadata("tbaa", self.ml.tbaa("ptr"))
            self.hoisted[key] = (self.hdr_load(hdr, 0), self.hdr_load(hdr, 2))
        emit(".h")
        self.fast_copy = False
        self.hoisted = saved
        self.b.position_at_end(plain_bb)
        emit("")

    def str_index(self, sv: Val, idx: ir.Value) -> Val:
        """s[i]: a one-character String (CPython hands out its cached Latin-1 singletons)."""
        b = self.b
        s = self.use(sv)
        n = b.call(self.capi.fn("PyUnicode_GetLength"), [s])
        idx = b.select(b.icmp_signed("<", idx, ir.Constant(I64, 0)), b.add(idx, n), idx)
        self.raise_if(b.icmp_unsigned(">=", idx, n), "IndexError", "string index out of range")
        r = self.b.call(self.capi.fn("PyUnicode_Substring"), [s, idx, self.b.add(idx, ir.Constant(I64, 1))])
        self.check(self.b.icmp_unsigned("==", r, ir.Constant(PTR, None)))
        return Val(r, STRING, True)

    def pin(self, hdr: ir.Value) -> None:
        """Take one more reference to a list header (released by drop, which frees at the last one)."""
        refsp = self._hdr_field(hdr, LIST_REFS)
        refs = self.b.load(refsp, typ=I64)
        refs.set_metadata("tbaa", self.ml.tbaa("refs"))
        st = self.b.store(self.b.add(refs, ir.Constant(I64, 1)), refsp)
        st.set_metadata("tbaa", self.ml.tbaa("refs"))

    def for_str(self, s: ast.For) -> None:
        text = self.take(self.expr(s.iter))
        self.flush()
        n = self.b.call(self.capi.fn("PyUnicode_GetLength"), [text])
        with self.holding(STRING, text):
            self.for_items(s, lambda: n, lambda i: self.str_index(Val(text, STRING), i).v)

    def for_list(self, s: ast.For) -> None:
        """Iterate as CPython's list iterator does: over the list object the iterable named when the
        loop began, comparing the index with its current length at every step (items appended in the
        body are visited, a pop shortens the walk). The loop holds a reference to the header, so the
        body may rebind, replace or drop the list it came from without the walk reading freed memory."""
        if self.mir.types[id(s.iter)] == STRING:
            self.for_str(s)
            return
        lv = self.expr(s.iter)
        hdr = lv.v
        if not lv.owned:  # a list someone else owns: hold a reference of the loop's own
            self.pin(hdr)
        self.flush()
        elem_ty = lv.ty.elem
        assert elem_ty is not None
        elt = self.ml.llty(elem_ty)

        def item(i: ir.Value) -> ir.Value:
            data = self.hdr_load(hdr, 2)
            return self.take(Val(self.load(self.b.gep(data, [i], source_etype=elt), elem_ty), elem_ty))

        with self.holding(lv.ty, hdr):
            self.for_items(s, lambda: self.hdr_load(hdr, 0), item)

    @contextmanager
    def index_loop(self, length: Callable[[], ir.Value], name: str, start: int = 0) -> Iterator[tuple[ir.Value, ir.Block]]:
        """for i in range(start, length()) with the length re-read every iteration (lists may grow).

        Yields i and the exit block; the body may branch to the exit (then it continues in a new block).
        """
        b = self.b
        counter = self.ab.alloca(I64, name=f"{name}.i")
        b.store(ir.Constant(I64, start), counter)
        head = self.fn.append_basic_block(f"{name}.head")
        body = self.fn.append_basic_block(f"{name}.body")
        end = self.fn.append_basic_block(f"{name}.end")
        b.branch(head)
        b.position_at_end(head)
        i = b.load(counter, typ=I64)
        b.cbranch(b.icmp_signed("<", i, length()), body, end)
        b.position_at_end(body)
        yield i, end
        self.b.store(self.b.add(i, ir.Constant(I64, 1)), counter)
        self.b.branch(head)
        self.b.position_at_end(end)

    def for_items(self, s: ast.For, length: Callable[[], ir.Value], item: Callable[[ir.Value], ir.Value]) -> None:
        """A for loop over the items of a list or string; `continue` goes to the increment."""
        assert isinstance(s.target, ast.Name)
        ticks = self.tick_counter(s.body)
        with self.index_loop(length, "for") as (i, end):
            self.store_to(s.target, item(i))
            self.loop_body(s.body, self.fn.append_basic_block("for.next"), end)
            self.loop_tick(ticks)

    def loop_body(self, body: list[ast.stmt], latch: ir.Block, end: ir.Block) -> None:
        """Emit a loop body whose `continue` goes to latch and `break` to end; continue at latch."""
        self.loops.append((latch, end))
        self.block(body)
        self.loops.pop()
        if not self.b.block.is_terminated:
            self.b.branch(latch)
        self.b.position_at_end(latch)

    # ------------------------------------------------------------------ places
    def _hdr_field(self, hdr: ir.Value, i: int) -> ir.Value:
        return self.b.gep(hdr, [ir.Constant(I32, 0), ir.Constant(I32, i)], source_etype=LIST_HDR)

    _HDR_KINDS = ("len", "cap", "data")

    def hdr_load(self, hdr: ir.Value, i: int) -> ir.Value:
        v = self.b.load(self._hdr_field(hdr, i), typ=PTR if i == 2 else I64)
        v.set_metadata("tbaa", self.ml.tbaa(self._HDR_KINDS[i]))
        if i < 2:  # a length is bounded by the address space: lets LLVM drop overflow checks on indices
            v.set_metadata("range", self.ml.len_range())
        return v

    def hdr_store(self, v: ir.Value, hdr: ir.Value, i: int) -> None:
        st = self.b.store(v, self._hdr_field(hdr, i))
        st.set_metadata("tbaa", self.ml.tbaa(self._HDR_KINDS[i]))

    def load(self, ptr: ir.Value, ty: Ty) -> ir.Value:
        """Load an item/field/local, tagged with its scalar kind for alias analysis."""
        lt = self.ml.llty(ty)
        v = self.b.load(ptr, typ=lt)
        kind = self.ml.value_kind(lt)
        if kind is not None and ty.kind != "String":
            v.set_metadata("tbaa", self.ml.tbaa(kind))
        return v

    def store(self, v: ir.Value, ptr: ir.Value, ty: Ty) -> None:
        st = self.b.store(v, ptr)
        kind = self.ml.value_kind(self.ml.llty(ty))
        if kind is not None and ty.kind != "String":
            st.set_metadata("tbaa", self.ml.tbaa(kind))

    def addressable(self, e: ast.expr) -> bool:
        if isinstance(e, ast.Name):
            return e.id in self.slots
        if isinstance(e, ast.Attribute):
            return self.addressable(e.value) or True
        return isinstance(e, ast.Subscript)

    def addr(self, e: ast.expr, *, store: bool = False) -> ir.Value:
        """Pointer to the storage an lvalue names (bounds-checked for list items)."""
        b = self.b
        if isinstance(e, ast.Name):
            self.check_bound(e)
            return self.slots[e.id]
        if isinstance(e, ast.Attribute):
            bty = self.mir.types[id(e.value)]
            st = self.mir.structs[bty.name]
            if isinstance(e.value, (ast.Name, ast.Attribute, ast.Subscript)) and (
                not isinstance(e.value, ast.Name) or e.value.id in self.slots
            ):
                base = self.addr(e.value)
            else:
                base = self.spill(self.expr(e.value))
            index = [ir.Constant(I32, 0), ir.Constant(I32, st.field_index(e.attr))]
            if not base.type.is_opaque:  # a struct local's own slot: let llvmlite type the field pointer
                return b.gep(base, index)
            return b.gep(base, index, source_etype=self.ml.struct_types[bty.name])
        assert isinstance(e, ast.Subscript)
        msg = "list assignment index out of range" if store else "list index out of range"
        cached = self.hoisted.get(ast.dump(e.value))
        if cached is not None:
            return self.cached_elem_ptr(e, cached, msg)
        lst = self.expr(e.value)
        hdr = self.use(lst)
        idx = self.coerce(self.expr(e.slice), INT).v
        assert lst.ty.elem is not None
        return self.elem_ptr(hdr, idx, lst.ty.elem, msg)

    # --- loop-invariant list headers
    def cached_elem_ptr(self, e: ast.Subscript, cached: tuple[ir.Value, ir.Value], msg: str) -> ir.Value:
        """Item address through a header hoisted out of the loop; anything unusual takes the full path."""
        b = self.b
        n, data = cached
        ety = self.mir.types[id(e)]
        idx = self.coerce(self.expr(e.slice), INT).v
        fast_ptr = b.gep(data, [idx], source_etype=self.ml.llty(ety))

        def full() -> ir.Value:
            return self.elem_ptr(self.use(self.expr(e.value)), idx, ety, msg)

        return self.unless_cold(b.icmp_unsigned("<", idx, n), fast_ptr, full, "hidx")

    def hoist_candidates(self, body: list[ast.stmt], extra: list[ast.expr], bound: set[str]) -> list[tuple[str, ast.expr]]:
        """Lists an innermost loop indexes but cannot resize (so their len/data are loop-invariant)."""
        nodes: list[ast.AST] = [*body, *extra]
        for node in nodes:
            for sub in ast.walk(node):
                if isinstance(sub, (ast.For, ast.While)):
                    return []
        if _resizes(nodes, self.mir):
            return []
        assigned = set(bound)
        for node in nodes:
            for sub in ast.walk(node):
                if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
                    assigned.add(sub.id)

        def invariant(x: ast.expr) -> bool:
            ty = self.mir.types.get(id(x))
            if ty is None or ty.kind != "List":
                return False
            if isinstance(x, ast.Name):
                return x.id in self.slots and x.id not in assigned and x.id not in self.bound_flags
            if isinstance(x, ast.Subscript) and isinstance(x.value, ast.Name) and invariant(x.value):
                k = x.slice
                if isinstance(k, ast.Name):
                    return k.id in self.slots and k.id not in assigned
                return isinstance(k, ast.Constant) and type(k.value) is int and k.value >= 0
            return False

        found: dict[str, ast.expr] = {}
        for node in nodes:
            for sub in ast.walk(node):
                if isinstance(sub, ast.Subscript) and invariant(sub.value):
                    found.setdefault(ast.dump(sub.value), sub.value)
        return [(k, v) for k, v in found.items() if k not in self.hoisted]

    def elem_ptr(self, hdr: ir.Value, idx: ir.Value, elem: Ty, msg: str) -> ir.Value:
        """Bounds-checked item address; negative indices take a cold path."""
        b = self.b
        n = self.hdr_load(hdr, 0)
        if isinstance(idx, ir.Constant) and idx.constant >= 0:
            real: ir.Value = idx
            self.raise_if(b.icmp_unsigned(">=", idx, n), "IndexError", msg)
        else:

            def negative() -> ir.Value:
                adj = self.b.add(idx, n)
                bad = self.b.or_(
                    self.b.icmp_signed(">=", idx, ir.Constant(I64, 0)), self.b.icmp_signed("<", adj, ir.Constant(I64, 0))
                )
                self.raise_if(bad, "IndexError", msg)
                return adj

            real = self.unless_cold(b.icmp_unsigned("<", idx, n), idx, negative, "idx")
        data = self.hdr_load(hdr, 2)
        return self.b.gep(data, [real], source_etype=self.ml.llty(elem))

    def spill(self, v: Val) -> ir.Value:
        """Put a struct rvalue in memory (temporaries are released at the statement's end)."""
        slot = self.ab.alloca(self.ml.llty(v.ty))
        self.b.store(self.use(v), slot)
        return slot

    # ------------------------------------------------------------------ expressions
    def const(self, ty: Ty, value: object) -> Val:
        if ty == INT:
            return Val(ir.Constant(I64, int(value)), INT)  # type: ignore[call-overload]
        if ty == FLOAT:
            return Val(ir.Constant(F64, float(value)), FLOAT)  # type: ignore[arg-type]
        if ty == BOOL:
            return Val(ir.Constant(I1, int(bool(value))), BOOL)
        assert ty == STRING and isinstance(value, str)
        return Val(self.b.load(self.ml.str_global(value), typ=PTR), STRING)

    def expr(self, e: ast.expr) -> Val:
        """Lower e; an error raised by its own operation is reported at e's line (as CPython's
        instruction locations do), one raised in a sub-expression at that one's."""
        outer, self.line = self.line, e.lineno
        try:
            return self._expr(e)
        finally:
            self.line = outer

    def _expr(self, e: ast.expr) -> Val:
        if id(e) in self.mir.consts:
            return self.const(*self.mir.consts[id(e)])
        b = self.b
        ty = self.mir.types[id(e)]
        if isinstance(e, ast.Constant):
            return self.const(ty, e.value)
        if isinstance(e, ast.Name):
            if e.id in self.slots:
                self.check_bound(e)
                return Val(b.load(self.slots[e.id], typ=self.ml.llty(ty)), ty)
            if e.id in self.mir.constants:
                return self.const(*self.mir.constants[e.id])
            return self.const(FLOAT, _MATH_CONST[self.math_alias(e.id)])
        if isinstance(e, ast.Attribute):
            vty = self.mir.types.get(id(e.value))
            if vty is None:  # math.<constant>
                return self.const(FLOAT, _MATH_CONST[e.attr])
            if isinstance(e.value, (ast.Name, ast.Attribute, ast.Subscript)):
                return Val(self.load(self.addr(e), ty), ty)
            base = self.expr(e.value)
            idx = self.mir.structs[vty.name].field_index(e.attr)
            field = b.extract_value(self.use(base), idx)
            return Val(field, ty)
        if isinstance(e, ast.Subscript):
            if self.mir.types[id(e.value)] == STRING:
                return self.str_index(self.expr(e.value), self.coerce(self.expr(e.slice), INT).v)
            return Val(self.load(self.addr(e), ty), ty)
        if isinstance(e, ast.BinOp):
            return self.binop(e.op, self.expr(e.left), self.expr(e.right), e.right)
        if isinstance(e, ast.UnaryOp):
            return self.unary(e.op, self.expr(e.operand))
        if isinstance(e, ast.BoolOp):
            return self.boolop(e, ty)
        if isinstance(e, ast.Compare):
            return Val(self.compare_chain(e), BOOL)
        if isinstance(e, ast.IfExp):
            return self.ifexp(e, ty)
        if isinstance(e, ast.Call):
            return self.call(e, ty)
        if isinstance(e, ast.List):
            return self.list_literal(e, ty)
        raise AssertionError(f"unexpected expression {type(e).__name__}")

    def math_alias(self, name: str) -> str:
        from_math = {"pi", "e", "tau", "inf", "nan"}
        return name if name in from_math else name

    def coerce(self, v: Val, to: Ty) -> Val:
        if v.ty == to:
            return v
        b = self.b
        if to == FLOAT:
            if v.ty == INT:
                return Val(b.sitofp(v.v, F64), FLOAT)
            if v.ty == BOOL:
                return Val(b.uitofp(v.v, F64), FLOAT)
        if to == INT and v.ty == BOOL:
            return Val(b.zext(v.v, I64), INT)
        return v

    def truth(self, v: Val) -> ir.Value:
        b = self.b
        if v.ty == BOOL:
            return v.v
        if v.ty == INT:
            return b.icmp_signed("!=", v.v, ir.Constant(I64, 0))
        if v.ty == FLOAT:
            return b.fcmp_unordered("!=", v.v, ir.Constant(F64, 0.0))
        if v.ty.kind == "List":
            n = self.hdr_load(self.use(v), 0)
            return b.icmp_signed("!=", n, ir.Constant(I64, 0))
        if v.ty == STRING:
            n = b.call(self.capi.fn("PyUnicode_GetLength"), [self.use(v)])
            return b.icmp_signed("!=", n, ir.Constant(I64, 0))
        raise AssertionError(f"no truth value for {v.ty}")

    # --- arithmetic
    def checked_int(self, name: str, a: ir.Value, c: ir.Value) -> ir.Value:
        r = self.b.call(self.ml.intrinsic(f"llvm.{name}.with.overflow", I64, 2, overflow=True), [a, c])
        self.raise_if(self.b.extract_value(r, 1), "OverflowError", OVERFLOW_MSG)
        return self.b.extract_value(r, 0)

    def binop(self, op: ast.operator, left: Val, right: Val, rnode: ast.expr | None = None) -> Val:
        b = self.b
        lt, rt = left.ty, right.ty
        if lt.kind == "List" or rt.kind == "List" or lt == STRING:
            return self.seq_binop(op, left, right)
        if isinstance(op, (ast.BitAnd, ast.BitOr, ast.BitXor)):
            if lt == BOOL and rt == BOOL:
                ops = {ast.BitAnd: b.and_, ast.BitOr: b.or_, ast.BitXor: b.xor}
                return Val(ops[type(op)](left.v, right.v), BOOL)
            l, r = self.coerce(left, INT).v, self.coerce(right, INT).v
            ops = {ast.BitAnd: b.and_, ast.BitOr: b.or_, ast.BitXor: b.xor}
            return Val(ops[type(op)](l, r), INT)
        if isinstance(op, (ast.LShift, ast.RShift)):
            return Val(self.shift(op, self.coerce(left, INT).v, self.coerce(right, INT).v), INT)
        if isinstance(op, ast.Div):
            if FLOAT not in (lt, rt):
                return Val(self.int_truediv(self.coerce(left, INT).v, self.coerce(right, INT).v), FLOAT)
            l, r = self.coerce(left, FLOAT).v, self.coerce(right, FLOAT).v
            self.raise_if(b.fcmp_ordered("==", r, ir.Constant(F64, 0.0)), "ZeroDivisionError", "float division by zero")
            return Val(b.fdiv(l, r), FLOAT)
        if FLOAT in (lt, rt):
            l, r = self.coerce(left, FLOAT).v, self.coerce(right, FLOAT).v
            if isinstance(op, ast.Add):
                return Val(b.fadd(l, r), FLOAT)
            if isinstance(op, ast.Sub):
                return Val(b.fsub(l, r), FLOAT)
            if isinstance(op, ast.Mult):
                return Val(b.fmul(l, r), FLOAT)
            if isinstance(op, ast.FloorDiv):
                return Val(self.call_checked(self.ml.float_floordiv_fn(), [l, r]), FLOAT)
            if isinstance(op, ast.Mod):
                return Val(self.call_checked(self.ml.float_mod_fn(), [l, r]), FLOAT)
            if isinstance(op, ast.Pow):
                return Val(self.call_checked(self.ml.float_pow_fn(), [l, r]), FLOAT)
        l, r = self.coerce(left, INT).v, self.coerce(right, INT).v
        if isinstance(op, ast.Add):
            return Val(self.checked_int("sadd", l, r), INT)
        if isinstance(op, ast.Sub):
            return Val(self.checked_int("ssub", l, r), INT)
        if isinstance(op, ast.Mult):
            return Val(self.checked_int("smul", l, r), INT)
        if isinstance(op, (ast.FloorDiv, ast.Mod)):
            return Val(self.int_divmod(l, r, isinstance(op, ast.FloorDiv)), INT)
        if isinstance(op, ast.Pow):
            exp = _int_literal(rnode) if rnode is not None else None
            if exp == 2:
                return Val(self.checked_int("smul", l, l), INT)
            return Val(self.call_checked(self.ml.int_pow_fn(), [l, r]), INT)
        raise AssertionError(f"unexpected operator {type(op).__name__}")

    def int_divmod(self, a: ir.Value, c: ir.Value, floor: bool) -> ir.Value:
        b = self.b
        zero = ir.Constant(I64, 0)
        msg = "integer division or modulo by zero" if floor else "integer modulo by zero"
        self.raise_if(b.icmp_signed("==", c, zero), "ZeroDivisionError", msg)
        minus1 = b.icmp_signed("==", c, ir.Constant(I64, -1))
        if floor:
            self.raise_if(b.and_(minus1, b.icmp_signed("==", a, ir.Constant(I64, -(2**63)))), "OverflowError", OVERFLOW_MSG)
        safe_c = b.select(minus1, ir.Constant(I64, 1), c)  # x // -1 and x % -1 without the INT_MIN trap
        q = b.sdiv(a, safe_c)
        r = b.srem(a, safe_c)
        fix = b.and_(b.icmp_signed("!=", r, zero), b.icmp_signed("<", b.xor(r, c), zero))
        if floor:
            q = b.select(fix, b.sub(q, ir.Constant(I64, 1)), q)
            return b.select(minus1, b.sub(zero, a), q)
        r = b.select(fix, b.add(r, c), r)
        return b.select(minus1, zero, r)

    def int_truediv(self, a: ir.Value, c: ir.Value) -> ir.Value:
        b = self.b
        self.raise_if(b.icmp_signed("==", c, ir.Constant(I64, 0)), "ZeroDivisionError", "division by zero")
        lim = ir.Constant(I64, TWO53)
        small = b.and_(self._abs_le(a, lim), self._abs_le(c, lim))
        fast_val = b.fdiv(b.sitofp(a, F64), b.sitofp(c, F64))
        return self.unless_cold(small, fast_val, lambda: self.call_checked(self.ml.int_truediv_slow_fn(), [a, c]), "div")

    def _abs_le(self, x: ir.Value, lim: ir.Value) -> ir.Value:
        b = self.b
        return b.and_(b.icmp_signed("<=", x, lim), b.icmp_signed(">=", x, b.neg(lim)))

    def shift(self, op: ast.operator, a: ir.Value, n: ir.Value) -> ir.Value:
        b = self.b
        zero = ir.Constant(I64, 0)
        self.raise_if(b.icmp_signed("<", n, zero), "ValueError", "negative shift count")
        big = b.icmp_signed(">=", n, ir.Constant(I64, 64))
        sn = b.select(big, ir.Constant(I64, 63), n)
        if isinstance(op, ast.RShift):
            return b.ashr(a, sn)
        r = b.shl(a, sn)
        lost = b.or_(b.and_(big, b.icmp_signed("!=", a, zero)), b.icmp_signed("!=", b.ashr(r, sn), a))
        self.raise_if(lost, "OverflowError", OVERFLOW_MSG)
        return r

    def unary(self, op: ast.unaryop, v: Val) -> Val:
        b = self.b
        if isinstance(op, ast.Not):
            return Val(b.not_(self.truth(v)), BOOL)
        if v.ty == FLOAT:
            if isinstance(op, ast.USub):
                return Val(b.fneg(v.v), FLOAT)
            return v
        x = self.coerce(v, INT).v
        if isinstance(op, ast.USub):
            return Val(self.checked_int("ssub", ir.Constant(I64, 0), x), INT)
        if isinstance(op, ast.Invert):
            return Val(b.xor(x, ir.Constant(I64, -1)), INT)
        return Val(x, INT)

    def boolop(self, e: ast.BoolOp, ty: Ty) -> Val:
        slot = self.ab.alloca(self.ml.llty(ty))
        end = self.fn.append_basic_block("bool.end")
        for i, node in enumerate(e.values):
            with self.branch_temps():
                v = self.take(self.expr(node))
                self.b.store(v, slot)
                t = self.truth(Val(v, ty))
            if i == len(e.values) - 1:
                self.b.branch(end)
                break
            nxt = self.fn.append_basic_block("bool.next")
            drop_bb = self.fn.append_basic_block("bool.drop")
            if isinstance(e.op, ast.And):
                self.b.cbranch(t, drop_bb, end)
            else:
                self.b.cbranch(t, end, drop_bb)
            self.b.position_at_end(drop_bb)
            self.drop(ty, v)
            self.b.branch(nxt)
            self.b.position_at_end(nxt)
        self.b.position_at_end(end)
        return Val(self.b.load(slot, typ=self.ml.llty(ty)), ty, True)

    def ifexp(self, e: ast.IfExp, ty: Ty) -> Val:
        slot = self.ab.alloca(self.ml.llty(ty))
        cond = self.truth(self.expr(e.test))
        then_bb = self.fn.append_basic_block("ifx.then")
        else_bb = self.fn.append_basic_block("ifx.else")
        end = self.fn.append_basic_block("ifx.end")
        self.b.cbranch(cond, then_bb, else_bb)
        for bb, node in ((then_bb, e.body), (else_bb, e.orelse)):
            self.b.position_at_end(bb)
            with self.branch_temps():
                self.b.store(self.take(self.coerce(self.expr(node), ty)), slot)
            self.b.branch(end)
        self.b.position_at_end(end)
        return Val(self.b.load(slot, typ=self.ml.llty(ty)), ty, True)

    # --- comparisons
    def compare_chain(self, e: ast.Compare) -> ir.Value:
        if len(e.ops) == 1:
            return self.compare(e.ops[0], self.expr(e.left), self.expr(e.comparators[0]))
        slot = self.ab.alloca(I1)
        end = self.fn.append_basic_block("cmp.end")
        left = self.expr(e.left)  # evaluated on every path: released with the statement's temporaries
        for i, (op, node) in enumerate(zip(e.ops, e.comparators)):
            last = i == len(e.ops) - 1
            with self.branch_temps():  # a tail runs only when the comparisons before it held
                right = operand = self.expr(node)
                if not last and right.ty.needs_drop:  # the next comparison's left operand: kept alive
                    right = Val(self.take(right), right.ty, True)
                    operand = Val(right.v, right.ty)
                r = self.compare(op, left, operand)
                self.b.store(r, slot)
            if last:
                self.b.branch(end)
            else:
                nxt = self.fn.append_basic_block("cmp.next")
                stop = self.fn.append_basic_block("cmp.stop")
                self.b.cbranch(r, nxt, stop)
                self.b.position_at_end(stop)
                self.drop(right.ty, right.v)
                self.b.branch(end)
                self.b.position_at_end(nxt)
            left = right
        self.b.position_at_end(end)
        return self.b.load(slot, typ=I1)

    def compare(self, op: ast.cmpop, left: Val, right: Val) -> ir.Value:
        b = self.b
        if isinstance(op, (ast.In, ast.NotIn)):
            found = self.contains(right, left)
            return b.not_(found) if isinstance(op, ast.NotIn) else found
        sym = _CMP[type(op)]
        if left.ty == STRING:
            return self.str_compare(sym, self.use(left), self.use(right))
        lt, rt = left.ty, right.ty
        if FLOAT not in (lt, rt):
            return b.icmp_signed(sym, self.coerce(left, INT).v, self.coerce(right, INT).v)
        if lt == FLOAT and rt == FLOAT:
            if sym == "!=":
                return b.fcmp_unordered("!=", left.v, right.v)
            return b.fcmp_ordered(sym, left.v, right.v)
        if lt == FLOAT:
            return self.cmp_int_float(_FLIP[sym], self.coerce(right, INT).v, left.v)
        return self.cmp_int_float(sym, self.coerce(left, INT).v, right.v)

    def str_compare(self, sym: str, a: ir.Value, c: ir.Value) -> ir.Value:
        """String comparison; identical objects decide ==/!= without a call."""
        b = self.b
        slot = self.ab.alloca(I1)
        same = b.icmp_unsigned("==", a, c)
        if sym in ("==", "!="):
            b.store(ir.Constant(I1, 1 if sym == "==" else 0), slot)
        else:
            b.store(ir.Constant(I1, 0), slot)
        with b.if_then(b.not_(same) if sym in ("==", "!=") else ir.Constant(I1, 1)):
            r = b.call(self.capi.fn("PyObject_RichCompareBool"), [a, c, ir.Constant(I32, _RICH[sym])])
            self.raise_if_set(b.icmp_signed("<", r, ir.Constant(I32, 0)))
            self.b.store(self.b.icmp_signed(">", r, ir.Constant(I32, 0)), slot)
        return self.b.load(slot, typ=I1)

    def raise_if_set(self, cond: ir.Value) -> None:
        """Branch to the error exit (the exception is already set) when cond holds."""
        self.check(cond)

    def cmp_int_float(self, sym: str, i: ir.Value, f: ir.Value) -> ir.Value:
        """Exact int-vs-float comparison, as CPython does it (no rounding of the int)."""
        b = self.b
        o = b.call(self.cmp_int_float_fn(), [i, f])
        c = {"<": [-1], "<=": [-1, 0], "==": [0], "!=": [-1, 1, 2], ">": [1], ">=": [0, 1]}[sym]
        res = b.icmp_signed("==", o, ir.Constant(I32, c[0]))
        for k in c[1:]:
            res = b.or_(res, b.icmp_signed("==", o, ir.Constant(I32, k)))
        return res

    def cmp_int_float_fn(self) -> ir.Function:
        ml = self.ml

        def body(b: ir.IRBuilder, f: ir.Function) -> None:
            i, x = f.args
            with b.if_then(b.fcmp_unordered("uno", x, x), likely=False):
                b.ret(ir.Constant(I32, 2))
            fi = b.sitofp(i, F64)
            with b.if_then(b.fcmp_ordered("<", fi, x)):
                b.ret(ir.Constant(I32, -1))
            with b.if_then(b.fcmp_ordered(">", fi, x)):
                b.ret(ir.Constant(I32, 1))
            with b.if_then(b.fcmp_ordered(">=", x, ir.Constant(F64, 2.0**63))):
                b.ret(ir.Constant(I32, -1))
            xi = b.fptosi(x, I64)
            lt = b.icmp_signed("<", i, xi)
            gt = b.icmp_signed(">", i, xi)
            b.ret(b.select(lt, ir.Constant(I32, -1), b.select(gt, ir.Constant(I32, 1), ir.Constant(I32, 0))))

        return ml.helper("pm.cmp_int_float", I32, [I64, F64], body)

    def contains(self, lst: Val, item: Val) -> ir.Value:
        assert lst.ty.elem is not None
        hdr = self.use(lst)
        elem = lst.ty.elem
        slot = self.ab.alloca(I1)
        self.b.store(ir.Constant(I1, 0), slot)
        if elem == FLOAT and item.ty == FLOAT:
            self.nan_identity_deopt(hdr, item.v)
        with self.index_loop(lambda: self.hdr_load(hdr, 0), "in") as (i, end):
            data = self.hdr_load(hdr, 2)
            x = Val(self.load(self.b.gep(data, [i], source_etype=self.ml.llty(elem)), elem), elem)
            eq = self.compare(ast.Eq(), item, x)
            self.b.store(eq, slot)
            nxt = self.fn.append_basic_block("in.next")
            self.b.cbranch(eq, end, nxt)
            self.b.position_at_end(nxt)
        return self.b.load(slot, typ=I1)

    def nan_identity_deopt(self, hdr: ir.Value, x: ir.Value) -> None:
        """`nan in xs`: CPython tests identity before equality, so a nan item may be found or not as it
        is the same object or not, which a double cannot tell: with a nan in the list the native run
        deopts and the Python reading decides. Other values are found as CPython finds them."""
        b = self.b
        with b.if_then(b.fcmp_unordered("uno", x, x), likely=False):
            with self.index_loop(lambda: self.hdr_load(hdr, 0), "in.nan") as (i, _):
                y = self.load(b.gep(self.hdr_load(hdr, 2), [i], source_etype=F64), FLOAT)
                with self.raising(b.fcmp_unordered("uno", y, y)):
                    self.ml.set_error(b, DEOPT, "nan identity")

    # --- sequences
    def seq_binop(self, op: ast.operator, left: Val, right: Val) -> Val:
        b = self.b
        if left.ty == STRING:
            r = b.call(self.capi.fn("PyUnicode_Concat"), [self.use(left), self.use(right)])
            self.check(b.icmp_unsigned("==", r, ir.Constant(PTR, None)))
            return Val(r, STRING, True)
        if isinstance(op, ast.Add):
            return self.list_concat(left, right)
        lst, times = (left, right) if left.ty.kind == "List" else (right, left)
        return self.list_repeat(lst, self.coerce(times, INT).v)

    def new_list(self, n: ir.Value, elem: Ty) -> ir.Value:
        hdr = self.b.call(self.ml.list_new_fn(), [n, ir.Constant(I64, self.ml.size_of(elem))])
        self.check(self.b.icmp_unsigned("==", hdr, ir.Constant(PTR, None)))
        return hdr

    def list_literal(self, e: ast.List, ty: Ty) -> Val:
        assert ty.elem is not None
        vals = [self.take(self.coerce(self.expr(x), ty.elem)) for x in e.elts]
        hdr = self.new_list(ir.Constant(I64, len(vals)), ty.elem)
        data = self.hdr_load(hdr, 2)
        elt = self.ml.llty(ty.elem)
        for i, v in enumerate(vals):
            self.b.store(v, self.b.gep(data, [ir.Constant(I64, i)], source_etype=elt))
        return Val(hdr, ty, True)

    def list_repeat(self, lst: Val, times: ir.Value) -> Val:
        b = self.b
        assert lst.ty.elem is not None
        elem, elt = lst.ty.elem, self.ml.llty(lst.ty.elem)
        src = self.use(lst)
        k = self.hdr_load(src, 0)
        times = b.select(b.icmp_signed("<", times, ir.Constant(I64, 0)), ir.Constant(I64, 0), times)
        r = b.call(self.ml.intrinsic("llvm.smul.with.overflow", I64, 2, overflow=True), [k, times])
        with self.raising(b.extract_value(r, 1)):
            self.b.call(self.capi.fn("PyErr_NoMemory"), [])
        total = self.b.extract_value(r, 0)
        hdr = self.new_list(total, elem)
        sdata = self.hdr_load(src, 2)
        ddata = self.hdr_load(hdr, 2)
        with self.index_loop(lambda: total, "rep") as (i, _):
            j = self.b.urem(i, k) if not _is_const_one(k) else ir.Constant(I64, 0)
            item = self.b.load(self.b.gep(sdata, [j], source_etype=elt), typ=elt)
            self.b.store(self.take(Val(item, elem)), self.b.gep(ddata, [i], source_etype=elt))
        return Val(hdr, lst.ty, True)

    def list_concat(self, left: Val, right: Val) -> Val:
        assert left.ty.elem is not None
        elem, elt = left.ty.elem, self.ml.llty(left.ty.elem)
        a, c = self.use(left), self.use(right)
        na = self.hdr_load(a, 0)
        nc = self.hdr_load(c, 0)
        hdr = self.new_list(self.b.add(na, nc), elem)
        ddata = self.hdr_load(hdr, 2)
        for src, n, off in ((a, na, ir.Constant(I64, 0)), (c, nc, na)):
            sdata = self.hdr_load(src, 2)
            with self.index_loop(functools.partial(_same, n), "cat") as (i, _):
                item = self.b.load(self.b.gep(sdata, [i], source_etype=elt), typ=elt)
                self.b.store(self.take(Val(item, elem)), self.b.gep(ddata, [self.b.add(i, off)], source_etype=elt))
        return Val(hdr, left.ty, True)

    # ------------------------------------------------------------------ calls
    def call(self, e: ast.Call, ty: Ty) -> Val:
        info = self.mir.calls[id(e)]
        if info.kind == "fn":
            func = self.mir.functions[info.target]
            return self.call_native(func, info.args, None)
        if info.kind == "method":
            owner, name = info.target.split(".", 1)
            func = self.mir.structs[owner].methods[name]
            assert info.recv is not None
            return self.call_native(func, info.args, info.recv)
        if info.kind == "ctor":
            return self.construct(info, ty)
        if info.kind == "builtin":
            return self.builtin(info, ty)
        if info.kind == "math":
            return self.math_call(info, ty)
        if info.kind == "list_method":
            return self.list_method(info, ty)
        raise AssertionError(info.kind)

    def arg_value(self, p: Param, node: ast.expr) -> ir.Value:
        if p.convention in ("mut", "out"):
            return self.addr(node, store=True)
        v = self.coerce(self.expr(node), p.ty)
        if p.convention == "var":
            return self.take(v)
        if p.ty.kind == "Struct":
            if isinstance(node, (ast.Name, ast.Attribute, ast.Subscript)) and (
                not isinstance(node, ast.Name) or node.id in self.slots
            ):
                return self.addr(node)
            return self.spill(v)
        return self.use(v)

    def self_ptr(self, func: FuncIR, recv: ast.expr) -> ir.Value:
        if isinstance(recv, (ast.Name, ast.Attribute, ast.Subscript)) and (
            not isinstance(recv, ast.Name) or recv.id in self.slots
        ):
            return self.addr(recv, store=func.params[0].convention == "mut")
        return self.spill(self.expr(recv))

    def call_native(self, func: FuncIR, args: list[ast.expr], recv: ast.expr | None) -> Val:
        params = func.params
        vals: list[ir.Value] = []
        if recv is not None:
            vals.append(self.self_ptr(func, recv))
            params = params[1:]
        for p, node in zip(params, args):
            vals.append(self.arg_value(p, node))
        err, out = self.call_body(func.key, vals)
        self.check(err)
        return Val(out, func.ret, True)

    def construct(self, info: CallInfo, ty: Ty) -> Val:
        st = self.mir.structs[info.target]
        lt = self.ml.struct_types[st.name]
        init = st.methods.get("__init__")
        if init is None:
            v: ir.Value = ir.Constant(lt, None)
            for i, ((_, fty), node) in enumerate(zip(st.fields, info.args)):
                v = self.b.insert_value(v, self.take(self.coerce(self.expr(node), fty)), i)
            return Val(v, ty, True)
        slot = self.ab.alloca(lt)
        vals: list[ir.Value] = [slot]
        for p, node in zip(init.params[1:], info.args):
            vals.append(self.arg_value(p, node))
        r = self.call_checked(self.ml.default_fn(ty), [])
        self.b.store(r, slot)
        err, _ = self.call_body(init.key, vals)
        with self.raising(err):
            self.drop(ty, self.b.load(slot, typ=lt))
        return Val(self.b.load(slot, typ=lt), ty, True)

    def builtin(self, info: CallInfo, ty: Ty) -> Val:
        b = self.b
        name = info.target
        args = [self.expr(a) for a in info.args]
        if name == "len":
            v = args[0]
            if v.ty == STRING:
                return Val(b.call(self.capi.fn("PyUnicode_GetLength"), [self.use(v)]), INT)
            return Val(self.hdr_load(self.use(v), 0), INT)
        if name == "abs":
            v = args[0]
            if v.ty == FLOAT:
                return Val(b.call(self.ml.intrinsic("llvm.fabs", F64), [v.v]), FLOAT)
            x = self.coerce(v, INT).v
            self.raise_if(b.icmp_signed("==", x, ir.Constant(I64, -(2**63))), "OverflowError", OVERFLOW_MSG)
            neg = self.b.icmp_signed("<", x, ir.Constant(I64, 0))
            return Val(self.b.select(neg, self.b.neg(x), x), INT)
        if name in ("min", "max"):
            return self.minmax(name, args, ty)
        if name == "float":
            if not args:
                return Val(ir.Constant(F64, 0.0), FLOAT)
            return self.coerce(args[0], FLOAT)
        if name == "bool":
            if not args:
                return Val(ir.Constant(I1, 0), BOOL)
            return Val(self.truth(args[0]), BOOL)
        if name == "int":
            if not args:
                return Val(ir.Constant(I64, 0), INT)
            v = args[0]
            if v.ty != FLOAT:
                return self.coerce(v, INT)
            return Val(self.float_to_int(v.v), INT)
        raise AssertionError(name)

    def float_to_int(self, x: ir.Value) -> ir.Value:
        b = self.b
        self.raise_if(b.fcmp_unordered("uno", x, x), "ValueError", "cannot convert float NaN to integer")
        inf = self.b.fcmp_ordered("==", self.b.call(self.ml.intrinsic("llvm.fabs", F64), [x]), ir.Constant(F64, math.inf))
        self.raise_if(inf, "OverflowError", "cannot convert float infinity to integer")
        out = self.b.or_(
            self.b.fcmp_ordered(">=", x, ir.Constant(F64, 2.0**63)), self.b.fcmp_ordered("<", x, ir.Constant(F64, -(2.0**63)))
        )
        self.raise_if(out, "OverflowError", OVERFLOW_MSG)
        return self.b.fptosi(x, I64)

    def minmax(self, name: str, args: list[Val], ty: Ty) -> Val:
        b = self.b
        op = ast.Gt() if name == "max" else ast.Lt()
        if len(args) >= 2:
            best = args[0]
            for v in args[1:]:
                better = self.compare(op, v, best)
                best = Val(self.b.select(better, v.v, best.v), ty)
            return best
        lst = args[0]
        hdr = self.use(lst)
        elt = self.ml.llty(ty)
        n = self.hdr_load(hdr, 0)
        self.raise_if(b.icmp_signed("==", n, ir.Constant(I64, 0)), "ValueError", f"{name}() arg is an empty sequence")
        data = self.hdr_load(hdr, 2)
        slot = self.ab.alloca(elt)
        self.b.store(self.b.load(data, typ=elt), slot)
        with self.index_loop(lambda: n, "mm", start=1) as (i, _):
            x = self.b.load(self.b.gep(data, [i], source_etype=elt), typ=elt)
            cur = self.b.load(slot, typ=elt)
            better = self.compare(op, Val(x, ty), Val(cur, ty))
            self.b.store(self.b.select(better, x, cur), slot)
        return Val(self.b.load(slot, typ=elt), ty)

    def math_call(self, info: CallInfo, ty: Ty) -> Val:
        b = self.b
        name = info.target
        args = [self.expr(a) for a in info.args]
        if name in ("floor", "ceil", "trunc") and args[0].ty != FLOAT:
            return self.coerce(args[0], INT)  # an int's __floor__/__ceil__/__trunc__ is the int itself
        xs = [self.coerce(a, FLOAT).v for a in args]
        if name in ("isnan", "isinf", "isfinite"):
            x = xs[0]
            if name == "isnan":
                return Val(b.fcmp_unordered("uno", x, x), BOOL)
            absx = b.call(self.ml.intrinsic("llvm.fabs", F64), [x])
            if name == "isinf":
                return Val(b.fcmp_ordered("==", absx, ir.Constant(F64, math.inf)), BOOL)
            return Val(b.fcmp_ordered("<", absx, ir.Constant(F64, math.inf)), BOOL)
        if name in ("floor", "ceil", "trunc"):
            r = b.call(self.ml.intrinsic(f"llvm.{name}", F64), [xs[0]])
            return Val(self.float_to_int(r), INT)
        if name == "log" and len(xs) == 2:
            num = self.math_checked("log", [xs[0]])
            den = self.math_checked("log", [xs[1]])
            self.raise_if(self.b.fcmp_ordered("==", den, ir.Constant(F64, 0.0)), "ZeroDivisionError", "float division by zero")
            return Val(self.b.fdiv(num, den), FLOAT)
        return Val(self.math_checked(name, xs), FLOAT)

    def math_checked(self, name: str, xs: list[ir.Value]) -> ir.Value:
        """libm call plus CPython's math-module error rules (domain -> ValueError, range -> OverflowError)."""
        b = self.b
        if name in _INTRINSIC_MATH:
            r = b.call(self.ml.intrinsic(f"llvm.{name}", F64), xs)
        elif name in ("pow", "copysign"):
            r = b.call(self.ml.intrinsic(f"llvm.{name}", F64, 2), xs)
        else:
            r = b.call(self.capi.fn(name), xs)
        if name in ("copysign", "atan2", "fabs", "hypot", "atan", "tanh", "asinh"):
            return r
        inf = ir.Constant(F64, math.inf)
        nan_in = b.fcmp_unordered("uno", xs[0], xs[0])
        for x in xs[1:]:
            nan_in = b.or_(nan_in, b.fcmp_unordered("uno", x, x))
        fin_in = b.fcmp_ordered("<", b.call(self.ml.intrinsic("llvm.fabs", F64), [xs[0]]), inf)
        for x in xs[1:]:
            fin_in = b.and_(fin_in, b.fcmp_ordered("<", b.call(self.ml.intrinsic("llvm.fabs", F64), [x]), inf))
        if name == "log" or name in ("log2", "log10"):
            self.raise_if(b.fcmp_ordered("<=", xs[0], ir.Constant(F64, 0.0)), "ValueError", "math domain error")
            return r
        if name == "fmod":
            bad = b.or_(b.fcmp_ordered("==", xs[1], ir.Constant(F64, 0.0)),
                        b.fcmp_ordered("==", b.call(self.ml.intrinsic("llvm.fabs", F64), [xs[0]]), inf))
            self.raise_if(b.and_(bad, b.not_(nan_in)), "ValueError", "math domain error")
            return r
        r_nan = self.b.fcmp_unordered("uno", r, r)
        self.raise_if(self.b.and_(r_nan, self.b.not_(nan_in)), "ValueError", "math domain error")
        r_inf = self.b.fcmp_ordered("==", self.b.call(self.ml.intrinsic("llvm.fabs", F64), [r]), inf)
        bad_inf = self.b.and_(r_inf, fin_in)
        if name == "pow":
            zero_base = self.b.fcmp_ordered("==", xs[0], ir.Constant(F64, 0.0))
            self.raise_if(self.b.and_(bad_inf, zero_base), "ValueError", "math domain error")
            self.raise_if(bad_inf, "OverflowError", "math range error")
        elif name in _CAN_OVERFLOW:
            self.raise_if(bad_inf, "OverflowError", "math range error")
        else:
            self.raise_if(bad_inf, "ValueError", "math domain error")
        return r

    def list_method(self, info: CallInfo, ty: Ty) -> Val:
        b = self.b
        assert info.recv is not None
        lty = self.mir.types[id(info.recv)]
        assert lty.elem is not None
        elem, elt = lty.elem, self.ml.llty(lty.elem)
        if info.target == "copy":
            return Val(self.take(self.expr(info.recv)), lty, True)
        if info.target == "append":
            v = self.take(self.coerce(self.expr(info.args[0]), elem))
            hdr = self.use(self.expr(info.recv))
            n = self.hdr_load(hdr, 0)
            cap = self.hdr_load(hdr, 1)
            grow = self.fn.append_basic_block("append.grow")
            store = self.fn.append_basic_block("append.store")
            br = b.cbranch(b.icmp_signed("<", n, cap), store, grow)
            br.set_weights([100, 1])
            b.position_at_end(grow)
            n1 = b.add(n, ir.Constant(I64, 1))
            err = b.call(self.ml.list_reserve_fn(), [hdr, n1, ir.Constant(I64, self.ml.size_of(elem))])
            with self.raising(err):
                self.drop(elem, v)
            self.b.branch(store)
            self.b.position_at_end(store)
            data = self.hdr_load(hdr, 2)
            self.b.store(v, self.b.gep(data, [n], source_etype=elt))
            self.hdr_store(self.b.add(n, ir.Constant(I64, 1)), hdr, 0)
            return Val(ir.Constant(self.ml.llty(NONE), 0), NONE)
        self.identity_deopt(info.recv)
        hdr = self.use(self.expr(info.recv))
        n = self.hdr_load(hdr, 0)
        if info.target == "clear":
            data = self.hdr_load(hdr, 2)
            if elem.needs_drop:
                from pymigrate.codegen.lower import counted_loop

                with counted_loop(self.b, n) as i:
                    self.drop(elem, self.b.load(self.b.gep(data, [i], source_etype=elt), typ=elt))
            self.hdr_store(ir.Constant(I64, 0), hdr, 0)
            return Val(ir.Constant(self.ml.llty(NONE), 0), NONE)
        assert info.target == "pop"
        if info.args and _resizes(list(info.args), self.mir):  # the index changes lists: pop from the list as it is then
            self.pin(hdr)
            with self.holding(lty, hdr):
                return self.pop(hdr, lty, self.coerce(self.expr(info.args[0]), INT).v)
        idx = self.coerce(self.expr(info.args[0]), INT).v if info.args else ir.Constant(I64, -1)
        return self.pop(hdr, lty, idx)

    def pop(self, hdr: ir.Value, lty: Ty, idx: ir.Value) -> Val:
        """xs.pop(idx) on the list as it is now; the item is moved out to the caller."""
        assert lty.elem is not None
        elem, elt = lty.elem, self.ml.llty(lty.elem)
        n = self.hdr_load(hdr, 0)
        self.raise_if(self.b.icmp_signed("==", n, ir.Constant(I64, 0)), "IndexError", "pop from empty list")
        ptr = self.elem_ptr(hdr, idx, elem, "pop index out of range")
        item = self.b.load(ptr, typ=elt)
        data = self.hdr_load(hdr, 2)
        end_ptr = self.b.gep(data, [n], source_etype=elt)
        nxt = self.b.gep(ptr, [ir.Constant(I64, 1)], source_etype=elt)
        nbytes = self.b.sub(self.b.ptrtoint(end_ptr, I64), self.b.ptrtoint(nxt, I64))
        self.b.call(self.capi.fn("memmove"), [ptr, nxt, nbytes])
        self.hdr_store(self.b.sub(n, ir.Constant(I64, 1)), hdr, 0)
        return Val(item, elem, True)


def _same(v: ir.Value) -> ir.Value:
    return v


def _resizes(nodes: list[ast.AST], mir: ModuleIR) -> bool:
    """Could running these nodes resize, replace or free any list (so cached headers go stale)?"""
    for node in nodes:
        for sub in ast.walk(node):
            if isinstance(sub, ast.Call):
                info = mir.calls.get(id(sub))
                if info is None:
                    continue
                if info.kind == "list_method" and info.target != "copy":
                    return True
                if info.kind in ("fn", "method"):
                    owner, _, name = info.target.rpartition(".")
                    func = mir.structs[owner].methods[name] if owner else mir.functions[name]
                    if any(p.convention in ("mut", "out") for p in func.params):
                        return True
                if info.kind == "ctor":
                    init = mir.structs[info.target].methods.get("__init__")
                    if init is not None and any(p.convention == "mut" for p in init.params[1:]):
                        return True
            targets: list[ast.expr] = []
            if isinstance(sub, ast.Assign):
                targets = list(sub.targets)
            elif isinstance(sub, (ast.AugAssign, ast.AnnAssign)):
                targets = [sub.target]
            while targets:
                t = targets.pop()
                if isinstance(t, ast.Tuple):
                    targets.extend(t.elts)
                    continue
                ty = mir.types.get(id(t))
                if not isinstance(t, ast.Name) and (ty is None or ty.needs_drop):
                    return True
    return False


def _holds_items(ty: Ty | None) -> bool:
    """A list of lists or of structs: its items are objects a Python caller may hold."""
    return ty is not None and ty.kind == "List" and ty.elem is not None and ty.elem.kind in ("List", "Struct")


def _item_place(target: ast.expr) -> tuple[ast.Subscript, list[str]] | None:
    """A target that is a list item or a field (of a field...) of one: the item and the field path."""
    fields: list[str] = []
    while isinstance(target, ast.Attribute):
        fields.insert(0, target.attr)
        target = target.value
    return (target, fields) if isinstance(target, ast.Subscript) else None


def _int_literal(node: ast.expr | None) -> int | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, int) and not isinstance(node.value, bool):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _int_literal(node.operand)
        return -inner if inner is not None else None
    return None


def _is_const_one(v: ir.Value) -> bool:
    return isinstance(v, ir.Constant) and v.constant == 1


def _unit_counters(body: list[ast.stmt]) -> list[str]:
    """Names whose only store in a loop body is a single `x += 1` outside nested loops (and never
    passed to a call, which could change it through `mut`)."""
    stores: dict[str, int] = {}
    steps: dict[str, int] = {}
    passed: set[str] = set()

    def visit(node: ast.AST, in_loop: bool) -> None:
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            stores[node.id] = stores.get(node.id, 0) + 1
        if isinstance(node, ast.Call):
            passed.update(n for n in map(root_name, node.args) if n is not None)
            passed.update(n for n in (root_name(k.value) for k in node.keywords) if n is not None)
        if (
            isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name) and isinstance(node.op, ast.Add)
            and isinstance(node.value, ast.Constant) and type(node.value.value) is int and node.value.value == 1
            and not in_loop
        ):
            steps[node.target.id] = steps.get(node.target.id, 0) + 1
        nested = in_loop or isinstance(node, (ast.For, ast.While))
        for child in ast.iter_child_nodes(node):
            visit(child, nested)

    for st in body:
        visit(st, False)
    return [n for n, k in steps.items() if k == 1 and stores.get(n) == 1 and n not in passed]


_ = (list_of,)
