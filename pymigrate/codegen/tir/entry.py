"""An object-tier fn in the LLVM module: its body `pmo.<key>(PyObject *params...) -> PyObject *`
(the emitted IR) and its CPython wrapper `pmw.<key>`, the vectorcall entry of its function object.

The wrapper binds the arguments as every fn's does (all positional and none missing: the
arguments themselves; any other call shape: the binder with the def's signature, so keywords,
defaults and arity errors are CPython's) and passes the references unconverted: any object is
exactly its class, so there is no guard and no Python reading to fall back to.
"""

from __future__ import annotations

from llvmlite import ir  # type: ignore[import-untyped]

from pymigrate.codegen.capi import I64, PTR, TUPLE_ITEMS
from pymigrate.codegen.ir import FuncIR
from pymigrate.codegen.lower import ModuleLowering
from pymigrate.codegen.tir import lower_to_tir
from pymigrate.codegen.tir.emit import Emitter, object_entry_type
from pymigrate.codegen.tir.runtime import ObjectRuntime

PY_SSIZE_T_MAX = 2**63 - 1


def object_runtime(ml: ModuleLowering) -> ObjectRuntime:
    rt = getattr(ml, "object_runtime", None)
    if rt is None:
        rt = ObjectRuntime(ml)
        ml.object_runtime = rt  # type: ignore[attr-defined]
    return rt


def compile_object_fn(ml: ModuleLowering, func: FuncIR) -> ir.Function:
    rt = object_runtime(ml)
    tir = lower_to_tir(func.name, func.key, func.node, callees=direct_callees(ml), closures=func.closures,
                       class_cell=func.class_cell)
    llfn = object_body(ml, func.key, len(func.params))
    Emitter(ml, rt, tir, func, llfn).run()
    return llfn


def object_body(ml: ModuleLowering, key: str, nparams: int) -> ir.Function:
    """`pmo.fn.<key>`, declared by its first caller or its own compilation."""
    existing = ml.module.globals.get(f"pmo.fn.{key}")
    if isinstance(existing, ir.Function):
        return existing
    llfn = ir.Function(ml.module, object_entry_type(nparams), name=f"pmo.fn.{key}")
    llfn.linkage = "internal"
    return llfn


def direct_callees(ml: ModuleLowering) -> dict[str, tuple[str, int]]:
    """The module-level object fns a call can enter directly (passes/specialize.py): global name ->
    (key, parameters), when every parameter may be given by position (the wrapper's own fast case)."""
    return {f.name: (f.key, len(f.params)) for f in ml.mir.all_functions()
            if f.is_object and f.owner is None and f.py_class is None
            and not any(p.kind in ("kwonly", "vararg", "kwarg") for p in f.params)}


def object_wrapper(ml: ModuleLowering, func: FuncIR, binder_slot: ir.GlobalVariable) -> ir.Function:
    capi = ml.capi
    body = ml.module.globals[f"pmo.fn.{func.key}"]
    w = ir.Function(ml.module, ir.FunctionType(PTR, [PTR, PTR, I64, PTR]), name=f"pmw.{func.key}")
    w.linkage = "internal"
    _self, args, nargsf, kwnames = w.args
    b = ir.IRBuilder(w.append_basic_block("entry"))
    null = ir.Constant(PTR, None)
    n = len(func.params)
    nargs = b.and_(nargsf, ir.Constant(I64, PY_SSIZE_T_MAX))
    fast = b.and_(b.icmp_unsigned("==", kwnames, null), b.icmp_signed("==", nargs, ir.Constant(I64, n)))
    if any(p.kind in ("kwonly", "vararg", "kwarg") for p in func.params):
        fast = ir.Constant(ir.IntType(1), 0)
    fast_bb, slow_bb = w.append_basic_block("fast"), w.append_basic_block("bind")
    b.cbranch(fast, fast_bb, slow_bb)

    def call(argv: ir.Value) -> ir.Value:
        items = [b.load(b.gep(argv, [ir.Constant(I64, k)], source_etype=PTR), typ=PTR) for k in range(n)]
        return b.call(body, items)

    b.position_at_end(fast_bb)
    b.ret(call(args))
    b.position_at_end(slow_bb)
    binder = b.load(binder_slot, typ=PTR)
    with b.if_then(b.icmp_unsigned("==", binder, null), likely=False):
        exc = b.load(capi.exc("TypeError"), typ=PTR)
        b.call(capi.fn("PyErr_SetString"), [exc, ml.cstr(f"{func.key}() takes {n} positional arguments")])
        b.ret(null)
    bound = b.call(capi.fn("PyObject_Vectorcall"), [binder, args, nargs, kwnames])
    with b.if_then(b.icmp_unsigned("==", bound, null), likely=False):
        b.ret(null)
    result = call(b.gep(bound, [ir.Constant(I64, TUPLE_ITEMS)], source_etype=ir.IntType(8)))
    b.call(capi.fn("Py_DecRef"), [bound])
    b.ret(result)
    return w
