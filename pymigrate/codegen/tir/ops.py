"""The typed IR: values that carry their type, ops that say how they fail and what they own.

A function is a list of basic blocks; each block is a list of ops ending in a terminator (Goto,
Branch, Return, Unreachable). A value is an op's result, a Register (a local slot: parameters and
locals, which own the reference they hold) or an Integer constant. Every op says:

- `error_kind`: how it reports a failure. ERR_NEVER cannot fail; ERR_MAGIC returns its type's
  error value (NULL for an `object`, a negative number for an `i32`) with a Python exception set;
  ERR_ALWAYS always fails (a raise). The error pass (passes/errors.py) turns each failing op into a
  branch to the error exit.
- `is_borrowed`: the result is a borrowed reference (constants, None/True/False); otherwise an
  `object` result is an owned reference that someone must release exactly once.
- `stolen()`: the operands whose reference the op takes over (Assign, Return, PyList_SetItem...).

The reference counting pass (passes/refcount.py) reads these three facts and the liveness of
values to insert IncRef/DecRef; the emitter (emit.py) then translates op by op.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class RType:
    """A value's representation: `object` (PyObject*), `i64`, `i32` (a C int), `f64`, `bool` (i1), `void`."""

    name: str

    @property
    def is_refcounted(self) -> bool:
        return self.name == "object"

    def __str__(self) -> str:
        return self.name


OBJECT = RType("object")
I64 = RType("i64")
I32 = RType("i32")
F64 = RType("f64")
BOOL = RType("bool")
VOID = RType("void")

ERR_NEVER = 0
ERR_MAGIC = 1  # NULL for object, negative for i32
ERR_ALWAYS = 2


class Value:
    type: RType = VOID
    line: int = -1

    @property
    def is_borrowed(self) -> bool:
        return False


class Register(Value):
    """A local slot (a parameter or a Python local, or a temporary joined from several branches).
    It owns the reference it holds; an unassigned slot holds NULL."""

    def __init__(self, name: str, type: RType = OBJECT, *, is_arg: bool = False) -> None:
        self.name = name
        self.type = type
        self.is_arg = is_arg


class Integer(Value):
    """A constant of a scalar type (NULL when an `object`)."""

    def __init__(self, value: int, type: RType = I64) -> None:
        self.value = value
        self.type = type

    @property
    def is_borrowed(self) -> bool:
        return True


class Op(Value):
    error_kind = ERR_NEVER
    # the frames CPython would run this op in, inside the fn's own: (code name, line of the call in
    # the enclosing frame) outermost first, e.g. (("<listcomp>", 3),) for an op of a list comprehension
    frames: tuple[tuple[str, int], ...] = ()
    # where a failure goes: the handler block of the innermost `try` around the op (None: the fn's exit)
    handler: BasicBlock | None = None
    # a failure adds the fn's traceback entry (False for a re-raise, which keeps the exception's own)
    adds_traceback = True

    def __init__(self, line: int) -> None:
        self.line = line

    def sources(self) -> list[Value]:
        return []

    def stolen(self) -> list[Value]:
        return []

    def set_sources(self, new: list[Value]) -> None:
        """Replace the operands (same order as sources())."""
        assert not new


class BasicBlock:
    def __init__(self, label: int = -1) -> None:
        self.label = label
        self.ops: list[Op] = []

    @property
    def terminator(self) -> ControlOp:
        last = self.ops[-1]
        assert isinstance(last, ControlOp)
        return last


class ControlOp(Op):
    def targets(self) -> list[BasicBlock]:
        return []

    def set_target(self, i: int, block: BasicBlock) -> None:
        raise AssertionError(i, block)


class Goto(ControlOp):
    def __init__(self, target: BasicBlock, line: int = -1) -> None:
        super().__init__(line)
        self.target = target

    def targets(self) -> list[BasicBlock]:
        return [self.target]

    def set_target(self, i: int, block: BasicBlock) -> None:
        self.target = block


class Branch(ControlOp):
    """if cond goto true else goto false. `null_on_true`: a value that is NULL when the true edge is
    taken (an error check or an exhausted iterator), so there is nothing there to release."""

    def __init__(
        self, cond: Value, true: BasicBlock, false: BasicBlock, line: int = -1, *,
        null_on_true: Value | None = None, rare: bool = False,
    ) -> None:
        super().__init__(line)
        self.cond = cond
        self.true = true
        self.false = false
        self.null_on_true = null_on_true
        self.rare = rare  # the true edge is an error path

    def sources(self) -> list[Value]:
        return [self.cond]

    def set_sources(self, new: list[Value]) -> None:
        (self.cond,) = new

    def targets(self) -> list[BasicBlock]:
        return [self.true, self.false]

    def set_target(self, i: int, block: BasicBlock) -> None:
        if i == 0:
            self.true = block
        else:
            self.false = block


class Return(ControlOp):
    def __init__(self, value: Value, line: int = -1) -> None:
        super().__init__(line)
        self.value = value

    def sources(self) -> list[Value]:
        return [self.value]

    def stolen(self) -> list[Value]:
        return [self.value]


class Unreachable(ControlOp):
    pass


class Assign(Op):
    """dest = src; the register takes over src's reference (the old one is released first)."""

    def __init__(self, dest: Register, src: Value, line: int = -1) -> None:
        super().__init__(line)
        self.dest = dest
        self.src = src
        self.type = VOID

    def sources(self) -> list[Value]:
        return [self.src]

    def stolen(self) -> list[Value]:
        return [self.src]

    def set_sources(self, new: list[Value]) -> None:
        (self.src,) = new


class LoadConst(Op):
    """A module constant (int, float, str, bytes, None, bool, tuple of constants), made once at init."""

    def __init__(self, value: object, line: int = -1) -> None:
        super().__init__(line)
        self.value = value
        self.type = OBJECT

    @property
    def is_borrowed(self) -> bool:
        return True


class LoadGlobal(Op):
    """A global name: the module dict, then the builtins dict, read at each load (NameError)."""

    error_kind = ERR_MAGIC

    def __init__(self, name: str, line: int) -> None:
        super().__init__(line)
        self.name = name
        self.type = OBJECT


class CallC(Op):
    """A call of a C API function by name."""

    def __init__(
        self, fname: str, args: list[Value], type: RType, error_kind: int, line: int, *,
        borrowed: bool = False, steals: tuple[int, ...] = (),
    ) -> None:
        super().__init__(line)
        self.fname = fname
        self.args = list(args)
        self.type = type
        self.error_kind = error_kind
        self.borrowed = borrowed
        self.steals = steals

    @property
    def is_borrowed(self) -> bool:
        return self.borrowed

    def sources(self) -> list[Value]:
        return list(self.args)

    def stolen(self) -> list[Value]:
        return [self.args[i] for i in self.steals]

    def set_sources(self, new: list[Value]) -> None:
        self.args = list(new)


class LoadMethod(Op):
    """CPython's LOAD_METHOD (_PyObject_GetMethod): the attribute `name` of `recv`, unbound when it is a
    method found on the type (the call then passes `recv` first) instead of making a bound method."""

    error_kind = ERR_MAGIC
    cached = False  # the specialize pass gives it a per-site cache (tir/attrcache.py)

    def __init__(self, recv: Value, name: str, line: int) -> None:
        super().__init__(line)
        self.recv = recv
        self.name = name
        self.type = OBJECT

    def sources(self) -> list[Value]:
        return [self.recv]

    def set_sources(self, new: list[Value]) -> None:
        (self.recv,) = new


class Vectorcall(Op):
    """fn(*args, **dict(zip(kwnames, kwargs))) through PyObject_Vectorcall. With `recv`, fn is a
    LoadMethod and recv goes first when the method was found unbound (CPython's CALL after LOAD_METHOD).
    `fast`: a method the specialize pass recognised by name (fastpaths.METHODS), called directly when
    the receiver is exactly the builtin class that owns it."""

    error_kind = ERR_MAGIC
    fast: str | None = None
    direct: str | None = None  # the key of a same-module object fn the call enters while fn is its object

    def __init__(
        self, fn: Value, args: list[Value], kwnames: tuple[str, ...], line: int, recv: Value | None = None
    ) -> None:
        super().__init__(line)
        self.fn = fn
        self.args = list(args)
        self.kwnames = kwnames
        self.recv = recv
        self.type = OBJECT

    def sources(self) -> list[Value]:
        return [self.fn, *([self.recv] if self.recv is not None else []), *self.args]

    def set_sources(self, new: list[Value]) -> None:
        self.fn = new[0]
        if self.recv is not None:
            self.recv = new[1]
        self.args = new[2 if self.recv is not None else 1:]


class Compare(Op):
    """An integer or pointer comparison (never fails): `is`, error tests, C results."""

    def __init__(self, op: str, left: Value, right: Value, line: int = -1) -> None:
        super().__init__(line)
        self.op = op
        self.left = left
        self.right = right
        self.type = BOOL

    def sources(self) -> list[Value]:
        return [self.left, self.right]

    def set_sources(self, new: list[Value]) -> None:
        self.left, self.right = new


class OneValueOp(Op):
    """An op over one value."""

    result_type = VOID

    def __init__(self, value: Value, line: int = -1) -> None:
        super().__init__(line)
        self.value = value
        self.type = self.result_type

    def sources(self) -> list[Value]:
        return [self.value]

    def set_sources(self, new: list[Value]) -> None:
        (self.value,) = new


class Not(OneValueOp):
    result_type = BOOL


class BoxBool(OneValueOp):
    """True or False (borrowed) from a bool."""

    result_type = OBJECT

    @property
    def is_borrowed(self) -> bool:
        return True


class RaiseError(Op):
    """Set `exc(message % names)`; with exc None the exception is already set (propagate it)."""

    error_kind = ERR_ALWAYS

    def __init__(self, exc: str | None, message: str, line: int) -> None:
        super().__init__(line)
        self.exc = exc
        self.message = message


class Helper(Op):
    """A runtime helper of the module (runtime.py): `raise` and unpacking into a new tuple of `count` items."""

    def __init__(self, name: str, args: list[Value], type: RType, error_kind: int, line: int, count: int = 0) -> None:
        super().__init__(line)
        self.name = name
        self.args = list(args)
        self.type = type
        self.error_kind = error_kind
        self.count = count

    def sources(self) -> list[Value]:
        return list(self.args)

    def set_sources(self, new: list[Value]) -> None:
        self.args = list(new)


class AddTraceback(Op):
    """A traceback entry at `line` (an error exit): the fn's own, or that of the frame named `name`."""

    def __init__(self, line: int, name: str | None = None) -> None:
        super().__init__(line)
        self.name = name


class IncRef(OneValueOp):
    pass


class DecRef(OneValueOp):
    def __init__(self, value: Value, *, xdec: bool = False) -> None:
        super().__init__(value)
        self.xdec = xdec  # the value may be NULL (an unassigned register)


class EnterRecursion(Op):
    """Py_EnterRecursiveCall: RecursionError where a def's frame would raise it."""

    error_kind = ERR_MAGIC

    def __init__(self, line: int, *, entry: bool = False) -> None:
        super().__init__(line)
        self.type = I32
        self.entry = entry  # the fn's own guard (else an inner frame's, e.g. a comprehension's)


class LeaveRecursion(Op):
    pass


@dataclass
class FuncTIR:
    """One fn in the typed IR."""

    name: str
    key: str
    args: list[Register]
    blocks: list[BasicBlock]
    registers: list[Register] = field(default_factory=list)  # locals and temporaries (args included)
    line: int = 0
    recursion_guard: bool = True

    def relabel(self) -> None:
        for i, blk in enumerate(self.blocks):
            blk.label = i


def successors(block: BasicBlock) -> list[BasicBlock]:
    return block.terminator.targets() if block.ops and isinstance(block.ops[-1], ControlOp) else []
