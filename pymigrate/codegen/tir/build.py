"""Builder: the checked AST of an object-tier fn to the typed IR.

Every value is an `object` reference and every operation is the C API call CPython's own
bytecode makes, in CPython's evaluation order. The builder emits ops with their error kinds and
ownership only; errors (passes/errors.py) and reference counts (passes/refcount.py) come after.
Locals are registers; a read of a local that is not a parameter checks that it is bound
(UnboundLocalError), which the optimizer drops wherever an earlier store proves it.
"""

from __future__ import annotations
import __future__

import ast
from dataclasses import dataclass
from typing import Any

from pymigrate.codegen.tir.closures import Closures
from pymigrate.codegen.tir.ops import (
    BOOL,
    ERR_ALWAYS,
    ERR_MAGIC,
    ERR_NEVER,
    I32,
    I64,
    OBJECT,
    VOID,
    Assign,
    BasicBlock,
    BoxBool,
    Branch,
    CallC,
    Compare,
    ControlOp,
    EnterRecursion,
    FuncTIR,
    Goto,
    Helper,
    Integer,
    LeaveRecursion,
    LoadConst,
    LoadGlobal,
    LoadMethod,
    Not,
    Op,
    RaiseError,
    Register,
    Return,
    RType,
    Value,
    Vectorcall,
)
from pymigrate.codegen.tir.scopes import annotated_args, bound_names


@dataclass
class Unwind:
    """What leaving a `try` construct early (return, break, continue) must run, innermost last:
    an except handler's (or a finally's exception path's) cleanup, which restores the handled
    exception and releases the caught one, or a `finally` body, run inline as CPython's compiler
    copies it; with the state of the builder at the construct."""

    kind: str  # "handler", "finally" or "with" (exc is then the context manager's bound __exit__)
    handler: BasicBlock | None  # where failures went around the construct
    handled: int  # depth of the handled-exception stack around it
    exc: Register | None = None
    prev: Register | None = None
    line: int = -1
    name: Register | None = None  # released with the handler: its `as` name, or a with's __exit__
    body: list[ast.stmt] | None = None


@dataclass(frozen=True)
class StaticObject:
    """A constant that is a C global of the interpreter (an exception class, Ellipsis)."""

    symbol: str


BINARY = {
    ast.Add: "Add", ast.Sub: "Subtract", ast.Mult: "Multiply", ast.Div: "TrueDivide",
    ast.FloorDiv: "FloorDivide", ast.Mod: "Remainder", ast.Pow: "Power", ast.LShift: "Lshift",
    ast.RShift: "Rshift", ast.BitAnd: "And", ast.BitOr: "Or", ast.BitXor: "Xor", ast.MatMult: "MatrixMultiply",
}  # fmt: skip
UNARY = {ast.USub: "PyNumber_Negative", ast.UAdd: "PyNumber_Positive", ast.Invert: "PyNumber_Invert"}
RICH = {ast.Lt: 0, ast.LtE: 1, ast.Eq: 2, ast.NotEq: 3, ast.Gt: 4, ast.GtE: 5}
CONVERSIONS = {ord("s"): "PyObject_Str", ord("r"): "PyObject_Repr", ord("a"): "PyObject_ASCII"}
UNBOUND_MESSAGE = "cannot access local variable '{}' where it is not associated with a value"
FREE_MESSAGE = "cannot access free variable '{}' where it is not associated with a value in enclosing scope"
COMPREHENSIONS = {ast.ListComp: "<listcomp>", ast.SetComp: "<setcomp>", ast.DictComp: "<dictcomp>"}


def fn_local_names(node: ast.FunctionDef) -> set[str]:
    """The names a fn binds (its locals), leaving out the variables of its comprehensions, which are
    the comprehensions' own, and whatever its nested scopes bind."""
    return bound_names(node)


def is_constant(node: ast.expr) -> bool:
    """A literal CPython folds into one constant object (tuples of constants included)."""
    if isinstance(node, ast.Constant):
        return node.value is ... or isinstance(node.value, (int, float, str, bytes, type(None)))
    if isinstance(node, ast.Tuple):
        return all(is_constant(e) for e in node.elts)
    return False


def constant_value(node: ast.expr) -> object:
    if isinstance(node, ast.Tuple):
        return tuple(constant_value(e) for e in node.elts)
    assert isinstance(node, ast.Constant)
    return StaticObject("_Py_EllipsisObject") if node.value is ... else node.value


class Builder:
    def __init__(self, name: str, key: str, node: ast.FunctionDef, closures: Closures | None = None,
                 class_cell: str | None = None) -> None:
        self.node = node
        self.closures = closures
        self.class_cell = class_cell  # the module global holding a method's class cell
        args = node.args
        star = [a for a in (args.vararg, args.kwarg) if a is not None]
        params = [a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs, *star]]  # the checker's order
        # a parameter an `except ... as` unbinds may be NULL: tested when read, released with a NULL test
        unbound = {h.name for h in ast.walk(node) if isinstance(h, ast.ExceptHandler) and h.name}
        self.args = [Register(p, is_arg=p not in unbound) for p in params]
        self.regs: dict[str, Register] = {r.name: r for r in self.args}
        self.temps = 0
        self.temp_regs: list[Register] = []
        self.blocks: list[BasicBlock] = []
        self.cur = self.new_block()
        self.loops: list[tuple[BasicBlock, BasicBlock, int]] = []  # (continue target, break target, unwind depth)
        self.unwinds: list[Unwind] = []
        self.handler: BasicBlock | None = None  # where a failing op goes (the innermost try's handler)
        self.handled: list[Register] = []  # the exceptions being handled (sys.exc_info()), innermost last
        self.func = FuncTIR(name, key, self.args, self.blocks, line=node.lineno)
        for name_ in sorted(fn_local_names(node) - set(params)):
            self.regs[name_] = Register(name_)
        self.frames: list[tuple[str, int]] = []  # the inlined frames being built (comprehensions)
        self.scopes: list[dict[str, Register]] = []  # their variables, innermost last
        # variables a nested function captures: their register holds a cell (made at entry)
        self.cell_regs: set[int] = set()
        self.fn_cells: list[tuple[Register, Register | None]] = []  # (cell, the parameter it starts with)
        for name_ in closures.cellvars if closures is not None else ():
            cell = Register(f"{name_}.cell")
            self.fn_cells.append((cell, next((a for a in self.args if a.name == name_), None)))
            self.regs[name_] = cell
            self.temp_regs.append(cell)
            self.cell_regs.add(id(cell))

    # ------------------------------------------------------------------ plumbing
    def new_block(self) -> BasicBlock:
        blk = BasicBlock(len(self.blocks))
        self.blocks.append(blk)
        return blk

    def add(self, op: Op) -> Op:
        if self.frames:
            op.frames = tuple(self.frames)
        if self.handler is not None and op.handler is None:
            op.handler = self.handler
        self.cur.ops.append(op)
        return op

    def goto(self, target: BasicBlock) -> None:
        if not self.terminated():
            self.add(Goto(target))

    def terminated(self) -> bool:
        """The current block ends in a jump, a return or an op that always raises."""
        last = self.cur.ops[-1] if self.cur.ops else None
        return isinstance(last, ControlOp) or (last is not None and last.error_kind == ERR_ALWAYS)

    def activate(self, blk: BasicBlock) -> None:
        self.cur = blk

    def temp(self) -> Register:
        self.temps += 1
        reg = Register(f"%{self.temps}")  # not a Python name: never one of the fn's locals
        self.temp_regs.append(reg)
        return reg

    def call_c(self, fname: str, args: list[Value], line: int, *, type: RType = OBJECT, err: int = ERR_MAGIC,
               steals: tuple[int, ...] = (), borrowed: bool = False) -> Op:
        return self.add(CallC(fname, args, type, err, line, steals=steals, borrowed=borrowed))

    def const(self, value: object, line: int) -> Op:
        return self.add(LoadConst(value, line))

    def none(self, line: int) -> Op:
        return self.const(None, line)

    # ------------------------------------------------------------------ function
    def build(self) -> FuncTIR:
        line = self.node.lineno
        self.add(EnterRecursion(line, entry=True))
        for cell, arg in self.fn_cells:  # MAKE_CELL: a parameter's cell holds its argument
            self.add(Assign(cell, self.call_c("PyCell_New", [arg if arg is not None else Integer(0, OBJECT)], line),
                            line))
        self.block(self.node.body)
        if not self.terminated():
            self.add(LeaveRecursion(line))
            self.add(Return(self.none(line), line))
        # the parameters first (a captured one's register names its cell instead), each register once
        self.func.registers = list({id(r): r for r in [*self.args, *self.regs.values(), *self.temp_regs]}.values())
        return self.func

    def block(self, body: list[ast.stmt]) -> None:
        for s in body:
            if self.terminated():
                return  # code after return/raise/break/continue never runs
            self.stmt(s)

    # ------------------------------------------------------------------ statements
    def stmt(self, s: ast.stmt) -> None:
        line = s.lineno
        if isinstance(s, ast.Expr):
            if isinstance(s.value, ast.Constant):
                return  # a docstring or a constant statement: CPython emits nothing
            self.expr(s.value)
        elif isinstance(s, ast.Assign):
            value = self.expr(s.value)
            for t in s.targets:
                self.assign(t, value, line)
        elif isinstance(s, ast.AnnAssign):
            if s.value is not None:
                self.assign(s.target, self.expr(s.value), line)
        elif isinstance(s, ast.AugAssign):
            self.aug_assign(s)
        elif isinstance(s, ast.Return):
            value = self.expr(s.value) if s.value is not None else self.none(line)
            if self.unwinds:  # kept while the finally bodies and handler cleanups run
                held = self.temp()
                self.add(Assign(held, value, line))
                self.unwind(0, line)
                value = held
            if not self.terminated():
                self.add(LeaveRecursion(line))
                self.add(Return(value, line))
        elif isinstance(s, ast.If):
            self.if_stmt(s)
        elif isinstance(s, ast.While):
            self.while_stmt(s)
        elif isinstance(s, ast.For):
            self.for_stmt(s)
        elif isinstance(s, (ast.Break, ast.Continue)):
            cont, brk, depth = self.loops[-1]
            self.unwind(depth, line)
            self.goto(brk if isinstance(s, ast.Break) else cont)
        elif isinstance(s, ast.Try):
            self.try_stmt(s)
        elif isinstance(s, ast.With):
            self.with_item(s, 0)
        elif isinstance(s, ast.Pass):
            pass
        elif isinstance(s, ast.Raise) and s.exc is None:  # the checker lets it only inside a handler
            self.reraise(self.handled[-1], line)
        elif isinstance(s, ast.Raise):
            assert s.exc is not None
            exc = self.expr(s.exc)
            cause = self.expr(s.cause) if s.cause is not None else Integer(0, OBJECT)
            self.add(Helper("raise", [exc, cause], I32, ERR_ALWAYS, line))
        elif isinstance(s, ast.Assert):
            self.assert_stmt(s)
        elif isinstance(s, ast.Delete):
            for t in s.targets:
                self.delete(t)
        elif isinstance(s, (ast.Import, ast.ImportFrom)):
            self.import_stmt(s)
        elif isinstance(s, ast.FunctionDef):
            decorators = [self.expr(d) for d in s.decorator_list]
            f = self.make_function(s, line)
            for d, dnode in zip(reversed(decorators), reversed(s.decorator_list)):
                f = self.add(Vectorcall(d, [f], (), dnode.lineno))
            self.assign(ast.Name(id=s.name, ctx=ast.Store()), f, line)
        else:  # the checker refuses everything else
            raise AssertionError(f"line {line}: {type(s).__name__} is not object-tier")

    def import_stmt(self, s: ast.Import | ast.ImportFrom) -> None:
        """`import a.b [as c]` and `from m import x [as y]` as CPython 3.11 compiles them: IMPORT_NAME (the
        builtins' __import__ with the module's globals, fromlist and level), the first name bound, or the
        submodules walked by IMPORT_FROM for `as`; `from` takes each name with IMPORT_FROM."""
        line = s.lineno

        def store(name: str, value: Value) -> None:
            self.assign(ast.Name(id=name, ctx=ast.Store()), value, line)

        def import_name(name: str, fromlist: object, level: int) -> Value:
            args: list[Value] = [self.const(name, line), self.const(fromlist, line), self.const(level, line)]
            return self.add(Helper("import_name", args, OBJECT, ERR_MAGIC, line))

        def import_from(module: Value, name: str) -> Value:
            return self.add(Helper("import_from", [module, self.const(name, line)], OBJECT, ERR_MAGIC, line))

        if isinstance(s, ast.Import):
            for alias in s.names:
                module = import_name(alias.name, None, 0)
                if alias.asname is None:
                    store(alias.name.partition(".")[0], module)
                    continue
                for part in alias.name.split(".")[1:]:
                    module = import_from(module, part)
                store(alias.asname, module)
            return
        held = self.temp()  # the module stays on CPython's stack until every name is taken
        self.add(Assign(held, import_name(s.module or "", tuple(a.name for a in s.names), s.level), line))
        for alias in s.names:
            store(alias.asname or alias.name, import_from(held, alias.name))
        self.add(Assign(held, Integer(0, OBJECT), line))

    def if_stmt(self, s: ast.If) -> None:
        then, other, done = self.new_block(), self.new_block(), self.new_block()
        self.cond(s.test, then, other)
        self.activate(then)
        self.block(s.body)
        self.goto(done)
        self.activate(other)
        self.block(s.orelse)
        self.goto(done)
        self.activate(done)

    def back_edge(self, target: BasicBlock, line: int) -> None:
        """A loop's back-edge checks pending signals, as CPython's eval loop does on a jump back."""
        if not self.terminated():
            self.call_c("PyErr_CheckSignals", [], line, type=I32)
            self.add(Goto(target))

    def while_stmt(self, s: ast.While) -> None:
        top, body, other, done = self.new_block(), self.new_block(), self.new_block(), self.new_block()
        self.goto(top)
        self.activate(top)
        self.cond(s.test, body, other)
        self.loops.append((top, done, len(self.unwinds)))
        self.activate(body)
        self.block(s.body)
        self.back_edge(top, s.lineno)
        self.loops.pop()
        self.activate(other)
        self.block(s.orelse)
        self.goto(done)
        self.activate(done)

    def next_item(self, it: Register, exhausted_to: BasicBlock, line: int) -> tuple[BasicBlock, Value]:
        """A loop's head over iterator `it`: the next item, in a new current block; the end of the
        iteration goes to `exhausted_to` (the iterator's exception to the error exit). Returns the head."""
        top, body, exhausted = self.new_block(), self.new_block(), self.new_block()
        self.goto(top)
        self.activate(top)
        item = self.call_c("PyIter_Next", [it], line, err=ERR_NEVER)
        null = self.add(Compare("==", item, Integer(0, OBJECT), line))
        self.add(Branch(null, exhausted, body, line, null_on_true=item))
        self.activate(exhausted)  # NULL: the end, or the iterator's exception
        occurred = self.add(CallC("PyErr_Occurred", [], OBJECT, ERR_NEVER, line, borrowed=True))
        failed = self.add(Compare("!=", occurred, Integer(0, OBJECT), line))
        raised = self.new_block()
        self.add(Branch(failed, raised, exhausted_to, line))
        self.activate(raised)
        self.add(RaiseError(None, "", line))
        self.activate(body)
        return top, item

    def for_stmt(self, s: ast.For) -> None:
        line = s.lineno
        it = self.temp()
        self.add(Assign(it, self.call_c("PyObject_GetIter", [self.expr(s.iter)], s.iter.lineno), line))
        other, done = self.new_block(), self.new_block()
        top, item = self.next_item(it, other, line)
        self.loops.append((top, done, len(self.unwinds)))
        self.assign(s.target, item, line)
        self.block(s.body)
        self.back_edge(top, line)
        self.loops.pop()
        self.activate(other)
        self.block(s.orelse)
        self.goto(done)
        self.activate(done)
        self.add(Assign(it, Integer(0, OBJECT), line))  # the iterator is released after the loop

    # ------------------------------------------------------------------ try
    def reraise(self, exc: Register, line: int) -> None:
        """CPython's RERAISE: `exc` set again with its traceback as it is (no new entry)."""
        op = Helper("reraise", [exc], I32, ERR_ALWAYS, line)
        op.adds_traceback = False
        self.add(op)

    def propagate(self, line: int) -> None:
        """The exception already set goes on to the enclosing handler (or the exit), its entry added."""
        op = RaiseError(None, "", line)
        op.adds_traceback = False
        self.add(op)

    def catch(self, line: int, scratch: int) -> tuple[Register, Register]:
        """A handler's entry (CPython's PUSH_EXC_INFO): the raised exception taken out of the thread
        state into a register and made the handled one, the one handled before kept. The temporaries
        the protected code made from `scratch` on (loop iterators, comprehension variables) are
        released, as CPython pops its stack down to the handler's depth."""
        for reg in self.temp_regs[scratch:]:
            self.add(Assign(reg, Integer(0, OBJECT), line))
        exc, prev = self.temp(), self.temp()
        self.add(Assign(exc, self.add(Helper("fetch_exc", [], OBJECT, ERR_NEVER, line)), line))
        self.add(Assign(prev, self.add(Helper("get_handled", [], OBJECT, ERR_NEVER, line)), line))
        self.add(Helper("set_handled", [exc], VOID, ERR_NEVER, line))
        return exc, prev

    def release(self, u: Unwind, line: int) -> None:
        """A handler's exit (POP_EXCEPT, then `name = None; del name`): the exception handled before
        restored, the caught one released."""
        assert u.exc is not None and u.prev is not None
        self.add(Helper("set_handled", [u.prev], VOID, ERR_NEVER, line))
        for reg in (u.prev, u.exc, u.name):
            if reg is not None and id(reg) in self.cell_regs:  # `as` name a nested function captures
                self.call_c("PyCell_Set", [reg, Integer(0, OBJECT)], line, type=I32, err=ERR_NEVER)
            elif reg is not None:
                self.add(Assign(reg, Integer(0, OBJECT), line))

    def unwind(self, depth: int, line: int) -> None:
        """Leave the try constructs above `depth` (a return, break or continue), innermost first: each
        handler's cleanup, each finally body inline, in the state around its construct."""
        saved = (self.unwinds, self.handler, self.handled, self.loops)
        for i in range(len(saved[0]) - 1, depth - 1, -1):
            if self.terminated():
                break  # a finally body returned or raised: nothing after it runs
            u = saved[0][i]
            self.unwinds = saved[0][:i]
            self.handler = u.handler
            self.handled = saved[2][:u.handled]
            self.loops = [lp for lp in saved[3] if lp[2] <= i]
            if u.kind == "handler":
                self.release(u, line)
            elif u.kind == "with":
                assert u.exc is not None
                self.exit_with_nones(u.exc, u.line)
            else:
                assert u.body is not None
                self.block(u.body)
        self.unwinds, self.handler, self.handled, self.loops = saved

    def cleanup_block(self, u: Unwind, outer: BasicBlock | None, line: int) -> BasicBlock:
        """Where an error inside a handler goes: its exit (release), then on to the enclosing handler."""
        blk = self.new_block()
        cur = self.cur
        self.activate(blk)
        self.handler = outer
        self.release(u, line)
        self.propagate(line)
        self.activate(cur)
        return blk

    def try_stmt(self, s: ast.Try) -> None:
        """try/except/else/finally as CPython 3.11 compiles it: the protected code's failures go to a
        handler block (after their traceback entry); each except clause matches in order; no match
        re-raises; a finally body is copied on the normal path, on the exception path (which handles
        the exception while it runs, then re-raises it) and before each return/break/continue."""
        outer = self.handler
        done = self.new_block()
        fin_exc: BasicBlock | None = None
        if s.finalbody:
            fin_exc = self.new_block()
            self.unwinds.append(Unwind("finally", outer, len(self.handled), body=s.finalbody))
        around = fin_exc or outer  # where failures of the handlers and the else go
        scratch = len(self.temp_regs)
        if s.handlers:
            catch_bb = self.new_block()
            self.handler = catch_bb
            self.block(s.body)
            self.handler = around
            self.block(s.orelse)
            self.goto(done)
            self.activate(catch_bb)
            self.except_clauses(s, around, scratch, done)
        else:
            self.handler = around
            self.block(s.body)
            self.goto(done)
        self.handler = outer
        if fin_exc is not None:
            self.unwinds.pop()
            after = self.new_block()
            self.activate(done)
            self.block(s.finalbody)
            self.goto(after)
            self.activate(fin_exc)
            fline = s.finalbody[0].lineno
            exc, prev = self.catch(fline, scratch)
            u = Unwind("handler", outer, len(self.handled), exc=exc, prev=prev)
            self.handler = self.cleanup_block(u, outer, fline)
            self.unwinds.append(u)
            self.handled.append(exc)
            self.block(s.finalbody)
            if not self.terminated():
                self.reraise(exc, fline)
            self.handled.pop()
            self.unwinds.pop()
            self.handler = outer
            done = after
        self.activate(done)

    def except_clauses(self, s: ast.Try, around: BasicBlock | None, scratch: int, done: BasicBlock) -> None:
        """The handler block: the exception caught, then each clause's match in order (CHECK_EXC_MATCH),
        its body with `name` bound, and the exception re-raised when none matched."""
        hline = s.handlers[0].lineno
        exc, prev = self.catch(hline, scratch)
        base = Unwind("handler", around, len(self.handled), exc=exc, prev=prev)
        base_cleanup = self.handler = self.cleanup_block(base, around, hline)
        for h in s.handlers:
            body = self.new_block()
            if h.type is not None:
                kind = self.expr(h.type)
                m = self.add(Helper("exc_match", [exc, kind], I32, ERR_MAGIC, h.lineno))
                nxt = self.new_block()
                self.add(Branch(self.add(Compare("!=", m, Integer(0, I32), h.lineno)), body, nxt, h.lineno))
            else:
                nxt = None
                self.goto(body)
            self.activate(body)
            u = Unwind("handler", around, len(self.handled), exc=exc, prev=prev,
                       name=self.regs[h.name] if h.name else None)
            if h.name:
                self.assign(ast.Name(id=h.name, ctx=ast.Store()), exc, h.lineno)
                self.handler = self.cleanup_block(u, around, h.lineno)
            self.unwinds.append(u)
            self.handled.append(exc)
            self.block(h.body)
            self.handled.pop()
            self.unwinds.pop()
            if not self.terminated():
                self.release(u, h.lineno)
                self.goto(done)
            self.handler = base_cleanup
            if nxt is None:
                break
            self.activate(nxt)
        else:
            self.reraise(exc, hline)  # no clause matched
        self.handler = around

    # ------------------------------------------------------------------ with
    def exit_with_nones(self, exit_: Register, line: int) -> None:
        """A with's normal exit: __exit__(None, None, None), its result dropped, the method released."""
        none = self.none(line)
        self.add(Vectorcall(exit_, [none, none, none], (), line))
        self.add(Assign(exit_, Integer(0, OBJECT), line))

    def with_item(self, s: ast.With, k: int) -> None:
        """`with` as CPython 3.11 runs it (BEFORE_WITH, then a try whose handler calls __exit__ with the
        exception, WITH_EXCEPT_START, and re-raises it unless that returns true); each further item is
        a with nested in the first."""
        item, line = s.items[k], s.lineno
        mgr = self.expr(item.context_expr)
        enter = self.add(Helper("special.__enter__", [mgr], OBJECT, ERR_MAGIC, line))
        exit_ = self.temp()
        self.add(Assign(exit_, self.add(Helper("special.__exit__", [mgr], OBJECT, ERR_MAGIC, line)), line))
        value = self.add(Vectorcall(enter, [], (), line))
        outer, catch_bb, done = self.handler, self.new_block(), self.new_block()
        scratch = len(self.temp_regs)
        self.unwinds.append(Unwind("with", outer, len(self.handled), exc=exit_, line=line))
        self.handler = catch_bb
        if item.optional_vars is not None:
            self.assign(item.optional_vars, value, line)
        if k + 1 < len(s.items):
            self.with_item(s, k + 1)
        else:
            self.block(s.body)
        self.unwinds.pop()
        self.handler = outer
        if not self.terminated():
            self.exit_with_nones(exit_, line)
            self.goto(done)
        self.activate(catch_bb)
        exc, prev = self.catch(line, scratch)
        u = Unwind("handler", outer, len(self.handled), exc=exc, prev=prev, name=exit_)
        self.handler = self.cleanup_block(u, outer, line)
        tb = self.temp()
        self.add(Assign(tb, self.call_c("PyException_GetTraceback", [exc], line, err=ERR_NEVER), line))
        has_tb, no_tb = self.new_block(), self.new_block()
        self.add(Branch(self.add(Compare("==", tb, Integer(0, OBJECT), line)), no_tb, has_tb, line))
        self.activate(no_tb)
        self.add(Assign(tb, self.none(line), line))
        self.goto(has_tb)
        self.activate(has_tb)
        typ = self.call_c("PyObject_Type", [exc], line, err=ERR_NEVER)
        result = self.add(Vectorcall(exit_, [typ, exc, tb], (), line))
        self.add(Assign(tb, Integer(0, OBJECT), line))
        suppress, again = self.new_block(), self.new_block()
        self.add(Branch(self.truth(result, line), suppress, again, line))
        self.activate(again)
        self.reraise(exc, line)
        self.activate(suppress)
        self.release(u, line)
        self.goto(done)
        self.handler = outer
        self.activate(done)

    def assert_stmt(self, s: ast.Assert) -> None:
        fail, ok = self.new_block(), self.new_block()
        self.cond(s.test, ok, fail)
        self.activate(fail)
        exc: Value = self.const(StaticObject("PyExc_AssertionError"), s.lineno)
        if s.msg is not None:
            exc = self.add(Vectorcall(exc, [self.expr(s.msg)], (), s.lineno))
        self.add(Helper("raise", [exc, Integer(0, OBJECT)], I32, ERR_ALWAYS, s.lineno))
        self.activate(ok)

    # ------------------------------------------------------------------ assignment
    def assign(self, target: ast.expr, value: Value, line: int) -> None:
        if isinstance(target, ast.Name):
            scope = next((s for s in reversed(self.scopes) if target.id in s), self.regs)
            reg = scope[target.id]
            if id(reg) in self.cell_regs:  # STORE_DEREF
                self.call_c("PyCell_Set", [reg, value], line, type=I32, err=ERR_NEVER)
            else:
                self.add(Assign(reg, value, line))
        elif isinstance(target, ast.Attribute):
            obj = self.expr(target.value)
            name = self.const(target.attr, line)
            self.call_c("PyObject_SetAttr", [obj, name, value], target.lineno, type=I32)
        elif isinstance(target, ast.Subscript):
            obj = self.expr(target.value)
            key = self.expr(target.slice)
            self.call_c("PyObject_SetItem", [obj, key, value], target.lineno, type=I32)
        elif isinstance(target, (ast.Tuple, ast.List)):
            # the items come in a new tuple, held in a register while the targets are assigned (their
            # borrowed items stay alive whatever a target's __setattr__/__setitem__ does)
            items = self.temp()
            n = len(target.elts)
            self.add(Assign(items, self.add(Helper("unpack", [value], OBJECT, ERR_MAGIC, target.lineno, count=n)), line))
            for i, t in enumerate(target.elts):
                item = self.call_c("PyTuple_GetItem", [items, Integer(i, I64)], line, err=ERR_NEVER, borrowed=True)
                self.assign(t, item, line)
            self.add(Assign(items, Integer(0, OBJECT), line))
        else:
            raise AssertionError(ast.dump(target))

    def aug_assign(self, s: ast.AugAssign) -> None:
        fname = "PyNumber_InPlace" + BINARY[type(s.op)]
        line = s.lineno
        t = s.target
        if isinstance(t, ast.Name):
            old = self.load_name(t)
            result = self.binop(fname, old, self.expr(s.value), line)
            self.assign(t, result, line)
        elif isinstance(t, ast.Attribute):
            obj = self.expr(t.value)
            name = self.const(t.attr, line)
            old = self.call_c("PyObject_GetAttr", [obj, name], t.lineno)
            result = self.binop(fname, old, self.expr(s.value), line)
            self.call_c("PyObject_SetAttr", [obj, name, result], line, type=I32)
        else:
            assert isinstance(t, ast.Subscript)
            obj = self.expr(t.value)
            key = self.expr(t.slice)
            old = self.call_c("PyObject_GetItem", [obj, key], t.lineno)
            result = self.binop(fname, old, self.expr(s.value), line)
            self.call_c("PyObject_SetItem", [obj, key, result], line, type=I32)

    def delete(self, t: ast.expr) -> None:
        if isinstance(t, ast.Subscript):
            self.call_c("PyObject_DelItem", [self.expr(t.value), self.expr(t.slice)], t.lineno, type=I32)
        elif isinstance(t, ast.Attribute):
            obj = self.expr(t.value)
            name = self.const(t.attr, t.lineno)
            self.call_c("PyObject_SetAttr", [obj, name, Integer(0, OBJECT)], t.lineno, type=I32)
        else:
            assert isinstance(t, (ast.Tuple, ast.List))
            for e in t.elts:
                self.delete(e)

    # ------------------------------------------------------------------ conditions
    def cond(self, e: ast.expr, true: BasicBlock, false: BasicBlock) -> None:
        """Branch on the truth of e (short-circuit for and/or/not, no boxing for `is`)."""
        if isinstance(e, ast.UnaryOp) and isinstance(e.op, ast.Not):
            self.cond(e.operand, false, true)
            return
        if isinstance(e, ast.BoolOp):
            for v in e.values[:-1]:
                nxt = self.new_block()
                if isinstance(e.op, ast.And):
                    self.cond(v, nxt, false)
                else:
                    self.cond(v, true, nxt)
                self.activate(nxt)
            self.cond(e.values[-1], true, false)
            return
        if isinstance(e, ast.Compare) and len(e.ops) == 1 and isinstance(e.ops[0], (ast.Is, ast.IsNot, ast.In, ast.NotIn)):
            flag = self.compare_flag(e.ops[0], self.expr(e.left), self.expr(e.comparators[0]), e.lineno)
            self.add(Branch(flag, true, false, e.lineno))
            return
        self.add(Branch(self.truth(self.expr(e), e.lineno), true, false, e.lineno))

    def truth(self, v: Value, line: int) -> Value:
        r = self.call_c("PyObject_IsTrue", [v], line, type=I32)
        return self.add(Compare("!=", r, Integer(0, I32), line))

    def compare_flag(self, op: ast.cmpop, a: Value, b: Value, line: int) -> Value:
        if isinstance(op, (ast.Is, ast.IsNot)):
            return self.add(Compare("==" if isinstance(op, ast.Is) else "!=", a, b, line))
        r = self.call_c("PySequence_Contains", [b, a], line, type=I32)
        return self.add(Compare("!=" if isinstance(op, ast.In) else "==", r, Integer(0, I32), line))

    def compare_value(self, op: ast.cmpop, a: Value, b: Value, line: int) -> Value:
        if type(op) in RICH:
            return self.call_c("PyObject_RichCompare", [a, b, Integer(RICH[type(op)], I32)], line)
        return self.add(BoxBool(self.compare_flag(op, a, b, line), line))

    # ------------------------------------------------------------------ expressions
    def load_name(self, e: ast.Name) -> Value:
        own = next((s[e.id] for s in reversed(self.scopes) if e.id in s), None)
        reg = own or self.regs.get(e.id)
        if reg is None:
            return self.add(LoadGlobal(e.id, e.lineno))
        if id(reg) in self.cell_regs:  # LOAD_DEREF
            value = self.call_c("PyCell_Get", [reg], e.lineno, err=ERR_NEVER)
            raise_bb, ok = self.new_block(), self.new_block()
            unset = self.add(Compare("==", value, Integer(0, OBJECT), e.lineno))
            self.add(Branch(unset, raise_bb, ok, e.lineno, null_on_true=value, rare=True))
            self.activate(raise_bb)
            if self.scopes and own is None:  # the fn's cell, free in a comprehension
                self.add(RaiseError("NameError", FREE_MESSAGE.format(e.id), e.lineno))
            else:
                self.add(RaiseError("UnboundLocalError", UNBOUND_MESSAGE.format(e.id), e.lineno))
            self.activate(ok)
            return value
        if not reg.is_arg:
            unset = self.add(Compare("==", reg, Integer(0, OBJECT), e.lineno))
            raise_bb, ok = self.new_block(), self.new_block()
            self.add(Branch(unset, raise_bb, ok, e.lineno, rare=True))
            self.activate(raise_bb)
            if self.scopes and own is None:  # a comprehension reads the fn's local through a cell
                self.add(RaiseError("NameError", FREE_MESSAGE.format(e.id), e.lineno))
            else:
                self.add(RaiseError("UnboundLocalError", UNBOUND_MESSAGE.format(e.id), e.lineno))
            self.activate(ok)
        return reg

    def comprehension(self, e: ast.ListComp | ast.SetComp | ast.DictComp) -> Value:
        """CPython 3.11 runs a comprehension as a function of its own (`<listcomp>`...) called with the
        iterator of its first iterable, which the enclosing frame makes: built inline, with that
        frame's recursion level, traceback entry and variables (released when it returns)."""
        line = e.lineno
        first = self.call_c("PyObject_GetIter", [self.expr(e.generators[0].iter)], line)
        self.add(EnterRecursion(line))
        self.frames.append((COMPREHENSIONS[type(e)], line))
        names = sorted({n.id for g in e.generators for n in ast.walk(g.target) if isinstance(n, ast.Name)})
        self.temps += 1
        scope = {n: Register(f"{n}.{self.temps}") for n in names}  # not Python names: never the fn's
        self.temp_regs += scope.values()
        self.scopes.append(scope)
        captured = self.closures.comprehension_cells.get(id(e), ()) if self.closures is not None else ()
        for n in captured:  # a variable a lambda inside captures: one cell for the comprehension's run
            self.cell_regs.add(id(scope[n]))
            self.add(Assign(scope[n], self.call_c("PyCell_New", [Integer(0, OBJECT)], line), line))
        result = self.temp()
        make: dict[type, tuple[str, list[Value]]] = {
            ast.ListComp: ("PyList_New", [Integer(0, I64)]), ast.SetComp: ("PySet_New", [Integer(0, OBJECT)]),
            ast.DictComp: ("PyDict_New", []),
        }
        fname, args = make[type(e)]
        self.add(Assign(result, self.call_c(fname, args, line), line))
        self.comprehension_loop(e, 0, first, result)
        self.scopes.pop()
        for reg in scope.values():
            self.add(Assign(reg, Integer(0, OBJECT), line))
        self.add(LeaveRecursion(line))
        self.frames.pop()
        return result

    def comprehension_loop(self, e: ast.ListComp | ast.SetComp | ast.DictComp, k: int, iterator: Value,
                           result: Register) -> None:
        gen = e.generators[k]
        line = gen.target.lineno
        it = self.temp()
        self.add(Assign(it, iterator, line))
        done, again = self.new_block(), self.new_block()
        top, item = self.next_item(it, done, line)
        self.assign(gen.target, item, line)
        for test in gen.ifs:
            passed = self.new_block()
            self.cond(test, passed, again)
            self.activate(passed)
        if k + 1 < len(e.generators):
            inner = e.generators[k + 1].iter
            self.comprehension_loop(e, k + 1, self.call_c("PyObject_GetIter", [self.expr(inner)], inner.lineno), result)
        elif isinstance(e, ast.DictComp):
            key = self.expr(e.key)
            self.call_c("PyDict_SetItem", [result, key, self.expr(e.value)], e.key.lineno, type=I32)
        else:
            add = "PyList_Append" if isinstance(e, ast.ListComp) else "PySet_Add"
            self.call_c(add, [result, self.expr(e.elt)], e.elt.lineno, type=I32)
        self.goto(again)
        self.activate(again)
        self.back_edge(top, line)
        self.activate(done)
        self.add(Assign(it, Integer(0, OBJECT), line))

    def binop(self, fname: str, a: Value, b: Value, line: int) -> Value:
        if fname.endswith("Power"):
            return self.call_c(fname, [a, b, self.none(line)], line)
        return self.call_c(fname, [a, b], line)

    def expr(self, e: ast.expr) -> Value:
        line = e.lineno
        if is_constant(e):
            return self.const(constant_value(e), line)
        if isinstance(e, ast.Name):
            return self.load_name(e)
        if isinstance(e, ClassCell):  # an empty cell raises the def's error (runtime.class_cell_fn)
            cell = self.add(LoadGlobal(e.cell, line))
            return self.add(Helper("class_cell", [cell, Integer(int(e.for_super), I32)], OBJECT, ERR_MAGIC, line))
        if isinstance(e, ast.Attribute):
            return self.call_c("PyObject_GetAttr", [self.expr(e.value), self.const(e.attr, line)], line)
        if isinstance(e, ast.Subscript):
            obj = self.expr(e.value)
            return self.call_c("PyObject_GetItem", [obj, self.expr(e.slice)], line)
        if isinstance(e, ast.Slice):
            parts = [self.expr(p) if p is not None else self.none(line) for p in (e.lower, e.upper, e.step)]
            return self.call_c("PySlice_New", parts, line)
        if isinstance(e, ast.BinOp):
            a = self.expr(e.left)
            return self.binop("PyNumber_" + BINARY[type(e.op)], a, self.expr(e.right), line)
        if isinstance(e, ast.UnaryOp):
            if isinstance(e.op, ast.Not):
                flag = self.truth(self.expr(e.operand), line)
                return self.add(BoxBool(self.add(Not(flag, line)), line))
            operand = e.operand.value if isinstance(e.operand, ast.Constant) else None
            if isinstance(e.op, ast.USub) and type(operand) in (int, float):
                assert isinstance(operand, (int, float))
                return self.const(-operand, line)  # folded by CPython's compiler too
            return self.call_c(UNARY[type(e.op)], [self.expr(e.operand)], line)
        if isinstance(e, ast.BoolOp):
            return self.bool_op(e)
        if isinstance(e, ast.Compare):
            return self.compare(e)
        if isinstance(e, ast.IfExp):
            result = self.temp()
            then, other, done = self.new_block(), self.new_block(), self.new_block()
            self.cond(e.test, then, other)
            for blk, branch in ((then, e.body), (other, e.orelse)):
                self.activate(blk)
                self.add(Assign(result, self.expr(branch), line))
                self.goto(done)
            self.activate(done)
            return result
        if isinstance(e, ast.Call):
            return self.call(e)
        if isinstance(e, (ast.Tuple, ast.List)):
            return self.sequence(e.elts, type(e), line)
        if isinstance(e, ast.Set):
            # the items before the first `*x` are evaluated, then added (BUILD_SET); the rest are added as
            # they come (SET_ADD, SET_UPDATE)
            first = next((i for i, x in enumerate(e.elts) if isinstance(x, ast.Starred)), len(e.elts))
            items = [self.expr(x) for x in e.elts[:first]]
            s = self.call_c("PySet_New", [Integer(0, OBJECT)], line)
            for v in items:
                self.call_c("PySet_Add", [s, v], line, type=I32)
            for x in e.elts[first:]:
                if isinstance(x, ast.Starred):
                    self.call_c("_PySet_Update", [s, self.expr(x.value)], line, type=I32)
                else:
                    self.call_c("PySet_Add", [s, self.expr(x)], line, type=I32)
            return s
        if isinstance(e, ast.Dict):
            return self.dict_display(e)
        if isinstance(e, (ast.ListComp, ast.SetComp, ast.DictComp)):
            return self.comprehension(e)
        if isinstance(e, ast.Lambda):
            return self.make_function(e, line)
        if isinstance(e, ast.GeneratorExp):  # its function, called on the iterator of its first iterable
            genexpr = self.make_function(e, line)
            first_iter = self.call_c("PyObject_GetIter", [self.expr(e.generators[0].iter)], line)
            return self.add(Vectorcall(genexpr, [first_iter], (), line))
        if isinstance(e, ast.JoinedStr):
            return self.fstring(e)
        if isinstance(e, ast.FormattedValue):
            return self.formatted(e)
        raise AssertionError(f"line {line}: {type(e).__name__} is not object-tier")

    def make_function(self, node: ast.FunctionDef | ast.Lambda | ast.GeneratorExp, line: int) -> Value:
        """MAKE_FUNCTION for a nested scope: its code object (registered by the module, tir/closures.py)
        with the module's globals, the defaults, keyword defaults and annotations evaluated here in
        CPython's order, and the closure: the cells of the variables it captures."""
        assert self.closures is not None
        null = Integer(0, OBJECT)
        scope = self.closures.scopes.get(id(node))
        if scope is None:  # code CPython's compiler drops as unreachable (after a return, under `if 0:`)
            raise_bb, ok = self.new_block(), self.new_block()
            self.add(Branch(Integer(1, BOOL), raise_bb, ok, line, rare=True))
            self.activate(raise_bb)
            self.add(RaiseError("SystemError", "unreachable code of a compiled fn ran", line))
            self.activate(ok)
            return self.none(line)
        defaults: Value = null
        kwdefaults: Value = null
        notes: Value = null
        if not isinstance(node, ast.GeneratorExp):
            a = node.args
            if a.defaults and all(is_constant(d) for d in a.defaults):  # one constant tuple, as CPython folds it
                defaults = self.const(tuple(constant_value(d) for d in a.defaults), line)
            elif a.defaults:
                defaults = self.pack(ast.Tuple, [self.expr(d) for d in a.defaults], line)
            pairs = [(x.arg, self.expr(d)) for x, d in zip(a.kwonlyargs, a.kw_defaults) if d is not None]
            if pairs:
                kwdefaults = self.call_c("PyDict_New", [], line)
                for name, value in pairs:
                    self.call_c("PyDict_SetItem", [kwdefaults, self.const(name, line), value], line, type=I32)
        if isinstance(node, ast.FunctionDef):
            notes = self.annotations(node, line)
        cells = [self.cell(name, line) for name in scope.freevars]
        closure = self.pack(ast.Tuple, cells, line) if cells else null
        return self.add(Helper("make_function", [closure, defaults, kwdefaults, notes], OBJECT, ERR_MAGIC, line,
                               count=scope.index))

    def annotations(self, node: ast.FunctionDef, line: int) -> Value:
        """A nested def's annotations: a dict by parameter (CPython's order), evaluated here, or their text
        under `from __future__ import annotations` (CPython's own unparsing of each)."""
        pairs = [(x.arg, x.annotation) for x in annotated_args(node)]
        if node.returns is not None:
            pairs.append(("return", node.returns))
        if not pairs:
            return Integer(0, OBJECT)
        lazy = self.closures is not None and self.closures.lazy
        values = [(k, self.const(annotation_text(v), line) if lazy else self.expr(v)) for k, v in pairs if v]
        d = self.call_c("PyDict_New", [], line)
        for k, v in values:
            self.call_c("PyDict_SetItem", [d, self.const(k, line), v], line, type=I32)
        return d

    def cell(self, name: str, line: int) -> Value:
        """LOAD_CLOSURE: the cell of `name` (the innermost comprehension's, the fn's, or the class cell)."""
        if name == "__class__" and self.class_cell is not None and not any(name in s for s in self.scopes):
            return self.add(LoadGlobal(self.class_cell, line))
        reg = next((s[name] for s in reversed(self.scopes) if name in s), None) or self.regs[name]
        assert id(reg) in self.cell_regs, name
        return reg

    def bool_op(self, e: ast.BoolOp) -> Value:
        result = self.temp()
        done = self.new_block()
        for v in e.values[:-1]:
            self.add(Assign(result, self.expr(v), v.lineno))
            nxt = self.new_block()
            flag = self.truth(result, v.lineno)
            if isinstance(e.op, ast.And):
                self.add(Branch(flag, nxt, done, v.lineno))
            else:
                self.add(Branch(flag, done, nxt, v.lineno))
            self.activate(nxt)
        self.add(Assign(result, self.expr(e.values[-1]), e.lineno))
        self.goto(done)
        self.activate(done)
        return result

    def compare(self, e: ast.Compare) -> Value:
        left = self.expr(e.left)
        if len(e.ops) == 1:
            return self.compare_value(e.ops[0], left, self.expr(e.comparators[0]), e.lineno)
        result = self.temp()
        done = self.new_block()
        for op, right_node in zip(e.ops[:-1], e.comparators[:-1]):
            right = self.expr(right_node)
            self.add(Assign(result, self.compare_value(op, left, right, e.lineno), e.lineno))
            nxt = self.new_block()
            self.add(Branch(self.truth(result, e.lineno), nxt, done, e.lineno))
            self.activate(nxt)
            left = right
        last = self.compare_value(e.ops[-1], left, self.expr(e.comparators[-1]), e.lineno)
        self.add(Assign(result, last, e.lineno))
        self.goto(done)
        self.activate(done)
        return result

    def call(self, e: ast.Call) -> Value:
        if any(isinstance(a, ast.Starred) for a in e.args) or any(k.arg is None for k in e.keywords):
            return self.call_ex(e)
        recv: Value | None = None
        if isinstance(e.func, ast.Attribute):  # o.m(...): LOAD_METHOD, then the arguments, then CALL
            recv = self.expr(e.func.value)
            fn: Value = self.add(LoadMethod(recv, e.func.attr, e.func.lineno))
        else:
            fn = self.expr(e.func)
        args = [self.expr(a) for a in e.args]
        kwnames = tuple(k.arg for k in e.keywords if k.arg is not None)
        args += [self.expr(k.value) for k in e.keywords]
        return self.add(Vectorcall(fn, args, kwnames, e.lineno, recv=recv))

    def call_ex(self, e: ast.Call) -> Value:
        """A call unpacking `*` or `**` as CPython 3.11 compiles it (CALL_FUNCTION_EX): the callee as an
        attribute (no LOAD_METHOD), the positional arguments gathered in a list (LIST_EXTEND for each
        `*x`) made a tuple, or `*x` alone made a tuple only after the keywords; the keywords merged in
        order into a new dict (each run of `k=v` evaluated whole, then merged like a `**x`, so a key
        given twice is CPython's TypeError naming the callee); then PyObject_Call."""
        line = e.lineno
        fn = self.expr(e.func)
        alone = len(e.args) == 1 and isinstance(e.args[0], ast.Starred)
        if alone:
            assert isinstance(e.args[0], ast.Starred)
            pos = self.expr(e.args[0].value)
        else:
            pos = self.sequence(e.args, ast.Tuple, line)
        kwargs: Value = Integer(0, OBJECT)
        if e.keywords:
            kwargs = self.call_c("PyDict_New", [], line)
            run: list[tuple[str, Value]] = []
            for k in [*e.keywords, None]:
                if (k is None or k.arg is None) and run:
                    part = self.call_c("PyDict_New", [], line)
                    for name, value in run:
                        self.call_c("PyDict_SetItem", [part, self.const(name, line), value], line, type=I32)
                    self.add(Helper("dict_merge", [fn, kwargs, part], I32, ERR_MAGIC, line))
                    run = []
                if k is not None and k.arg is None:
                    self.add(Helper("dict_merge", [fn, kwargs, self.expr(k.value)], I32, ERR_MAGIC, line))
                elif k is not None and k.arg is not None:
                    run.append((k.arg, self.expr(k.value)))
        if alone:
            pos = self.add(Helper("star_tuple", [fn, pos], OBJECT, ERR_MAGIC, line))
        return self.call_c("PyObject_Call", [fn, pos, kwargs], line)

    def pack(self, kind: type, items: list[Value], line: int) -> Value:
        new, put = ("PyTuple_New", "PyTuple_SetItem") if kind is ast.Tuple else ("PyList_New", "PyList_SetItem")
        obj = self.call_c(new, [Integer(len(items), I64)], line)
        for i, x in enumerate(items):
            self.call_c(put, [obj, Integer(i, I64), x], line, type=I32, err=ERR_NEVER, steals=(2,))
        return obj

    def dict_display(self, e: ast.Dict) -> Value:
        """{k: v, **m}: without `**`, every pair evaluated, then the dict built (BUILD_MAP); with it, each
        run of pairs so built, the runs and each `**m` merged in order (DICT_UPDATE: later keys win)."""
        line = e.lineno
        d: Value | None = None
        run: list[tuple[Value, Value]] = []
        for k, v in [*zip(e.keys, e.values), (None, None)]:
            if k is None and run:
                part = self.call_c("PyDict_New", [], line)
                for k_, v_ in run:
                    self.call_c("PyDict_SetItem", [part, k_, v_], line, type=I32)
                if d is None:
                    d = part
                else:
                    self.add(Helper("dict_update", [d, part], I32, ERR_MAGIC, line))
                run = []
            if k is not None and v is not None:
                run.append((self.expr(k), self.expr(v)))
            elif v is not None:
                if d is None:
                    d = self.call_c("PyDict_New", [], line)
                self.add(Helper("dict_update", [d, self.expr(v)], I32, ERR_MAGIC, line))
        return d if d is not None else self.call_c("PyDict_New", [], line)

    def sequence(self, elts: list[ast.expr], kind: type, line: int) -> Value:
        """A tuple or list display with `*x` items (LIST_EXTEND into a new list; LIST_TO_TUPLE)."""
        if not any(isinstance(x, ast.Starred) for x in elts):
            return self.pack(kind, [self.expr(x) for x in elts], line)
        lst = self.call_c("PyList_New", [Integer(0, I64)], line)
        for x in elts:
            if isinstance(x, ast.Starred):
                self.add(Helper("list_extend", [lst, self.expr(x.value)], I32, ERR_MAGIC, line))
            else:
                self.call_c("PyList_Append", [lst, self.expr(x)], line, type=I32)
        return self.call_c("PyList_AsTuple", [lst], line) if kind is ast.Tuple else lst

    def formatted(self, e: ast.FormattedValue) -> Value:
        line = e.lineno
        v = self.expr(e.value)
        if e.conversion in CONVERSIONS:
            v = self.call_c(CONVERSIONS[e.conversion], [v], line)
        spec = self.expr(e.format_spec) if e.format_spec is not None else Integer(0, OBJECT)
        return self.call_c("PyObject_Format", [v, spec], line)

    def fstring(self, e: ast.JoinedStr) -> Value:
        line = e.lineno
        parts = [self.expr(v) for v in e.values]
        if len(parts) == 1 and isinstance(e.values[0], ast.FormattedValue):
            return parts[0]
        if not parts:
            return self.const("", line)
        seq = self.call_c("PyTuple_New", [Integer(len(parts), I64)], line)
        for i, x in enumerate(parts):
            self.call_c("PyTuple_SetItem", [seq, Integer(i, I64), x], line, type=I32, err=ERR_NEVER, steals=(2,))
        return self.call_c("PyUnicode_Join", [self.const("", line), seq], line)


class ClassCell(ast.expr):
    """The class of a method of an ordinary class, read from the `__class__` cell its class body made
    (kept in the module global `cell`, see glue.py): what zero-argument `super()` (`for_super`) and
    `__class__` read in the def. The checker puts it where the method's body names them."""

    _fields = ()

    def __init__(self, cell: str, for_super: bool, like: ast.expr) -> None:
        super().__init__()
        self.cell = cell
        self.for_super = for_super
        ast.copy_location(self, like)


def annotation_text(node: ast.expr) -> str:
    """An annotation as `from __future__ import annotations` keeps it: CPython's compiler's text."""
    fdef = ast.FunctionDef(name="f", args=ast.arguments(posonlyargs=[], args=[], kwonlyargs=[], kw_defaults=[],
                                                         defaults=[]),
                           body=[ast.Pass()], decorator_list=[], returns=node)
    module = ast.fix_missing_locations(ast.Module(body=[fdef], type_ignores=[]))
    ns: dict[str, Any] = {}
    exec(compile(module, "<annotation>", "exec", flags=__future__.annotations.compiler_flag, dont_inherit=True), ns)
    text = ns["f"].__annotations__["return"]
    assert isinstance(text, str)
    return text


def build_function(name: str, key: str, node: ast.FunctionDef, closures: Closures | None = None,
                   class_cell: str | None = None) -> FuncTIR:
    return Builder(name, key, node, closures, class_cell).build()


__all__ = ["BOOL", "StaticObject", "build_function"]
