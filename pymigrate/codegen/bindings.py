"""CPython bindings built in LLVM IR: a METH_FASTCALL|METH_KEYWORDS-shaped wrapper per fn, the
vectorcall entry of the fn's object (fn_objects.py).

Wrapper fast path (all arguments positional, none missing): check and unbox the
arguments in place, call the native entry, box the result. Any other call
shape goes through a plain-Python "binder" with the original signature (its
defaults evaluated by CPython at the def's position), so keyword handling,
defaults and every arity TypeError are CPython's own. The binders and the struct
classes (which then get their methods' objects) are registered from the module's
Python glue through `__pymigrate_register__(slot, obj)`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from llvmlite import ir  # type: ignore[import-untyped]

from pymigrate.codegen.capi import (
    F64,
    FLOAT_VALUE,
    I1,
    I8,
    I32,
    I64,
    LIST_ITEMS,
    METH_FASTCALL_KEYWORDS,
    OB_TYPE,
    PTR,
    TUPLE_ITEMS,
    VAR_SIZE,
    VOID,
)
from pymigrate.codegen.float_fields import (
    adopt_argument_floats,
    float_field_object,
    source_array,
)
from pymigrate.codegen.fn_objects import FnObjects
from pymigrate.codegen.ir import FuncIR, ModuleIR
from pymigrate.codegen.lower import LIST_HDR, ModuleLowering, mangle
from pymigrate.codegen.struct_attrs import get_field, set_field
from pymigrate.codegen.types import BOOL, FLOAT, INT, NONE, STRING, Ty

METHODDEF = ir.LiteralStructType([PTR, PTR, I32, PTR])
PY_SSIZE_T_MAX = 2**63 - 1
TSTATE_RECURSION_REMAINING = 32  # CPython 3.11 PyThreadState: prev, next, interp, _initialized, _static, then this
STACK_MARGIN = 64 * 1024  # native recursion stops this far above the thread's stack bottom
PTHREAD_ATTR_SIZE = 64  # sizeof(pthread_attr_t) is 56 on x86-64 and 64 on aarch64 glibc
DICT_VERSION_TAG = 24  # CPython 3.11 PyDictObject: ob_refcnt, ob_type, ma_used, then ma_version_tag
GUARD_FAILED = 1  # pm.from_py: the argument is not exactly of the compiled class (no exception set)
LONG_DIGIT0 = 24  # CPython 3.11 PyLongObject: ob_size (sign and digit count) at 16, 30-bit digits from 24


def entry_alloca(b: ir.IRBuilder, ty: ir.Type) -> ir.Value:
    """A stack slot in the function's entry block. An alloca anywhere else is a dynamic stack
    allocation: LLVM then sets up a frame pointer and moves the stack pointer on every call, even
    when the block holding it never runs (measured: 1 ns of a 10 ns call)."""
    with b.goto_block(b.function.entry_basic_block):
        return b.alloca(ty)


@dataclass
class SlotPlan:
    """Which registration slot holds what."""

    binders: dict[str, int]  # fn key -> slot of its Python binder
    classes: dict[str, int]  # struct name -> slot of its class
    count: int
    readings: dict[str, int]  # fn key -> slot of its Python reading (reading.py)
    aliased: int  # slot of the module's aliasing test (reading.ALIASED)
    unchanged: int  # slot of the test that the names the fns read still hold their objects (reading.UNCHANGED)
    module_dict: int  # slot of the module's dict (its version tag tells when to run that test)
    builtins_dict: int  # slot of the module's builtins dict (watched the same way)
    attrs_dict: int  # slot of the dict of the module whose attributes the fns read (math)
    codes: dict[str, int] = field(default_factory=dict)  # object fn key -> slot of its nested code objects


def plan_slots(mir: ModuleIR) -> SlotPlan:
    binders: dict[str, int] = {}
    classes: dict[str, int] = {}
    n = 0
    for name in mir.structs:
        classes[name] = n
        n += 1
    for func in mir.all_functions():
        binders[func.key] = n
        n += 1
    readings: dict[str, int] = {}
    for func in mir.all_functions():
        readings[func.key] = n
        n += 1
    nested = [f.key for f in mir.all_functions() if f.closures is not None]
    codes = {key: n + 5 + i for i, key in enumerate(nested)}
    return SlotPlan(binders, classes, n + 5 + len(codes), readings, n, n + 1, n + 2, n + 3, n + 4, codes)


def ptr_global(module: ir.Module, name: str, ty: ir.Type = PTR) -> ir.GlobalVariable:
    """The module's internal variable `name` (a pointer by default; NULL or 0 until set), made on first use."""
    existing = module.globals.get(name)
    if isinstance(existing, ir.GlobalVariable):
        return existing
    g = ir.GlobalVariable(module, ty, name=name)
    g.linkage = "internal"
    g.initializer = ir.Constant(ty, None)
    return g


def codes_slot(ml: ModuleLowering, key: str) -> ir.GlobalVariable:
    """The registration slot of the tuple of object fn `key`'s nested code objects (tir/closures.py)."""
    return ptr_global(ml.module, f"pm.slot.{plan_slots(ml.mir).codes[key]}")


def binder_slot(ml: ModuleLowering, key: str) -> ir.GlobalVariable:
    """The registration slot of fn `key`'s binder (a Python function whose code has the module's file)."""
    return ptr_global(ml.module, f"pm.slot.{plan_slots(ml.mir).binders[key]}")


RAISE_SITE = ir.LiteralStructType([PTR, I32, PTR, PTR, PTR])  # code object (made once), line, name, binder slot, file


def raise_site(ml: ModuleLowering, func: FuncIR, line: int, binder: ir.GlobalVariable) -> ir.GlobalVariable:
    """The traceback entry's data for fn `func` raising at `line` (see traceback_fn)."""
    name = f"pm.raise_site.{func.key}.{line}"
    existing = ml.module.globals.get(name)
    if isinstance(existing, ir.GlobalVariable):
        return existing
    g = ir.GlobalVariable(ml.module, RAISE_SITE, name=name)
    g.linkage = "internal"
    g.initializer = ir.Constant(RAISE_SITE, [
        ir.Constant(PTR, None), ir.Constant(I32, line), ml.cstr(func.name), binder, ml.cstr(ml.mir.path),
    ])  # fmt: skip
    return g


def traceback_fn(ml: ModuleLowering) -> ir.Function:
    """pm.traceback(site): add a fn's traceback entry, at the error exit of its body.

    CPython shows a frame for every Python function an exception passed through; a compiled fn gets
    one the way C extensions add theirs: a frame of an empty code object named after the fn, at the
    raising line, pushed with PyTraceBack_Here. The file is the one the module's Python side was
    compiled with (the .pys, also for a built .so moved elsewhere), read from the fn's binder, else
    the path the module was compiled from; the code object is made once per raising line and kept
    in the site. A failure here leaves the original exception as it was.
    """
    capi = ml.capi
    null = ir.Constant(PTR, None)

    def body(b: ir.IRBuilder, f: ir.Function) -> None:
        site = f.args[0]

        def field(i: int, ty: ir.Type) -> ir.Value:
            return b.load(b.gep(site, [ir.Constant(I32, 0), ir.Constant(I32, i)], source_etype=RAISE_SITE), typ=ty)

        cache = b.gep(site, [ir.Constant(I32, 0), ir.Constant(I32, 0)], source_etype=RAISE_SITE)
        occurred = b.call(capi.fn("PyErr_Occurred"), [])
        with b.if_then(b.icmp_unsigned("==", occurred, null), likely=False):
            b.ret_void()  # nothing to attach the entry to (CPython reports the missing exception itself)
        with b.if_then(b.icmp_unsigned("==", occurred, b.load(ml.deopt_type(), typ=PTR)), likely=False):
            b.ret_void()  # a deopt never reaches Python: the reading runs instead
        saved = [entry_alloca(b, PTR) for _ in range(3)]
        b.call(capi.fn("PyErr_Fetch"), saved)
        with b.if_then(b.icmp_unsigned("==", b.load(cache, typ=PTR), null), likely=False):
            filename = entry_alloca(b, PTR)
            b.store(field(4, PTR), filename)
            fobj = entry_alloca(b, PTR)
            b.store(null, fobj)
            binder = b.load(field(3, PTR), typ=PTR)
            with b.if_then(b.icmp_unsigned("!=", binder, null)):
                code = b.call(capi.fn("PyObject_GetAttrString"), [binder, ml.cstr("__code__")])
                with b.if_then(b.icmp_unsigned("!=", code, null)):
                    text = b.call(capi.fn("PyObject_GetAttrString"), [code, ml.cstr("co_filename")])
                    b.call(capi.fn("Py_DecRef"), [code])
                    b.store(text, fobj)
                    with b.if_then(b.icmp_unsigned("!=", text, null)):
                        utf8 = b.call(capi.fn("PyUnicode_AsUTF8"), [text])
                        with b.if_then(b.icmp_unsigned("!=", utf8, null)):
                            b.store(utf8, filename)
            b.call(capi.fn("PyErr_Clear"), [])
            made = b.call(capi.fn("PyCode_NewEmpty"), [b.load(filename, typ=PTR), field(2, PTR), field(1, I32)])
            b.store(made, cache)
            b.call(capi.fn("Py_DecRef"), [b.load(fobj, typ=PTR)])  # Py_DecRef takes NULL
        frame = entry_alloca(b, PTR)
        b.store(null, frame)
        code = b.load(cache, typ=PTR)
        with b.if_then(b.icmp_unsigned("!=", code, null), likely=True):
            globals_ = b.call(capi.fn("PyDict_New"), [])
            with b.if_then(b.icmp_unsigned("!=", globals_, null), likely=True):
                tstate = b.call(capi.fn("PyThreadState_Get"), [])
                b.store(b.call(capi.fn("PyFrame_New"), [tstate, code, globals_, null]), frame)
                b.call(capi.fn("Py_DecRef"), [globals_])
        b.call(capi.fn("PyErr_Clear"), [])
        b.call(capi.fn("PyErr_Restore"), [b.load(x, typ=PTR) for x in saved])
        fr = b.load(frame, typ=PTR)
        with b.if_then(b.icmp_unsigned("!=", fr, null), likely=True):
            b.call(capi.fn("PyTraceBack_Here"), [fr])
            b.call(capi.fn("Py_DecRef"), [fr])
        b.ret_void()

    f = ml.helper("pm.traceback", VOID, [PTR], body)
    for attr in ("cold", "noinline"):
        f.attributes.add(attr)
    return f


def _holds_values(ml: ModuleLowering, ty: Ty) -> bool:
    """A list or struct type holding lists or structs (whose objects can be shared inside arguments)."""
    if ty.kind == "List":
        assert ty.elem is not None
        return ty.elem.kind in ("List", "Struct")
    if ty.kind == "Struct":
        return any(fty.kind in ("List", "Struct") for _, fty in ml.mir.structs[ty.name].fields)
    return False


def _flat_struct_list(ml: ModuleLowering, ty: Ty) -> bool:
    """A list of structs whose fields hold no lists or structs."""
    return ty.kind == "List" and ty.elem is not None and ty.elem.kind == "Struct" and not _holds_values(ml, ty.elem)


def stack_floor_fn(ml: ModuleLowering) -> ir.Function:
    """pm.thread_stack_floor() -> the lowest stack address native recursion may reach on this thread.

    The bounds come from pthread_getattr_np, cached for two threads (the first thread to ask, usually
    the main one, whose bounds glibc reads from /proc; and the last other one); a thread whose bounds
    cannot be read gets 256 KiB below the current frame.
    """

    def body(b: ir.IRBuilder, f: ir.Function) -> None:
        decl = ml.intrinsic_fn
        cache = [(ptr_global(ml.module, f"pm.stack.tid{k}", I64), ptr_global(ml.module, f"pm.stack.floor{k}", I64)) for k in (0, 1)]
        tid = b.call(decl("pthread_self", I64, []), [])
        for t, fl in cache:
            with b.if_then(b.icmp_unsigned("==", b.load(t, typ=I64), tid), likely=True):
                b.ret(b.load(fl, typ=I64))
        sp = b.ptrtoint(b.call(decl("llvm.stacksave.p0", PTR, []), []), I64)
        floor = entry_alloca(b, I64)
        b.store(b.sub(sp, ir.Constant(I64, 256 * 1024)), floor)
        attr = entry_alloca(b, ir.ArrayType(I8, PTHREAD_ATTR_SIZE))
        r = b.call(decl("pthread_getattr_np", I32, [I64, PTR]), [tid, attr])
        with b.if_then(b.icmp_signed("==", r, ir.Constant(I32, 0)), likely=True):
            addr = entry_alloca(b, PTR)
            size = entry_alloca(b, I64)
            b.store(ir.Constant(PTR, None), addr)
            r2 = b.call(decl("pthread_attr_getstack", I32, [PTR, PTR, PTR]), [attr, addr, size])
            with b.if_then(b.icmp_signed("==", r2, ir.Constant(I32, 0)), likely=True):
                b.store(b.add(b.ptrtoint(b.load(addr, typ=PTR), I64), ir.Constant(I64, STACK_MARGIN)), floor)
            b.call(decl("pthread_attr_destroy", I32, [PTR]), [attr])
        value = b.load(floor, typ=I64)
        first = b.icmp_unsigned("==", b.load(cache[0][0], typ=I64), ir.Constant(I64, 0))
        with b.if_else(first) as (then, otherwise):
            with then:
                b.store(value, cache[0][1])
                b.store(tid, cache[0][0])
            with otherwise:
                b.store(value, cache[1][1])
                b.store(tid, cache[1][0])
        b.ret(value)

    f = ml.helper("pm.thread_stack_floor", I64, [], body)
    f.attributes.add("noinline")
    return f


def python_params(func: FuncIR) -> list[str]:
    names = [p.name for p in func.params]
    return names[1:] if func.owner is not None else names


class Bindings:
    def __init__(self, ml: ModuleLowering, plan: SlotPlan) -> None:
        self.ml = ml
        self.capi = ml.capi
        self.plan = plan
        self.slots = [ptr_global(ml.module, f"pm.slot.{i}") for i in range(plan.count)]
        from pymigrate.codegen.reading import module_dependencies

        self.guarded = module_dependencies(ml.mir)[1]  # fns whose native code reads module names
        self.methoddefs: dict[str, ir.GlobalVariable] = {}

    # ------------------------------------------------------------------ small pieces
    def slot_ptr(self, b: ir.IRBuilder, idx: int) -> ir.Value:
        return self.slots[idx]

    def ob_type(self, b: ir.IRBuilder, obj: ir.Value) -> ir.Value:
        return b.load(b.gep(obj, [ir.Constant(I64, OB_TYPE)], source_etype=ir.IntType(8)), typ=PTR)

    def field_at(self, b: ir.IRBuilder, obj: ir.Value, off: int, ty: ir.Type) -> ir.Value:
        return b.load(b.gep(obj, [ir.Constant(I64, off)], source_etype=ir.IntType(8)), typ=ty)

    # ------------------------------------------------------------------ Python -> native
    def from_py(self, ty: Ty) -> ir.Function:
        """pm.from_py.<ty>(obj, out, what) -> 0 with the native value stored, GUARD_FAILED when obj is
        not exactly of the compiled class (nothing set: the call runs the Python reading), or -1 with
        the exception set (out of memory).

        The guard takes only what native code gives exactly the reading's result for: `type(x) is
        int` within 64 bits, `type(x) is float`, True or False for a Bool, `type(x) is str`, a `list`
        whose items pass the item's guard, an instance of exactly the struct's class whose fields pass
        theirs. Nothing is converted: a bool is no Int, an int no Float64.
        """
        ml = self.ml

        def body(b: ir.IRBuilder, f: ir.Function) -> None:
            obj, out, what = f.args
            fail = ir.Constant(I32, -1)
            ok = ir.Constant(I32, 0)
            guard = ir.Constant(I32, GUARD_FAILED)
            tp = self.ob_type(b, obj)

            def exactly(base: ir.Value) -> None:
                with b.if_then(b.icmp_unsigned("!=", tp, base), likely=False):
                    b.ret(guard)

            if ty == INT:
                exactly(self.capi.obj("PyLong_Type"))
                # a compact int (|value| < 2**30) is ob_size * ob_digit[0]: no call for the usual case
                size = self.field_at(b, obj, VAR_SIZE, I64)
                compact = b.icmp_unsigned("<=", b.add(size, ir.Constant(I64, 1)), ir.Constant(I64, 2))
                with b.if_then(compact, likely=True):
                    digit = b.zext(self.field_at(b, obj, LONG_DIGIT0, I32), I64)
                    b.store(b.mul(size, digit), out)
                    b.ret(ok)
                ovf = entry_alloca(b, I32)
                v = b.call(self.capi.fn("PyLong_AsLongLongAndOverflow"), [obj, ovf])
                with b.if_then(b.icmp_signed("!=", b.load(ovf, typ=I32), ir.Constant(I32, 0)), likely=False):
                    b.ret(guard)  # beyond 64 bits: the reading computes with the exact int
                b.store(v, out)
                b.ret(ok)
            elif ty == FLOAT:
                exactly(self.capi.obj("PyFloat_Type"))
                b.store(self.field_at(b, obj, FLOAT_VALUE, F64), out)
                b.ret(ok)
            elif ty == BOOL:
                with b.if_then(b.icmp_unsigned("==", obj, self.capi.obj("_Py_TrueStruct"))):
                    b.store(ir.Constant(I1, 1), out)
                    b.ret(ok)
                with b.if_then(b.icmp_unsigned("==", obj, self.capi.obj("_Py_FalseStruct"))):
                    b.store(ir.Constant(I1, 0), out)
                    b.ret(ok)
                b.ret(guard)
            elif ty == STRING:
                exactly(self.capi.obj("PyUnicode_Type"))
                b.call(self.capi.fn("Py_IncRef"), [obj])
                b.store(obj, out)
                b.ret(ok)
            elif ty.kind == "List":
                assert ty.elem is not None
                elem = ty.elem
                elt = ml.llty(elem)
                exactly(self.capi.obj("PyList_Type"))
                n = self.field_at(b, obj, VAR_SIZE, I64)
                hdr = b.call(ml.list_new_fn(), [n, ir.Constant(I64, ml.size_of(elem))])
                with b.if_then(b.icmp_unsigned("==", hdr, ir.Constant(PTR, None)), likely=False):
                    b.ret(fail)
                data = b.load(b.gep(hdr, [ir.Constant(I32, 0), ir.Constant(I32, 2)], source_etype=LIST_HDR), typ=PTR)
                lenp = b.gep(hdr, [ir.Constant(I32, 0), ir.Constant(I32, 0)], source_etype=LIST_HDR)
                b.store(ir.Constant(I64, 0), lenp)
                from pymigrate.codegen.lower import counted_loop

                with counted_loop(b, n) as i:
                    # no Python code runs while the items are read (exact classes only), but stay within
                    with b.if_then(b.icmp_signed(">=", i, self.field_at(b, obj, VAR_SIZE, I64)), likely=False):
                        b.call(ml.drop_fn(ty), [hdr])
                        b.ret(guard)
                    items = self.field_at(b, obj, LIST_ITEMS, PTR)
                    item = b.load(b.gep(items, [i], source_etype=PTR), typ=PTR)
                    r = b.call(self.from_py(elem), [item, b.gep(data, [i], source_etype=elt), what])
                    with b.if_then(b.icmp_signed("!=", r, ok), likely=False):
                        b.call(ml.drop_fn(ty), [hdr])
                        b.ret(r)
                    b.store(b.add(i, ir.Constant(I64, 1)), lenp)
                b.store(hdr, out)
                b.ret(ok)
            else:
                assert ty.kind == "Struct"
                st = ml.mir.structs[ty.name]
                lt = ml.struct_types[ty.name]
                cls = b.load(self.slot_ptr(b, self.plan.classes[ty.name]), typ=PTR)
                self.require_registered(b, cls, ty.name)
                exactly(cls)
                b.store(ir.Constant(lt, None), out)
                for i, (fname, fty) in enumerate(st.fields):
                    attr = get_field(self, b, obj, fname)
                    with b.if_then(b.icmp_unsigned("==", attr, ir.Constant(PTR, None)), likely=False):
                        # a missing field: the reading raises the AttributeError where it reads it
                        b.call(self.capi.fn("PyErr_Clear"), [])
                        b.call(ml.drop_fn(ty), [b.load(out, typ=lt)])
                        b.store(ir.Constant(lt, None), out)
                        b.ret(guard)
                    fp = b.gep(out, [ir.Constant(I32, 0), ir.Constant(I32, i)], source_etype=lt)
                    rr = b.call(self.from_py(fty), [attr, fp, what])
                    b.call(self.capi.fn("Py_DecRef"), [attr])
                    with b.if_then(b.icmp_signed("!=", rr, ok), likely=False):
                        b.call(ml.drop_fn(ty), [b.load(out, typ=lt)])
                        b.store(ir.Constant(lt, None), out)
                        b.ret(rr)
                b.ret(ok)

        return ml.helper(f"pm.from_py.{mangle(ty)}", I32, [PTR, PTR, PTR], body)

    def from_py_lean(self, ty: Ty) -> ir.Function:
        """pm.from_py_lean.<ty>(obj, out) -> 0 with the value stored, else GUARD_FAILED: from_py's guard
        for the lean entry, making no call (an int beyond 30 bits goes to the general wrapper, which reads
        it with PyLong_AsLongLongAndOverflow)."""
        if ty != INT:
            general = self.from_py(ty)

            def forward(b: ir.IRBuilder, f: ir.Function) -> None:
                b.ret(b.call(general, [*f.args, ir.Constant(PTR, None)]))

            return self.ml.helper(f"pm.from_py_lean.{mangle(ty)}", I32, [PTR, PTR], forward)

        def body(b: ir.IRBuilder, f: ir.Function) -> None:
            obj, out = f.args
            exact = b.icmp_unsigned("==", self.ob_type(b, obj), self.capi.obj("PyLong_Type"))
            with b.if_then(b.not_(exact), likely=False):
                b.ret(ir.Constant(I32, GUARD_FAILED))
            size = self.field_at(b, obj, VAR_SIZE, I64)
            compact = b.icmp_unsigned("<=", b.add(size, ir.Constant(I64, 1)), ir.Constant(I64, 2))
            with b.if_then(b.not_(compact), likely=False):
                b.ret(ir.Constant(I32, GUARD_FAILED))
            b.store(b.mul(size, b.zext(self.field_at(b, obj, LONG_DIGIT0, I32), I64)), out)
            b.ret(ir.Constant(I32, 0))

        return self.ml.helper("pm.from_py_lean.Int", I32, [PTR, PTR], body)

    def require_registered(self, b: ir.IRBuilder, cls: ir.Value, name: str) -> None:
        with b.if_then(b.icmp_unsigned("==", cls, ir.Constant(PTR, None)), likely=False):
            exc = b.load(self.capi.exc("SystemError"), typ=PTR)
            b.call(self.capi.fn("PyErr_SetString"), [exc, self.ml.cstr(f"struct {name} is not registered yet")])
            rt = b.function.function_type.return_type
            b.ret(ir.Constant(rt, -1) if rt == I32 else ir.Constant(rt, None))

    # ------------------------------------------------------------------ native -> Python
    def to_py(self, ty: Ty) -> ir.Function:
        """pm.to_py.<ty>(value) -> new reference, or NULL with the exception set (value is borrowed)."""
        ml = self.ml

        def body(b: ir.IRBuilder, f: ir.Function) -> None:
            v = f.args[0]
            null = ir.Constant(PTR, None)
            if ty == INT:
                b.ret(b.call(self.capi.fn("PyLong_FromLongLong"), [v]))
            elif ty == FLOAT:
                b.ret(b.call(self.capi.fn("PyFloat_FromDouble"), [v]))
            elif ty == BOOL:
                b.ret(b.call(self.capi.fn("PyBool_FromLong"), [b.zext(v, I64)]))
            elif ty == NONE:
                none = self.capi.obj("_Py_NoneStruct")
                b.call(self.capi.fn("Py_IncRef"), [none])
                b.ret(none)
            elif ty == STRING:
                b.call(self.capi.fn("Py_IncRef"), [v])
                b.ret(v)
            elif ty.kind == "List":
                assert ty.elem is not None
                elt = ml.llty(ty.elem)
                n = b.load(b.gep(v, [ir.Constant(I32, 0), ir.Constant(I32, 0)], source_etype=LIST_HDR), typ=I64)
                data = b.load(b.gep(v, [ir.Constant(I32, 0), ir.Constant(I32, 2)], source_etype=LIST_HDR), typ=PTR)
                lst = b.call(self.capi.fn("PyList_New"), [n])
                with b.if_then(b.icmp_unsigned("==", lst, null), likely=False):
                    b.ret(null)
                items = self.field_at(b, lst, LIST_ITEMS, PTR)
                from pymigrate.codegen.lower import counted_loop

                with counted_loop(b, n) as i:
                    item = b.call(self.to_py(ty.elem), [b.load(b.gep(data, [i], source_etype=elt), typ=elt)])
                    with b.if_then(b.icmp_unsigned("==", item, null), likely=False):
                        b.call(self.capi.fn("Py_DecRef"), [lst])
                        b.ret(null)
                    b.store(item, b.gep(items, [i], source_etype=PTR))
                b.ret(lst)
            else:
                assert ty.kind == "Struct"
                st = ml.mir.structs[ty.name]
                cls = b.load(self.slot_ptr(b, self.plan.classes[ty.name]), typ=PTR)
                self.require_registered(b, cls, ty.name)
                inst = b.call(self.capi.fn("PyType_GenericNew"), [cls, null, null])
                with b.if_then(b.icmp_unsigned("==", inst, null), likely=False):
                    b.ret(null)
                self.set_fields(b, inst, v, ty, on_error=lambda: (b.call(self.capi.fn("Py_DecRef"), [inst]), b.ret(null)),
                                look_current=False)
                b.ret(inst)
                del st

        return ml.helper(f"pm.to_py.{mangle(ty)}", PTR, [self.ml.llty(ty)], body)

    def set_fields(
        self, b: ir.IRBuilder, inst: ir.Value, v: ir.Value, ty: Ty, on_error: object,
        sources: Sequence[ir.Value] = (), look_current: bool = True,
    ) -> None:
        """Write a native struct's fields onto a Python object (attribute by attribute), through one
        shared function per struct (see set_fields_fn); on_error runs after a failure."""
        arr = source_array(b, sources)
        r = b.call(self.set_fields_fn(ty, look_current), [inst, v, *arr])
        with b.if_then(b.icmp_signed("<", r, ir.Constant(I32, 0)), likely=False):
            on_error()  # type: ignore[operator]

    def set_fields_fn(self, ty: Ty, look_current: bool) -> ir.Function:
        """pm.set_fields.<S>[.fresh](inst, value, sources, n) -> 0, or -1 with the exception set.

        A float field keeps the object it holds, or takes a float argument of the call, when the
        value is that object's (float_fields.py: the identity a dataclass's __eq__ looks at). Out of
        line: written once per struct rather than at each use (a list of structs written back, a
        struct returned or passed `mut`), which kept compile times within budget."""
        st = self.ml.mir.structs[ty.name]
        null = ir.Constant(PTR, None)
        fail = ir.Constant(I32, -1)

        def body(b: ir.IRBuilder, f: ir.Function) -> None:
            inst, v, srcs, n = f.args
            for i, (fname, fty) in enumerate(st.fields):
                kept: ir.Value = ir.Constant(I1, 0)
                if fty == FLOAT:
                    o, kept = float_field_object(
                        self, b, inst, fname, b.extract_value(v, i), (srcs, n), look_current, lambda: b.ret(fail)
                    )
                else:
                    o = b.call(self.to_py(fty), [b.extract_value(v, i)])
                    with b.if_then(b.icmp_unsigned("==", o, null), likely=False):
                        b.ret(fail)
                with b.if_then(b.not_(kept), likely=True):
                    r = set_field(self, b, inst, fname, o)
                    with b.if_then(b.icmp_signed("<", r, ir.Constant(I32, 0)), likely=False):
                        b.call(self.capi.fn("Py_DecRef"), [o])
                        b.ret(fail)
                b.call(self.capi.fn("Py_DecRef"), [o])
            b.ret(ir.Constant(I32, 0))

        name = f"pm.set_fields.{mangle(ty)}" + ("" if look_current else ".fresh")
        f = self.ml.helper(name, I32, [PTR, self.ml.llty(ty), PTR, I64], body)
        f.attributes.add("noinline")  # its attribute stores dwarf the call; inlined, it would grow every caller
        return f

    def bind_method_fn(self) -> ir.Function:
        """pm.bind_method(binder, self, args, nargs, kwnames): call a method's binder with self put
        before the arguments (CPython's messages count it). Out of line and cold: its stack array has
        the size of the call, a dynamic alloca that would cost every call of the wrapper a frame."""
        capi, null = self.capi, ir.Constant(PTR, None)

        def body(b: ir.IRBuilder, f: ir.Function) -> None:
            binder, selfobj, args, nargs, kwnames = f.args
            nkw = entry_alloca(b, I64)
            b.store(ir.Constant(I64, 0), nkw)
            with b.if_then(b.icmp_unsigned("!=", kwnames, null)):
                b.store(b.call(capi.fn("PyTuple_Size"), [kwnames]), nkw)
            total = b.add(nargs, b.load(nkw, typ=I64))
            stack = b.alloca(PTR, size=b.add(total, ir.Constant(I64, 1)))
            b.store(selfobj, stack)
            rest = b.gep(stack, [ir.Constant(I64, 1)], source_etype=PTR)
            b.call(capi.fn("memmove"), [rest, args, b.mul(total, ir.Constant(I64, 8))])
            b.ret(b.call(capi.fn("PyObject_Vectorcall"), [binder, stack, b.add(nargs, ir.Constant(I64, 1)), kwnames]))

        f = self.ml.helper("pm.bind_method", PTR, [PTR, PTR, PTR, I64, PTR], body)
        for attr in ("cold", "noinline"):
            f.attributes.add(attr)
        return f

    # ------------------------------------------------------------------ wrappers
    def wrapper(self, func: FuncIR) -> ir.Function:
        """pmw.<key>: the fn's vectorcall entry. A fn of numbers only gets a lean entry (fast_entry) in
        front of the general one."""
        if not self._lean(func):
            return self._wrapper(func, f"pmw.{func.key}")
        return self.fast_entry(func, self._wrapper(func, f"pmw.{func.key}.full"))

    def _lean(self, func: FuncIR) -> bool:
        """A module-level fn taking and returning numbers (Int, Float64, Bool; None back), without
        keyword-only parameters or a recursion budget: nothing to write back, nothing to release."""
        scalars = (INT, FLOAT, BOOL)
        return (
            func.owner is None
            and not func.is_object
            and all(p.ty in scalars and p.convention in ("read", "var") and p.kind != "kwonly" for p in func.params)
            and (func.ret in scalars or func.ret == NONE)
            and func.key not in self.ml.recursive
            and func.key not in self.ml.reaches_recursion
        )

    def fast_entry(self, func: FuncIR, full: ir.Function) -> ir.Function:
        """The usual call of a fn of numbers (positional, exact classes, module names unchanged) with
        nothing kept across a call: guards, the native body, the boxed result as a tail call. Anything
        else tail-calls the general wrapper (`full`, which guards again and decides), and a failed run
        the cold `failed` (a deopt runs the reading, an exception stands). Keeping no value alive
        across a call means no callee-saved register to push and pop on the way (the call overhead
        the harness measures)."""
        ml = self.ml
        fnty = full.function_type
        w = ir.Function(ml.module, fnty, name=f"pmw.{func.key}")
        w.linkage = "internal"
        selfobj, args, nargsf, kwnames = w.args
        b = ir.IRBuilder(w.append_basic_block("entry"))
        slow = w.append_basic_block("slow")
        go = w.append_basic_block("guards")
        null = ir.Constant(PTR, None)
        nargs = b.and_(nargsf, ir.Constant(I64, PY_SSIZE_T_MAX))
        shape = b.and_(b.icmp_unsigned("==", kwnames, null), b.icmp_signed("==", nargs, ir.Constant(I64, len(func.params))))
        b.cbranch(shape, go, slow).set_weights([2000, 1])
        b.position_at_end(go)
        if func.key in self.guarded:
            self._versions_unchanged(b, slow)
        slots = [entry_alloca(b, ml.llty(p.ty)) for p in func.params]
        for k, (p, slot) in enumerate(zip(func.params, slots)):
            obj = b.load(b.gep(args, [ir.Constant(I64, k)], source_etype=PTR), typ=PTR)
            r = b.call(self.from_py_lean(p.ty), [obj, slot])
            cont = w.append_basic_block(f"guard.{p.name}")
            b.cbranch(b.icmp_signed("==", r, ir.Constant(I32, 0)), cont, slow).set_weights([2000, 1])
            b.position_at_end(cont)
        res = b.call(ml.natives[func.key], [b.load(s, typ=ml.llty(p.ty)) for p, s in zip(func.params, slots)])
        failed = w.append_basic_block("failed")
        done = w.append_basic_block("done")
        b.cbranch(b.extract_value(res, 1), failed, done).set_weights([1, 2000])
        b.position_at_end(done)
        b.ret(b.call(self.to_py(func.ret), [b.extract_value(res, 0)], tail=True))
        b.position_at_end(slow)
        b.ret(b.call(full, list(w.args), tail=True))
        b.position_at_end(failed)
        b.ret(b.call(self._failed(func), list(w.args), tail=True))
        del selfobj
        return w

    def _failed(self, func: FuncIR) -> ir.Function:
        """pmw.<key>.failed: after a native run of the lean entry failed, a deopt runs the reading with
        the original arguments; any other exception stands (NULL)."""
        capi, null = self.capi, ir.Constant(PTR, None)

        def body(b: ir.IRBuilder, f: ir.Function) -> None:
            selfobj, args, nargsf, kwnames = f.args
            deopt = b.load(self.ml.deopt_type(), typ=PTR)
            with b.if_then(b.icmp_unsigned("!=", b.call(capi.fn("PyErr_Occurred"), []), deopt), likely=False):
                b.ret(null)
            b.call(capi.fn("PyErr_Clear"), [])
            nargs = b.and_(nargsf, ir.Constant(I64, PY_SSIZE_T_MAX))
            b.ret(self._call_reading(b, func, selfobj, args, nargs, kwnames))

        f = self.ml.helper(f"pmw.{func.key}.failed", PTR, [PTR, PTR, I64, PTR], body)
        f.attributes.add("cold")
        f.attributes.add("noinline")
        return f

    def _wrapper(self, func: FuncIR, name: str) -> ir.Function:
        ml, capi = self.ml, self.capi
        if func.is_object:
            from pymigrate.codegen.tir.entry import object_wrapper

            return object_wrapper(ml, func, self.slots[self.plan.binders[func.key]])
        fnty = ir.FunctionType(PTR, [PTR, PTR, I64, PTR])
        w = ir.Function(ml.module, fnty, name=name)
        w.linkage = "internal"
        selfobj, args, nargsf, kwnames = w.args
        b = ir.IRBuilder(w.append_basic_block("entry"))
        # called through vectorcall too (fn_objects.py): drop PY_VECTORCALL_ARGUMENTS_OFFSET
        nargs = b.and_(nargsf, ir.Constant(I64, PY_SSIZE_T_MAX))
        null = ir.Constant(PTR, None)
        is_method = func.owner is not None
        pyparams = func.params[1:] if is_method else func.params
        n = len(pyparams)
        qual = func.key
        # native-side storage for every argument (zeroed so cleanup can drop all)
        slots = []
        for p in func.params:
            s = b.alloca(ml.llty(p.ty), name=f"a.{p.name}")
            b.store(ir.Constant(ml.llty(p.ty), None), s)
            slots.append(s)
        tup = b.alloca(PTR, name="bound")
        b.store(null, tup)
        argv = b.alloca(PTR, name="argv")
        fast = b.and_(b.icmp_unsigned("==", kwnames, null), b.icmp_signed("==", nargs, ir.Constant(I64, n)))
        has_kwonly = any(p.kind == "kwonly" for p in pyparams)
        if has_kwonly:
            fast = ir.Constant(I1, 0)
        fail_bb = w.append_basic_block("fail")
        reading_bb = w.append_basic_block("reading")
        if func.key in self.guarded:
            self._binding_guard(b, fail_bb, reading_bb)
        with b.if_else(fast, likely=True) as (then, otherwise):
            with then:
                b.store(args, argv)
            with otherwise:
                binder = b.load(self.slot_ptr(b, self.plan.binders[func.key]), typ=PTR)
                with b.if_then(b.icmp_unsigned("==", binder, null), likely=False):
                    exc = b.load(capi.exc("TypeError"), typ=PTR)
                    msg = ml.cstr(f"{qual}() takes {n} positional arguments")
                    b.call(capi.fn("PyErr_SetString"), [exc, msg])
                    b.ret(null)
                if is_method:
                    t = b.call(self.bind_method_fn(), [binder, selfobj, args, nargs, kwnames])
                else:
                    t = b.call(capi.fn("PyObject_Vectorcall"), [binder, args, nargs, kwnames])
                with b.if_then(b.icmp_unsigned("==", t, null), likely=False):
                    b.ret(null)
                b.store(t, tup)
                skip = TUPLE_ITEMS + (8 if is_method else 0)  # past self, which the wrapper already has
                b.store(b.gep(t, [ir.Constant(I64, skip)], source_etype=ir.IntType(8)), argv)
        av = b.load(argv, typ=PTR)
        first = 0
        if is_method:
            p0 = func.params[0]
            if p0.convention != "out":
                r = b.call(self.from_py(p0.ty), [selfobj, slots[0], ml.cstr(f"{qual}() self")])
                self._guard(b, r, fail_bb, reading_bb)
            else:
                cls = b.load(self.slot_ptr(b, self.plan.classes[p0.ty.name]), typ=PTR)
                exact = b.icmp_unsigned("==", self.ob_type(b, selfobj), cls)
                self._guard(b, b.select(exact, ir.Constant(I32, 0), ir.Constant(I32, GUARD_FAILED)), fail_bb, reading_bb)
                d = b.call(ml.default_fn(p0.ty), [])
                with b.if_then(b.extract_value(d, 1), likely=False):
                    b.branch(fail_bb)
                b.store(b.extract_value(d, 0), slots[0])
            first = 1
        for k, p in enumerate(pyparams):
            obj = b.load(b.gep(av, [ir.Constant(I64, k)], source_etype=PTR), typ=PTR)
            what = ml.cstr(f"{qual}() argument '{p.name}'")
            r = b.call(self.from_py(p.ty), [obj, slots[first + k], what])
            self._guard(b, r, fail_bb, reading_bb)
        self._alias_guard(b, func, selfobj, av, first, fail_bb, reading_bb)
        call_args: list[ir.Value] = []
        for p, s in zip(func.params, slots):
            if p.convention in ("mut", "out") or (p.convention == "read" and p.ty.kind == "Struct"):
                call_args.append(s)
            else:
                call_args.append(b.load(s, typ=ml.llty(p.ty)))
        budget: tuple[ir.Value, ir.Value] | None = None
        if func.key in ml.recursive:
            call_args.append(ir.Constant(I64, 1))
        if func.key in ml.reaches_recursion:  # also a fn that only calls a recursive one: it checks the budget
            budget = self._enter_budget(b)
        res = b.call(ml.natives[func.key], call_args)
        if budget is not None:
            b.store(budget[0], ml.depth_limit)
            b.store(budget[1], ml.stack_floor)
        # var parameters now belong to the callee
        for p, s in zip(func.params, slots):
            if p.convention == "var" and p.ty.needs_drop:
                b.store(ir.Constant(ml.llty(p.ty), None), s)
        # CPython keeps in-place changes made before a raise: write `mut` arguments back on the error
        # exit too, with the callee's exception put aside meanwhile (and restored over any new one)
        with b.if_then(b.extract_value(res, 1), likely=False):
            # a failed speculation (deopt): nothing reached the caller's objects yet; run the reading
            deopt = b.load(ml.deopt_type(), typ=PTR)
            with b.if_then(b.icmp_unsigned("==", b.call(capi.fn("PyErr_Occurred"), []), deopt), likely=False):
                b.call(capi.fn("PyErr_Clear"), [])
                b.branch(reading_bb)
                b.position_at_end(b.function.append_basic_block("unreachable"))
            saved = [entry_alloca(b, PTR) for _ in range(3)]
            b.call(self.capi.fn("PyErr_Fetch"), saved)
            restore_bb = w.append_basic_block("err.restore")
            self._write_back(b, func, slots, selfobj, av, first, ("mut",), lambda: b.branch(restore_bb))
            b.branch(restore_bb)
            b.position_at_end(restore_bb)
            b.call(self.capi.fn("PyErr_Restore"), [b.load(x, typ=PTR) for x in saved])
            b.branch(fail_bb)
        value = b.extract_value(res, 0)
        if func.is_init:
            out = b.call(self.to_py(NONE), [value])
        else:
            out = b.call(self.to_py(func.ret), [value])
            if func.ret.kind == "Struct":
                out = adopt_argument_floats(self, b, func, out, value, selfobj, av, first)
            if func.ret.needs_drop:
                b.call(ml.drop_fn(func.ret), [value])
        with b.if_then(b.icmp_unsigned("==", out, null), likely=False):
            b.branch(fail_bb)
        # write back what the callee changed in place

        def on_fail() -> None:
            b.call(capi.fn("Py_DecRef"), [out])
            b.branch(fail_bb)

        self._write_back(b, func, slots, selfobj, av, first, ("mut", "out"), on_fail)
        self._cleanup(b, func, slots, tup)
        b.ret(out)
        b.position_at_end(fail_bb)
        self._cleanup(b, func, slots, tup)
        b.ret(null)
        b.position_at_end(reading_bb)
        self._cleanup(b, func, slots, tup)
        b.ret(self._call_reading(b, func, selfobj, args, nargs, kwnames))
        return w

    def _call_reading(
        self, b: ir.IRBuilder, func: FuncIR, selfobj: ir.Value, args: ir.Value, nargs: ir.Value, kwnames: ir.Value
    ) -> ir.Value:
        """The fn's Python reading called with the original arguments (reading.py)."""
        capi, null = self.capi, ir.Constant(PTR, None)
        reading = b.load(self.slots[self.plan.readings[func.key]], typ=PTR)
        with b.if_then(b.icmp_unsigned("==", reading, null), likely=False):
            exc = b.load(capi.exc("SystemError"), typ=PTR)
            b.call(capi.fn("PyErr_SetString"), [exc, self.ml.cstr(f"{func.key}() is not registered yet")])
            b.ret(null)
        if func.owner is not None:
            return b.call(self.bind_method_fn(), [reading, selfobj, args, nargs, kwnames])
        return b.call(capi.fn("PyObject_Vectorcall"), [reading, args, nargs, kwnames])

    def _guard(self, b: ir.IRBuilder, r: ir.Value, fail_bb: ir.Block, reading_bb: ir.Block) -> None:
        """Continue when an argument passed its guard (0); run the reading when it did not, fail on -1."""
        cont = b.function.append_basic_block("guard.ok")
        other = b.function.append_basic_block("guard.other")
        br = b.cbranch(b.icmp_signed("==", r, ir.Constant(I32, 0)), cont, other)
        br.set_weights([2000, 1])
        b.position_at_end(other)
        b.cbranch(b.icmp_signed("==", r, ir.Constant(I32, GUARD_FAILED)), reading_bb, fail_bb)
        b.position_at_end(cont)

    def _watched_dicts(self, b: ir.IRBuilder) -> tuple[list[ir.Value], list[ir.GlobalVariable], ir.Value]:
        """The version tags of the watched dicts (the module's, its builtins', math's), the variables
        holding the ones last checked, and whether any moved. Only once the module dict is registered
        (the glue registers it last, so the other two are there then)."""
        plan = self.plan
        dicts = [b.load(self.slots[i], typ=PTR) for i in (plan.module_dict, plan.builtins_dict, plan.attrs_dict)]
        seen = [ptr_global(self.ml.module, f"pm.dict_version.{i}", I64) for i in range(len(dicts))]
        versions = [self.field_at(b, x, DICT_VERSION_TAG, I64) for x in dicts]
        moved: ir.Value = ir.Constant(I64, 0)
        for v, g in zip(versions, seen):
            moved = b.or_(moved, b.xor(v, b.load(g, typ=I64)))
        return versions, seen, b.icmp_unsigned("!=", moved, ir.Constant(I64, 0))

    def _versions_unchanged(self, b: ir.IRBuilder, otherwise: ir.Block) -> None:
        """Continue when the module is registered and no watched dict moved since the last check."""
        d = b.load(self.slots[self.plan.module_dict], typ=PTR)
        tag = b.function.append_basic_block("bindings.tag")
        b.cbranch(b.icmp_unsigned("!=", d, ir.Constant(PTR, None)), tag, otherwise).set_weights([2000, 1])
        b.position_at_end(tag)
        cont = b.function.append_basic_block("bindings.ok")
        b.cbranch(self._watched_dicts(b)[2], otherwise, cont).set_weights([1, 2000])
        b.position_at_end(cont)

    def _binding_guard(self, b: ir.IRBuilder, fail_bb: ir.Block, reading_bb: ir.Block) -> None:
        """Native code has the module's constants and fns, the builtins and the math functions bound at
        compile time; a def looks them up at each call. While the version tags of the module's dict, its
        builtins' dict and math's dict are the ones last checked nothing was rebound; when one moved, the
        module's test (reading.UNCHANGED) says whether every name (and `math.x`) the fns read still holds
        its object, else the call runs the reading (which looks them up)."""
        null = ir.Constant(PTR, None)
        d = b.load(self.slots[self.plan.module_dict], typ=PTR)
        cont = b.function.append_basic_block("bindings.ok")
        check = b.function.append_basic_block("bindings.check")
        tag = b.function.append_basic_block("bindings.tag")
        b.cbranch(b.icmp_unsigned("!=", d, null), tag, cont)
        b.position_at_end(tag)
        versions, seen, moved = self._watched_dicts(b)
        b.cbranch(moved, check, cont).set_weights([1, 2000])
        b.position_at_end(check)
        held = b.function.append_basic_block("bindings.held")
        b.cbranch(self._python_test(b, self.plan.unchanged, null, 0, fail_bb), held, reading_bb)
        b.position_at_end(held)
        for v, g in zip(versions, seen):
            b.store(v, g)
        b.branch(cont)
        b.position_at_end(cont)

    def _alias_guard(
        self, b: ir.IRBuilder, func: FuncIR, selfobj: ir.Value, av: ir.Value, first: int,
        fail_bb: ir.Block, reading_bb: ir.Block,
    ) -> None:
        """With a `mut` parameter, native code works on copies that are written back one by one, so one
        list or struct object reaching it twice (as two arguments, or as items of list arguments) would
        come back as two: such a call runs the reading, where it stays one object."""
        if not any(p.convention == "mut" for p in func.params):
            return
        objs: list[ir.Value] = []
        kinds: list[Ty] = []
        nested = False
        for idx, p in enumerate(func.params):
            if p.ty.kind not in ("List", "Struct"):
                continue
            kinds.append(p.ty)
            objs.append(selfobj if (func.owner is not None and idx == 0) else b.load(
                b.gep(av, [ir.Constant(I64, idx - first)], source_etype=PTR), typ=PTR))
            nested = nested or _holds_values(self.ml, p.ty)
        same: ir.Value = ir.Constant(I1, 0)
        for i in range(len(objs)):
            for j in range(i):
                same = b.or_(same, b.icmp_unsigned("==", objs[i], objs[j]))
        cont = b.function.append_basic_block("alias.ok")
        b.cbranch(same, reading_bb, cont)
        b.position_at_end(cont)
        if not nested:
            return
        flat = [k for k, (p, o) in enumerate(zip(kinds, objs)) if _flat_struct_list(self.ml, p)]
        if len(flat) == 1 and all(not _holds_values(self.ml, p) for k, p in enumerate(kinds) if k != flat[0]):
            # one list of structs whose fields hold no lists or structs: only its items can repeat an
            # object (among themselves or as another argument); compared here, up to 32 items
            self._distinct_items(b, objs[flat[0]], [o for k, o in enumerate(objs) if k != flat[0]], reading_bb, fail_bb)
            return
        arr = entry_alloca(b, ir.ArrayType(PTR, len(objs)))
        for i, o in enumerate(objs):
            b.store(o, b.gep(arr, [ir.Constant(I32, 0), ir.Constant(I32, i)]))
        cont2 = b.function.append_basic_block("alias.none")
        b.cbranch(self._python_test(b, self.plan.aliased, arr, len(objs), fail_bb), reading_bb, cont2)
        b.position_at_end(cont2)

    def _distinct_items(
        self, b: ir.IRBuilder, lst: ir.Value, others: list[ir.Value], reading_bb: ir.Block, fail_bb: ir.Block,
    ) -> None:
        """Continue when no item of list `lst` occurs twice in it or is one of `others`; run the reading
        when one does; a list longer than 32 items is left to the module's Python test."""
        from pymigrate.codegen.lower import counted_loop

        n = self.field_at(b, lst, VAR_SIZE, I64)
        items = self.field_at(b, lst, LIST_ITEMS, PTR)
        found = entry_alloca(b, I1)
        b.store(ir.Constant(I1, 0), found)
        short = b.function.append_basic_block("alias.short")
        long = b.function.append_basic_block("alias.long")
        done = b.function.append_basic_block("alias.done")
        b.cbranch(b.icmp_signed("<=", n, ir.Constant(I64, 32)), short, long)
        b.position_at_end(short)
        with counted_loop(b, n) as i:
            item = b.load(b.gep(items, [i], source_etype=PTR), typ=PTR)
            hit: ir.Value = ir.Constant(I1, 0)
            for o in others:
                hit = b.or_(hit, b.icmp_unsigned("==", item, o))
            with counted_loop(b, i) as j:
                hit2 = b.icmp_unsigned("==", item, b.load(b.gep(items, [j], source_etype=PTR), typ=PTR))
                b.store(b.or_(b.load(found, typ=I1), hit2), found)
            b.store(b.or_(b.load(found, typ=I1), hit), found)
        b.cbranch(b.load(found, typ=I1), reading_bb, done)
        b.position_at_end(long)
        arr = entry_alloca(b, ir.ArrayType(PTR, 1 + len(others)))
        for k, o in enumerate([lst, *others]):
            b.store(o, b.gep(arr, [ir.Constant(I32, 0), ir.Constant(I32, k)]))
        b.cbranch(self._python_test(b, self.plan.aliased, arr, 1 + len(others), fail_bb), reading_bb, done)
        b.position_at_end(done)

    def _python_test(self, b: ir.IRBuilder, slot: int, args: ir.Value, n: int, fail_bb: ir.Block) -> ir.Value:
        """Call the module's Python test in `slot` with n arguments: true when it returned True (its
        exception, if any, goes to fail_bb)."""
        capi, null = self.capi, ir.Constant(PTR, None)
        test = b.load(self.slots[slot], typ=PTR)
        r = b.call(capi.fn("PyObject_Vectorcall"), [test, args, ir.Constant(I64, n), null])
        with b.if_then(b.icmp_unsigned("==", r, null), likely=False):
            b.branch(fail_bb)
            b.position_at_end(b.function.append_basic_block("unreachable"))
        b.call(capi.fn("Py_DecRef"), [r])
        return b.icmp_unsigned("==", r, capi.obj("_Py_TrueStruct"))

    def _enter_budget(self, b: ir.IRBuilder) -> tuple[ir.Value, ir.Value]:
        """Set the native recursion budget for this call from Python; returns the previous one.

        Depth: the frames the def could still open (the thread's recursion_remaining), so native code
        never succeeds where the def raises RecursionError. Stack: the thread's own stack bottom plus a
        margin (stack_floor_fn), so native recursion never overflows whatever the limit or the
        thread's stack size. Running out of either deopts to the reading, which decides.
        """
        ml = self.ml
        old = (b.load(ml.depth_limit, typ=I64), b.load(ml.stack_floor, typ=I64))
        tstate = b.call(self.capi.fn("PyThreadState_Get"), [])
        remaining = self.field_at(b, tstate, TSTATE_RECURSION_REMAINING, I32)
        b.store(b.sext(remaining, I64), ml.depth_limit)
        b.store(b.call(stack_floor_fn(ml), []), ml.stack_floor)
        return old

    def _write_back(
        self, b: ir.IRBuilder, func: FuncIR, slots: list[ir.Value], selfobj: ir.Value, av: ir.Value, first: int,
        conventions: tuple[str, ...], on_fail: Callable[[], None],
    ) -> None:
        """Copy the native values of `mut`/`out` arguments back into the caller's objects."""
        floats = [  # the call's float arguments: a struct field set from one keeps that object
            b.load(b.gep(av, [ir.Constant(I64, idx - first)], source_etype=PTR), typ=PTR)
            for idx, p in enumerate(func.params) if idx >= first and p.ty == FLOAT
        ] if any(p.ty.kind == "Struct" and p.convention in conventions for p in func.params) else []
        for idx, (p, s) in enumerate(zip(func.params, slots)):
            if p.convention not in conventions:
                continue
            orig = selfobj if (func.owner is not None and idx == 0) else b.load(
                b.gep(av, [ir.Constant(I64, idx - first)], source_etype=PTR), typ=PTR
            )
            if p.ty.kind == "List" and p.ty.elem is not None and p.ty.elem.kind in ("List", "Struct"):
                r = b.call(self.write_list_fn(p.ty), [orig, b.load(s, typ=PTR)])
                with b.if_then(b.icmp_signed("<", r, ir.Constant(I32, 0)), likely=False):
                    on_fail()
            elif p.ty.kind == "List":
                self._replace_items(b, orig, s, p.ty, on_fail)
            elif p.ty.kind == "Struct":
                self.set_fields(b, orig, b.load(s, typ=self.ml.llty(p.ty)), p.ty, on_fail, floats, p.convention != "out")

    def _replace_items(
        self, b: ir.IRBuilder, orig: ir.Value, slot: ir.Value, ty: Ty, on_fail: Callable[[], None]
    ) -> None:
        capi, null = self.capi, ir.Constant(PTR, None)
        newlist = b.call(self.to_py(ty), [b.load(slot, typ=PTR)])
        with b.if_then(b.icmp_unsigned("==", newlist, null), likely=False):
            on_fail()
        rr = b.call(capi.fn("PyList_SetSlice"), [orig, ir.Constant(I64, 0), ir.Constant(I64, PY_SSIZE_T_MAX), newlist])
        b.call(capi.fn("Py_DecRef"), [newlist])
        with b.if_then(b.icmp_signed("<", rr, ir.Constant(I32, 0)), likely=False):
            on_fail()

    def write_list_fn(self, ty: Ty) -> ir.Function:
        """pm.write_list.<ty>(orig, hdr) -> 0, or -1 with the exception set: the native list written back
        into the caller's list object. Items that are lists or structs are written onto the caller's item
        objects at the same index (a list's items in place, a struct's attributes), so references to them
        stay live as in CPython; items past the caller's length (appended) become new objects. Native
        code deopts on anything that would move items (lower_fn.FunctionLowering.identity_deopt), so an
        item at index i is the caller's item i. Other lists get all their items anew."""
        from pymigrate.codegen.lower import counted_loop

        capi, ml = self.capi, self.ml
        assert ty.elem is not None
        elem = ty.elem
        elt = ml.llty(elem)

        def body(b: ir.IRBuilder, f: ir.Function) -> None:
            orig, hdr = f.args
            null = ir.Constant(PTR, None)
            failed = ir.Constant(I32, -1)

            def fail() -> None:
                b.ret(failed)

            if elem.kind not in ("List", "Struct"):
                newlist = b.call(self.to_py(ty), [hdr])
                with b.if_then(b.icmp_unsigned("==", newlist, null), likely=False):
                    fail()
                rr = b.call(capi.fn("PyList_SetSlice"), [orig, ir.Constant(I64, 0), ir.Constant(I64, PY_SSIZE_T_MAX), newlist])
                b.call(capi.fn("Py_DecRef"), [newlist])
                b.ret(rr)
                return
            n = b.load(b.gep(hdr, [ir.Constant(I32, 0), ir.Constant(I32, 0)], source_etype=LIST_HDR), typ=I64)
            data = b.load(b.gep(hdr, [ir.Constant(I32, 0), ir.Constant(I32, 2)], source_etype=LIST_HDR), typ=PTR)
            m = self.field_at(b, orig, VAR_SIZE, I64)
            kept = b.select(b.icmp_signed("<", n, m), n, m)
            with counted_loop(b, kept) as i:
                # a struct's attribute store may run Python code: read the list afresh and stay within it
                with b.if_then(b.icmp_signed("<", i, self.field_at(b, orig, VAR_SIZE, I64)), likely=True):
                    item = b.load(b.gep(self.field_at(b, orig, LIST_ITEMS, PTR), [i], source_etype=PTR), typ=PTR)
                    v = b.load(b.gep(data, [i], source_etype=elt), typ=elt)
                    if elem.kind == "Struct":
                        self.set_fields(b, item, v, elem, fail)
                    else:
                        r = b.call(self.write_list_fn(elem), [item, v])
                        with b.if_then(b.icmp_signed("<", r, ir.Constant(I32, 0)), likely=False):
                            fail()
            with b.if_then(b.icmp_signed("!=", n, m), likely=False):
                extra = b.sub(n, kept)
                tail = b.call(capi.fn("PyList_New"), [extra])
                with b.if_then(b.icmp_unsigned("==", tail, null), likely=False):
                    fail()
                slots = self.field_at(b, tail, LIST_ITEMS, PTR)
                with counted_loop(b, extra) as j:
                    obj = b.call(self.to_py(elem), [b.load(b.gep(data, [b.add(kept, j)], source_etype=elt), typ=elt)])
                    with b.if_then(b.icmp_unsigned("==", obj, null), likely=False):
                        b.call(capi.fn("Py_DecRef"), [tail])
                        fail()
                    b.store(obj, b.gep(slots, [j], source_etype=PTR))
                rr = b.call(capi.fn("PyList_SetSlice"), [orig, kept, ir.Constant(I64, PY_SSIZE_T_MAX), tail])
                b.call(capi.fn("Py_DecRef"), [tail])
                with b.if_then(b.icmp_signed("<", rr, ir.Constant(I32, 0)), likely=False):
                    fail()
            b.ret(ir.Constant(I32, 0))

        return ml.helper(f"pm.write_list.{mangle(ty)}", I32, [PTR, PTR], body)

    def c_fn(self, name: str, ret: ir.Type, args: list[ir.Type]) -> ir.Function:
        """A C API function the shared table does not declare."""
        existing = self.ml.module.globals.get(name)
        if isinstance(existing, ir.Function):
            return existing
        return ir.Function(self.ml.module, ir.FunctionType(ret, args), name=name)

    def _cleanup(self, b: ir.IRBuilder, func: FuncIR, slots: list[ir.Value], tup: ir.Value) -> None:
        for p, s in zip(func.params, slots):
            if p.ty.needs_drop:
                b.call(self.ml.drop_fn(p.ty), [b.load(s, typ=self.ml.llty(p.ty))])
        t = b.load(tup, typ=PTR)
        with b.if_then(b.icmp_unsigned("!=", t, ir.Constant(PTR, None))):
            b.call(self.capi.fn("Py_DecRef"), [t])

    def methoddef(self, name: str, meth: ir.Function, key: str, doc: str | None = None) -> ir.GlobalVariable:
        g = ir.GlobalVariable(self.ml.module, METHODDEF, name=f"pm.def.{key}")
        g.linkage = "internal"
        ml_doc = self.ml.cstr(doc) if doc is not None else ir.Constant(PTR, None)
        g.initializer = ir.Constant(
            METHODDEF, [self.ml.cstr(name), meth, ir.Constant(I32, METH_FASTCALL_KEYWORDS), ml_doc]
        )
        self.methoddefs[key] = g
        return g

    # ------------------------------------------------------------------ registration and init
    def register_fn(self, fn_objects: FnObjects) -> ir.Function:
        """__pymigrate_register__(slot, obj): keep obj; for a struct class, add its methods' objects;
        for a fn's or method's binder, give its object the binder's signature (fn_objects.py), and for
        a method of an ordinary class return that object, which the class body binds (glue.py)."""
        ml, capi = self.ml, self.capi
        fnty = ir.FunctionType(PTR, [PTR, PTR, I64, PTR])
        # not pmw.<key>: a fn may be named `register`
        w = ir.Function(ml.module, fnty, name="pm.register")
        w.linkage = "internal"
        _, args, nargs, _kw = w.args
        b = ir.IRBuilder(w.append_basic_block("entry"))
        null = ir.Constant(PTR, None)
        with b.if_then(b.icmp_signed("!=", nargs, ir.Constant(I64, 2)), likely=False):
            exc = b.load(capi.exc("TypeError"), typ=PTR)
            b.call(capi.fn("PyErr_SetString"), [exc, ml.cstr("__pymigrate_register__() takes 2 arguments")])
            b.ret(null)
        idx_obj = b.load(args, typ=PTR)
        obj = b.load(b.gep(args, [ir.Constant(I64, 1)], source_etype=PTR), typ=PTR)
        ovf = entry_alloca(b, I32)
        idx = b.call(capi.fn("PyLong_AsLongLongAndOverflow"), [idx_obj, ovf])
        bad = b.or_(b.icmp_signed("<", idx, ir.Constant(I64, 0)), b.icmp_signed(">=", idx, ir.Constant(I64, self.plan.count)))
        with b.if_then(bad, likely=False):
            exc = b.load(capi.exc("ValueError"), typ=PTR)
            b.call(capi.fn("PyErr_SetString"), [exc, ml.cstr("__pymigrate_register__(): bad slot")])
            b.ret(null)
        b.call(capi.fn("Py_IncRef"), [obj])
        for k, g in enumerate(self.slots):
            with b.if_then(b.icmp_signed("==", idx, ir.Constant(I64, k))):
                b.call(capi.fn("Py_DecRef"), [b.load(g, typ=PTR)])
                b.store(obj, g)
        for func in ml.mir.all_functions():
            with b.if_then(b.icmp_signed("==", idx, ir.Constant(I64, self.plan.binders[func.key]))):
                fn_objects.adopt_binder(b, func.key, obj)
                if func.py_class is not None:  # the class body binds the method's object (glue.py)
                    method = b.load(fn_objects.objects[func.key], typ=PTR)
                    b.call(capi.fn("Py_IncRef"), [method])
                    b.ret(method)
        for sname, cslot in self.plan.classes.items():
            st = ml.mir.structs[sname]
            with b.if_then(b.icmp_signed("==", idx, ir.Constant(I64, cslot))):
                for mname, meth in st.methods.items():
                    method = b.load(fn_objects.objects[meth.key], typ=PTR)  # made at init
                    r = b.call(capi.fn("PyObject_SetAttrString"), [obj, ml.cstr(mname), method])
                    with b.if_then(b.icmp_signed("<", r, ir.Constant(I32, 0)), likely=False):
                        b.ret(null)
        none = capi.obj("_Py_NoneStruct")
        b.call(capi.fn("Py_IncRef"), [none])
        b.ret(none)
        return w

    def init_fn(self, symbol: str) -> None:
        ml, capi = self.ml, self.capi
        fn_objects = FnObjects(ml)
        for func in ml.mir.all_functions():
            self.wrapper(func)  # reached through the fn's object (fn_objects.py)
        reg = self.methoddef("__pymigrate_register__", self.register_fn(fn_objects), "__register__")
        f = ir.Function(ml.module, ir.FunctionType(I32, [PTR]), name=symbol)
        module = f.args[0]
        b = ir.IRBuilder(f.append_basic_block("entry"))
        null = ir.Constant(PTR, None)
        fail = ir.Constant(I32, -1)
        for text, g in list(ml.str_globals.items()):
            data = text.encode("utf-8", "surrogatepass")
            s = b.call(capi.fn("PyUnicode_DecodeUTF8"), [ml.cstr(data), ir.Constant(I64, len(data)), ml.cstr("surrogatepass")])
            with b.if_then(b.icmp_unsigned("==", s, null), likely=False):
                b.ret(fail)
            b.store(s, g)
        runtime = getattr(ml, "object_runtime", None)
        if runtime is not None:  # the object tier's module dict, builtins and constants (tir/runtime.py)
            failed = f.append_basic_block("init.failed")
            runtime.init(b, module, failed)
            here = b.block
            b.position_at_end(failed)
            b.ret(fail)
            b.position_at_end(here)
        deopt = b.call(self.c_fn("PyErr_NewException", PTR, [PTR, PTR, PTR]), [ml.cstr("pymigrate.deopt"), null, null])
        with b.if_then(b.icmp_unsigned("==", deopt, null), likely=False):
            b.ret(fail)
        b.store(deopt, ml.deopt_type())
        modname = b.call(capi.fn("PyObject_GetAttrString"), [module, ml.cstr("__name__")])
        with b.if_then(b.icmp_unsigned("==", modname, null), likely=False):
            b.ret(fail)
        with b.if_then(b.icmp_unsigned("==", fn_objects.make_type(b), null), likely=False):
            b.call(capi.fn("Py_DecRef"), [modname])
            b.ret(fail)
        for st in ml.mir.structs.values():  # the methods' objects, attached when the class is registered
            for meth in st.methods.values():
                entry = fn_objects.method_entry(meth, ml.module.globals[f"pmw.{meth.key}"], self.slots[self.plan.binders[meth.key]])
                mobj = fn_objects.make_fn(b, meth, entry, modname)
                with b.if_then(b.icmp_unsigned("==", mobj, null), likely=False):
                    b.call(capi.fn("Py_DecRef"), [modname])
                    b.ret(fail)
                b.call(capi.fn("Py_DecRef"), [mobj])  # the object's variable keeps its own reference
        for meth in ml.mir.class_methods.values():  # handed to the class body by their registration
            mobj = fn_objects.make_fn(b, meth, ml.module.globals[f"pmw.{meth.key}"], modname)
            with b.if_then(b.icmp_unsigned("==", mobj, null), likely=False):
                b.call(capi.fn("Py_DecRef"), [modname])
                b.ret(fail)
            b.call(capi.fn("Py_DecRef"), [mobj])
        entries: list[tuple[str, FuncIR | None]] = [(func.name, func) for func in ml.mir.functions.values()]
        entries.append(("__pymigrate_register__", None))
        for name, target in entries:
            if target is None:
                fobj = b.call(capi.fn("PyCFunction_NewEx"), [reg, null, modname])
            else:
                fobj = fn_objects.make_fn(b, target, ml.module.globals[f"pmw.{target.key}"], modname)
            with b.if_then(b.icmp_unsigned("==", fobj, null), likely=False):
                b.call(capi.fn("Py_DecRef"), [modname])
                b.ret(fail)
            r = b.call(capi.fn("PyObject_SetAttrString"), [module, ml.cstr(name), fobj])
            b.call(capi.fn("Py_DecRef"), [fobj])
            with b.if_then(b.icmp_signed("<", r, ir.Constant(I32, 0)), likely=False):
                b.call(capi.fn("Py_DecRef"), [modname])
                b.ret(fail)
        b.call(capi.fn("Py_DecRef"), [modname])
        b.ret(ir.Constant(I32, 0))
