"""The emitter: typed IR (after the error and reference counting passes) to LLVM, op by op.

Registers become stack slots (LLVM's mem2reg makes them SSA values), op results LLVM values. A
reference count change is inline (ob_refcnt at offset 0, as Py_INCREF/Py_DECREF in a 3.11
release build), with the deallocation call out of line. No op decides anything here: ownership,
error paths and line numbers all come from the IR.
"""

from __future__ import annotations

from llvmlite import ir  # type: ignore[import-untyped]

from pymigrate.codegen.capi import F64, I1, I32, I64, PTR, VOID
from pymigrate.codegen.ir import FuncIR
from pymigrate.codegen.lower import ModuleLowering
from pymigrate.codegen.tir import ops
from pymigrate.codegen.tir.attrcache import CACHED_CALLS, AttrCache
from pymigrate.codegen.tir.fastpaths import FastPaths
from pymigrate.codegen.tir.runtime import GLOBAL_SITE, STATIC_OBJECTS, ObjectRuntime
from pymigrate.codegen.tir.runtime_ex import HELPERS, make_function_fn

LLTYPES = {"object": PTR, "i64": I64, "i32": I32, "f64": F64, "bool": I1, "void": VOID}
PY_VECTORCALL_ARGUMENTS_OFFSET = -(1 << 63)  # the sign bit of the i64 argument count


def object_entry_type(nargs: int) -> ir.FunctionType:
    return ir.FunctionType(PTR, [PTR] * nargs)


def refcount_fns(ml: ModuleLowering) -> tuple[ir.Function, ir.Function]:
    """pmo.incref / pmo.decref, inlined everywhere; decref calls _Py_Dealloc when the count reaches 0."""
    def inc(b: ir.IRBuilder, f: ir.Function) -> None:
        obj = f.args[0]
        b.store(b.add(b.load(obj, typ=I64), ir.Constant(I64, 1)), obj)
        b.ret_void()

    def dec(b: ir.IRBuilder, f: ir.Function) -> None:
        obj = f.args[0]
        n = b.sub(b.load(obj, typ=I64), ir.Constant(I64, 1))
        b.store(n, obj)
        with b.if_then(b.icmp_signed("==", n, ir.Constant(I64, 0)), likely=False):
            dealloc = ml.module.globals.get("_Py_Dealloc")
            if dealloc is None:
                dealloc = ir.Function(ml.module, ir.FunctionType(VOID, [PTR]), name="_Py_Dealloc")
            b.call(dealloc, [obj])
        b.ret_void()

    fi = ml.helper("pmo.rt.incref", VOID, [PTR], inc)
    fd = ml.helper("pmo.rt.decref", VOID, [PTR], dec)
    for f in (fi, fd):
        f.attributes.add("alwaysinline")
    return fi, fd


class Emitter:
    def __init__(self, ml: ModuleLowering, rt: ObjectRuntime, func: ops.FuncTIR, fir: FuncIR, llfn: ir.Function) -> None:
        self.ml, self.rt, self.func, self.fir, self.fn = ml, rt, func, fir, llfn
        self.values: dict[int, ir.Value] = {}
        self.slots: dict[int, ir.Value] = {}
        self.blocks: dict[int, ir.Block] = {}
        self.incref, self.decref = refcount_fns(ml)
        self.unbound: dict[int, ir.Value] = {}  # LoadMethod -> its "found unbound" flag

    def c_fn(self, name: str, ret: ir.Type, args: list[ir.Type]) -> ir.Function:
        return self.rt.c_fn(name, ret, args)

    def run(self) -> None:
        entry = self.fn.append_basic_block("entry")
        for blk in self.func.blocks:
            self.blocks[id(blk)] = self.fn.append_basic_block(f"L{blk.label}")
        b = ir.IRBuilder(entry)
        args = {id(r): a for r, a in zip(self.func.args, self.fn.args)}
        for reg in self.func.registers:
            slot = b.alloca(LLTYPES[reg.type.name], name=reg.name.replace("%", "t"))
            b.store(args.get(id(reg), ir.Constant(LLTYPES[reg.type.name], None)), slot)
            self.slots[id(reg)] = slot
        b.branch(self.blocks[id(self.func.blocks[0])])
        for blk in self.func.blocks:
            b.position_at_end(self.blocks[id(blk)])
            for op in blk.ops:
                self.op(b, op)

    def val(self, b: ir.IRBuilder, v: ops.Value) -> ir.Value:
        if isinstance(v, ops.Register):
            return b.load(self.slots[id(v)], typ=LLTYPES[v.type.name])
        if isinstance(v, ops.Integer):
            return ir.Constant(LLTYPES[v.type.name], None if v.type.name == "object" else v.value)
        return self.values[id(v)]

    def load_global(self, b: ir.IRBuilder, op: ops.LoadGlobal) -> ir.Value:
        """The site's cached object while both dicts keep their version tags, else the lookup."""
        site = self.rt.global_site()
        field = [b.gep(site, [ir.Constant(I32, 0), ir.Constant(I32, i)], source_etype=GLOBAL_SITE) for i in range(3)]
        now = self.rt.versions(b)
        cached = b.load(field[2], typ=PTR)
        hit = b.and_(b.and_(b.icmp_unsigned("==", b.load(field[0], typ=I64), now[0]),
                            b.icmp_unsigned("==", b.load(field[1], typ=I64), now[1])),
                     b.icmp_unsigned("!=", cached, ir.Constant(PTR, None)))
        start = b.block
        with b.if_else(hit, likely=True) as (then, otherwise):
            with then:
                b.call(self.incref, [cached])
                hit_bb = b.block
            with otherwise:
                name = b.load(self.rt.constant(op.name), typ=PTR)
                looked = b.call(self.rt.load_global(), [name, site])
                miss_bb = b.block
        assert start is not None
        phi = b.phi(PTR)
        phi.add_incoming(cached, hit_bb)
        phi.add_incoming(looked, miss_bb)
        return phi

    def entry_slot(self, b: ir.IRBuilder) -> ir.Value:
        with b.goto_block(self.fn.entry_basic_block):
            b.position_at_start(self.fn.entry_basic_block)
            return b.alloca(PTR)

    def vectorcall(self, b: ir.IRBuilder, op: ops.Vectorcall) -> ir.Value:
        """The arguments in an array, the receiver of a method call in front of them: passed when the
        method came unbound, else skipped with PY_VECTORCALL_ARGUMENTS_OFFSET (the callee may use that
        slot, as CPython lets a bound method's call do)."""
        args = ([op.recv] if op.recv is not None else []) + op.args
        arr = self.entry_array(b, len(args))
        for i, a in enumerate(args):
            b.store(self.val(b, a), b.gep(arr, [ir.Constant(I32, 0), ir.Constant(I32, i)]))
        first = b.gep(arr, [ir.Constant(I32, 0), ir.Constant(I32, 0)])
        kw = b.load(self.rt.constant(op.kwnames), typ=PTR) if op.kwnames else ir.Constant(PTR, None)
        npos = ir.Constant(I64, len(op.args) - len(op.kwnames))
        fn = self.c_fn("PyObject_Vectorcall", PTR, [PTR, PTR, I64, PTR])
        if op.recv is not None:
            unbound = b.icmp_signed("!=", self.unbound[id(op.fn)], ir.Constant(I32, 0))
            second = b.gep(arr, [ir.Constant(I32, 0), ir.Constant(I32, 1)])
            first = b.select(unbound, first, second)
            offset = ir.Constant(I64, PY_VECTORCALL_ARGUMENTS_OFFSET)
            npos = b.select(unbound, b.add(npos, ir.Constant(I64, 1)), b.or_(npos, offset))
        return b.call(fn, [self.val(b, op.fn), first, npos, kw])

    def direct_call(self, b: ir.IRBuilder, op: ops.Vectorcall, key: str) -> ir.Value:
        """The callee's body entered directly while the global is its function object (`pm.fnobj.<key>`,
        set at init), as its wrapper would with these positional arguments; anything else (a rebound
        or decorated global) through vectorcall."""
        from pymigrate.codegen.tir.entry import object_body

        obj = self.ml.module.globals.get(f"pm.fnobj.{key}")
        if obj is None:
            obj = ir.GlobalVariable(self.ml.module, PTR, name=f"pm.fnobj.{key}")
            obj.linkage = "internal"
            obj.initializer = ir.Constant(PTR, None)
        body = object_body(self.ml, key, len(op.args))
        same = b.icmp_unsigned("==", self.val(b, op.fn), b.load(obj, typ=PTR))
        argv = [self.val(b, a) for a in op.args]
        return FastPaths(self.rt).either(b, same, lambda: b.call(body, argv), lambda: self.vectorcall(b, op))

    def entry_array(self, b: ir.IRBuilder, n: int) -> ir.Value:
        with b.goto_block(self.fn.entry_basic_block):
            b.position_at_start(self.fn.entry_basic_block)
            return b.alloca(ir.ArrayType(PTR, max(n, 1)))

    def op(self, b: ir.IRBuilder, op: ops.Op) -> None:  # noqa: C901 - one case per op
        ml, capi, null = self.ml, self.ml.capi, ir.Constant(PTR, None)
        result: ir.Value | None = None
        if isinstance(op, ops.Goto):
            b.branch(self.blocks[id(op.target)])
        elif isinstance(op, ops.Branch):
            br = b.cbranch(self.val(b, op.cond), self.blocks[id(op.true)], self.blocks[id(op.false)])
            if op.rare:
                br.set_weights([1, 2000])
        elif isinstance(op, ops.Return):
            b.ret(self.val(b, op.value))
        elif isinstance(op, ops.Unreachable):
            b.unreachable()
        elif isinstance(op, ops.Assign):
            b.store(self.val(b, op.src), self.slots[id(op.dest)])
        elif isinstance(op, ops.IncRef):
            b.call(self.incref, [self.val(b, op.value)])
        elif isinstance(op, ops.DecRef):
            v = self.val(b, op.value)
            if op.xdec:
                with b.if_then(b.icmp_unsigned("!=", v, null)):
                    b.call(self.decref, [v])
            else:
                b.call(self.decref, [v])
        elif isinstance(op, ops.LoadConst):
            if isinstance(op.value, bool) or op.value is None:
                result = capi.obj(STATIC_OBJECTS[op.value])
            else:
                result = b.load(self.rt.constant(op.value), typ=PTR)
        elif isinstance(op, ops.LoadGlobal):
            result = self.load_global(b, op)
        elif isinstance(op, ops.CallC):
            argv = [self.val(b, a) for a in op.args]
            if op.fname.startswith("pmo.fast."):  # chosen by passes/specialize.py
                fn = FastPaths(self.rt).fn(op.fname)
            elif op.fname in CACHED_CALLS:  # an attribute cache, its site made here
                cache = AttrCache(self.rt)
                fn = cache.get_fn() if op.fname == "pmo.attr.get" else cache.set_fn()
                argv.append(cache.site())
            else:  # a helper of ours declared as a C function would be a call to address 0
                assert not op.fname.startswith("pmo."), op.fname
                fn = self.c_fn(op.fname, LLTYPES[op.type.name], [x.type for x in argv])
            result = b.call(fn, argv)
        elif isinstance(op, ops.LoadMethod):
            slot = self.entry_slot(b)
            b.store(null, slot)  # on AttributeError _PyObject_GetMethod leaves *method as it was
            name = b.load(self.rt.constant(op.name), typ=PTR)
            if op.cached:  # passes/specialize.py
                cache = AttrCache(self.rt)
                self.unbound[id(op)] = b.call(cache.method_fn(), [self.val(b, op.recv), name, cache.site(), slot])
            else:
                get = self.c_fn("_PyObject_GetMethod", I32, [PTR, PTR, PTR])
                self.unbound[id(op)] = b.call(get, [self.val(b, op.recv), name, slot])
            result = b.load(slot, typ=PTR)
        elif isinstance(op, ops.Vectorcall):
            if op.fast is not None and op.recv is not None:  # marked by passes/specialize.py
                recv, argv = self.val(b, op.recv), [self.val(b, a) for a in op.args]
                result = FastPaths(self.rt).method_call(b, op.fast, len(op.args), recv, argv,
                                                        lambda: self.vectorcall(b, op))
            elif op.direct is not None:  # a same-module object fn, marked by passes/specialize.py
                result = self.direct_call(b, op, op.direct)
            elif op.fast is not None:  # a builtin's call, marked by passes/specialize.py
                callee, argv = self.val(b, op.fn), [self.val(b, a) for a in op.args]
                result = FastPaths(self.rt).builtin_call(b, op.fast, callee, argv, lambda: self.vectorcall(b, op))
            else:
                result = self.vectorcall(b, op)
        elif isinstance(op, ops.Compare):
            left, right = self.val(b, op.left), self.val(b, op.right)
            if left.type == PTR:
                result = b.icmp_unsigned(op.op, left, right)
            else:
                result = b.icmp_signed(op.op, left, right)
        elif isinstance(op, ops.Not):
            result = b.not_(self.val(b, op.value))
        elif isinstance(op, ops.BoxBool):
            result = b.select(self.val(b, op.value), capi.obj("_Py_TrueStruct"), capi.obj("_Py_FalseStruct"))
        elif isinstance(op, ops.RaiseError):
            if op.exc is not None:
                ml.set_error(b, op.exc, op.message)
        elif isinstance(op, ops.Helper):
            argv = [self.val(b, a) for a in op.args]
            if op.name == "raise":
                result = b.call(self.rt.raise_fn(), argv)
            elif op.name.startswith("special."):
                result = b.call(self.rt.special_fn(op.name.split(".", 1)[1]), argv)
            elif op.name == "make_function":  # the fn's registered code objects, then the function's parts
                from pymigrate.codegen.bindings import codes_slot

                codes = b.load(codes_slot(ml, self.fir.key), typ=PTR)
                result = b.call(make_function_fn(self.rt), [codes, ir.Constant(I64, op.count), *argv])
            elif op.name in HELPERS:
                result = b.call(HELPERS[op.name](self.rt), argv)
            elif op.name in ("fetch_exc", "exc_match", "reraise", "class_cell", "get_handled", "set_handled"):
                result = b.call(getattr(self.rt, f"{op.name}_fn")(), argv)
            else:
                assert op.name == "unpack"
                result = b.call(self.rt.unpack_fn(), [*argv, ir.Constant(I64, op.count)])
        elif isinstance(op, ops.AddTraceback):
            from pymigrate.codegen.bindings import binder_slot, raise_site, traceback_fn

            if op.name is None:
                site = raise_site(ml, self.fir, op.line, binder_slot(ml, self.fir.key))
            else:  # an inlined frame's entry (a comprehension's): its own code name
                inner = FuncIR(f"{self.fir.key}.{op.name.strip('<>')}", op.name, self.fir.node, [], self.fir.ret, {}, False)
                site = raise_site(ml, inner, op.line, binder_slot(ml, self.fir.key))
            b.call(traceback_fn(ml), [site])
        elif isinstance(op, ops.EnterRecursion):
            result = b.call(self.c_fn("Py_EnterRecursiveCall", I32, [PTR]), [ml.cstr("")])
        elif isinstance(op, ops.LeaveRecursion):
            b.call(self.c_fn("Py_LeaveRecursiveCall", VOID, []), [])
        else:  # pragma: no cover - every op is listed above
            raise AssertionError(type(op).__name__)
        if result is not None:
            self.values[id(op)] = result
