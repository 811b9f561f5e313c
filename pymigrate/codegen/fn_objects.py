"""Fns and struct methods as function-like objects that carry the original def's signature (F13).

A builtin (or a method descriptor) cannot hold attributes, so `inspect.signature` of one gives no
annotations and `typing.get_type_hints` gives `{}`. Each compiled module therefore makes a small
native type, `pymigrate.compiled_function`, whose objects are called through vectorcall straight
into the fn's wrapper (a method's through a small adapter that takes self from the arguments) and
have a `__dict__`. The object gets `__name__`, `__qualname__`, `__module__` and `__doc__` at init;
when the fn's binder (the plain def with the original signature, see glue.py) is registered, it
also gets the binder's `__annotations__`, `__defaults__` and `__kwdefaults__` and `__wrapped__` =
the binder, so `inspect.signature` and `typing.get_type_hints` read the def's own. Like a
function, the object is a method descriptor: `__get__` binds it to an instance (a bound method),
and `obj.meth(...)` calls it with self first without making one. Its repr is a function's and
pickling goes by name.
"""

from __future__ import annotations

import ast

from llvmlite import ir  # type: ignore[import-untyped]

from pymigrate.codegen.capi import I32, I64, PTR, VOID
from pymigrate.codegen.ir import FuncIR
from pymigrate.codegen.lower import ModuleLowering

TYPE_NAME = "pymigrate.compiled_function"
VECTORCALL_OFFSET = 16  # after ob_refcnt and ob_type
DICT_OFFSET = 24
BASICSIZE = 32
# Py_TPFLAGS_DEFAULT (HAVE_VERSION_TAG) | METHOD_DESCRIPTOR | HAVE_VECTORCALL | IMMUTABLETYPE |
# DISALLOW_INSTANTIATION; not a base type
FLAGS = (1 << 18) | (1 << 17) | (1 << 11) | (1 << 8) | (1 << 7)
T_PYSSIZET = 19
READONLY = 1
METH_NOARGS = 0x0004
SLOT = ir.LiteralStructType([I32, PTR])
SPEC = ir.LiteralStructType([PTR, I32, I32, I32, PTR])
MEMBER = ir.LiteralStructType([PTR, I32, I64, I32, PTR])
METHOD = ir.LiteralStructType([PTR, PTR, I32, PTR])
PY_TP_CALL, PY_TP_DEALLOC, PY_TP_DESCR_GET, PY_TP_METHODS, PY_TP_REPR, PY_TP_MEMBERS = 50, 52, 54, 64, 66, 72
SIGNATURE_ATTRS = ("__annotations__", "__defaults__", "__kwdefaults__")


class FnObjects:
    """Declares the type and the per-fn object variables of one compiled module."""

    def __init__(self, ml: ModuleLowering) -> None:
        self.ml = ml
        self.capi = ml.capi
        self.type_var = self._ptr_var("pm.fntype")
        self.objects = {func.key: self._ptr_var(f"pm.fnobj.{func.key}") for func in ml.mir.all_functions()}

    def _ptr_var(self, name: str) -> ir.GlobalVariable:
        existing = self.ml.module.globals.get(name)  # an object fn's direct call reads its object (tir/emit.py)
        if isinstance(existing, ir.GlobalVariable):
            return existing
        g = ir.GlobalVariable(self.ml.module, PTR, name=name)
        g.linkage = "internal"
        g.initializer = ir.Constant(PTR, None)
        return g

    def _declare(self, name: str, ret: ir.Type, args: list[ir.Type]) -> ir.Function:
        existing = self.ml.module.globals.get(name)
        if isinstance(existing, ir.Function):
            return existing
        return ir.Function(self.ml.module, ir.FunctionType(ret, args), name=name)

    def _internal(self, name: str, ret: ir.Type, args: list[ir.Type]) -> tuple[ir.Function, ir.IRBuilder]:
        f = ir.Function(self.ml.module, ir.FunctionType(ret, args), name=name)
        f.linkage = "internal"
        return f, ir.IRBuilder(f.append_basic_block("entry"))

    # ------------------------------------------------------------------ the type's slots
    def _dealloc(self) -> ir.Function:
        f, b = self._internal("pm.fntype.dealloc", VOID, [PTR])
        obj = f.args[0]
        tp = b.load(b.gep(obj, [ir.Constant(I64, 8)], source_etype=ir.IntType(8)), typ=PTR)
        b.call(self.capi.fn("Py_DecRef"), [b.load(b.gep(obj, [ir.Constant(I64, DICT_OFFSET)], source_etype=ir.IntType(8)), typ=PTR)])
        b.call(self._declare("PyObject_Free", VOID, [PTR]), [obj])
        b.call(self.capi.fn("Py_DecRef"), [tp])  # instances of a heap type hold a reference to it
        b.ret_void()
        return f

    def _repr(self) -> ir.Function:
        f, b = self._internal("pm.fntype.repr", PTR, [PTR])
        obj = f.args[0]
        qual = b.call(self.capi.fn("PyObject_GetAttrString"), [obj, self.ml.cstr("__qualname__")])
        null = ir.Constant(PTR, None)
        with b.if_then(b.icmp_unsigned("==", qual, null), likely=False):
            b.ret(null)
        r = b.call(self._varargs("PyUnicode_FromFormat"), [self.ml.cstr("<function %S at %p>"), qual, obj])
        b.call(self.capi.fn("Py_DecRef"), [qual])
        b.ret(r)
        return f

    def _varargs(self, name: str) -> ir.Function:
        existing = self.ml.module.globals.get(name)
        if isinstance(existing, ir.Function):
            return existing
        return ir.Function(self.ml.module, ir.FunctionType(PTR, [PTR], var_arg=True), name=name)

    def _get(self) -> ir.Function:
        """__get__ as a function's: the object itself from the class, a bound method from an instance."""
        f, b = self._internal("pm.fntype.get", PTR, [PTR, PTR, PTR])
        func, obj, _ = f.args
        unbound = b.or_(b.icmp_unsigned("==", obj, ir.Constant(PTR, None)), b.icmp_unsigned("==", obj, self.capi.obj("_Py_NoneStruct")))
        with b.if_then(unbound):
            b.call(self.capi.fn("Py_IncRef"), [func])
            b.ret(func)
        b.ret(b.call(self._declare("PyMethod_New", PTR, [PTR, PTR]), [func, obj]))
        return f

    def method_entry(self, func: FuncIR, wrapper: ir.Function, binder_slot: ir.GlobalVariable) -> ir.Function:
        """pmv.<key>(callable, args, nargsf, kwnames): a method's vectorcall entry, self the first argument.

        Without positional arguments (`P.m()`, `P.m(self=p)`) the binder decides, as for the def: its
        TypeError, or the arguments it binds passed on positionally.
        """
        capi = self.capi
        f, b = self._internal(f"pmv.{func.key}", PTR, [PTR, PTR, I64, PTR])
        callable_, args, nargsf, kwnames = f.args
        null = ir.Constant(PTR, None)
        nargs = b.and_(nargsf, ir.Constant(I64, 2**63 - 1))
        with b.if_then(b.icmp_signed("==", nargs, ir.Constant(I64, 0)), likely=False):
            binder = b.load(binder_slot, typ=PTR)
            with b.if_then(b.icmp_unsigned("==", binder, null), likely=False):
                exc = b.load(capi.exc("TypeError"), typ=PTR)
                b.call(capi.fn("PyErr_SetString"), [exc, self.ml.cstr(f"{func.key}() needs an argument")])
                b.ret(null)
            bound = b.call(capi.fn("PyObject_Vectorcall"), [binder, args, ir.Constant(I64, 0), kwnames])
            with b.if_then(b.icmp_unsigned("==", bound, null), likely=False):
                b.ret(null)
            r = b.call(capi.fn("PyObject_Call"), [callable_, bound, null])
            b.call(capi.fn("Py_DecRef"), [bound])
            b.ret(r)
        rest = b.gep(args, [ir.Constant(I64, 1)], source_etype=PTR)
        b.ret(b.call(wrapper, [b.load(args, typ=PTR), rest, b.sub(nargs, ir.Constant(I64, 1)), kwnames]))
        return f

    def _reduce(self) -> ir.Function:
        """Pickled by reference (module and qualified name), as functions and builtins are."""
        f, b = self._internal("pm.fntype.reduce", PTR, [PTR, PTR])
        b.ret(b.call(self.capi.fn("PyObject_GetAttrString"), [f.args[0], self.ml.cstr("__qualname__")]))
        return f

    def _const_global(self, name: str, value: ir.Constant) -> ir.GlobalVariable:
        g = ir.GlobalVariable(self.ml.module, value.type, name=name)
        g.linkage = "internal"
        g.initializer = value
        return g

    def _spec(self) -> ir.GlobalVariable:
        null = ir.Constant(PTR, None)
        cstr = self.ml.cstr
        members = self._const_global("pm.fntype.members", ir.Constant(ir.ArrayType(MEMBER, 3), [
            ir.Constant(MEMBER, [cstr("__vectorcalloffset__"), ir.Constant(I32, T_PYSSIZET),
                                 ir.Constant(I64, VECTORCALL_OFFSET), ir.Constant(I32, READONLY), null]),
            ir.Constant(MEMBER, [cstr("__dictoffset__"), ir.Constant(I32, T_PYSSIZET),
                                 ir.Constant(I64, DICT_OFFSET), ir.Constant(I32, READONLY), null]),
            ir.Constant(MEMBER, [null, ir.Constant(I32, 0), ir.Constant(I64, 0), ir.Constant(I32, 0), null]),
        ]))  # fmt: skip
        methods = self._const_global("pm.fntype.methods", ir.Constant(ir.ArrayType(METHOD, 2), [
            ir.Constant(METHOD, [cstr("__reduce__"), self._reduce(), ir.Constant(I32, METH_NOARGS), null]),
            ir.Constant(METHOD, [null, null, ir.Constant(I32, 0), null]),
        ]))  # fmt: skip
        call = self._declare("PyVectorcall_Call", PTR, [PTR, PTR, PTR])
        slots = [
            (PY_TP_CALL, call), (PY_TP_DEALLOC, self._dealloc()), (PY_TP_DESCR_GET, self._get()),
            (PY_TP_REPR, self._repr()), (PY_TP_MEMBERS, members), (PY_TP_METHODS, methods),
        ]  # fmt: skip
        table = self._const_global("pm.fntype.slots", ir.Constant(ir.ArrayType(SLOT, len(slots) + 1), [
            *(ir.Constant(SLOT, [ir.Constant(I32, k), v]) for k, v in slots),
            ir.Constant(SLOT, [ir.Constant(I32, 0), null]),
        ]))  # fmt: skip
        return self._const_global("pm.fntype.spec", ir.Constant(SPEC, [
            cstr(TYPE_NAME), ir.Constant(I32, BASICSIZE), ir.Constant(I32, 0), ir.Constant(I32, FLAGS), table,
        ]))  # fmt: skip

    # ------------------------------------------------------------------ init and registration
    def make_type(self, b: ir.IRBuilder) -> ir.Value:
        """In the module init: create the type (NULL with the exception set on failure)."""
        tp = b.call(self._declare("PyType_FromSpec", PTR, [PTR]), [self._spec()])
        b.store(tp, self.type_var)
        return tp

    def make_fn(self, b: ir.IRBuilder, func: FuncIR, wrapper: ir.Function, modname: ir.Value) -> ir.Value:
        """A new object for fn `func` calling `wrapper` (NULL with the exception set on failure).

        One call of the shared `pm.fntype.new` per fn: the init stays small, so it costs the
        optimizer little however many fns the module has.
        """
        ml = self.ml
        consts: list[ir.Value] = []
        for text in (func.name, func.qualname, ast.get_docstring(func.node, clean=False)):
            if text is None:
                consts += [ir.Constant(PTR, None), ir.Constant(I64, 0)]
            else:
                data = text.encode("utf-8", "surrogatepass")
                consts += [ml.cstr(data), ir.Constant(I64, len(data))]
        obj = b.call(self._new_helper(), [wrapper, *consts, modname])
        with b.if_then(b.icmp_unsigned("!=", obj, ir.Constant(PTR, None)), likely=True):
            b.call(self.capi.fn("Py_IncRef"), [obj])  # one reference kept for the binder's registration
            b.store(obj, self.objects[func.key])
        return obj

    def _helper(self, name: str, ret: ir.Type, args: list[ir.Type]) -> tuple[ir.Function, ir.IRBuilder | None]:
        """An init-time helper shared by every fn (built once; the builder is None when it exists)."""
        existing = self.ml.module.globals.get(name)
        if isinstance(existing, ir.Function):
            return existing, None
        f, b = self._internal(name, ret, args)
        for attr in ("cold", "noinline"):
            f.attributes.add(attr)
        return f, b

    def _new_helper(self) -> ir.Function:
        """pm.fntype.new(wrapper, name, len, qualname, len, doc or NULL, len, module name): a new
        object with its attributes, or NULL with the exception set."""
        f, b = self._helper("pm.fntype.new", PTR, [PTR, PTR, I64, PTR, I64, PTR, I64, PTR])
        if b is None:
            return f
        capi, ml = self.capi, self.ml
        wrapper, name, name_len, qual, qual_len, doc, doc_len, modname = f.args
        null = ir.Constant(PTR, None)
        obj = b.call(self._declare("PyType_GenericAlloc", PTR, [PTR, I64]), [b.load(self.type_var, typ=PTR), ir.Constant(I64, 0)])
        with b.if_then(b.icmp_unsigned("==", obj, null), likely=False):
            b.ret(null)
        b.store(wrapper, b.gep(obj, [ir.Constant(I64, VECTORCALL_OFFSET)], source_etype=ir.IntType(8)))

        def decode(data: ir.Value, size: ir.Value) -> ir.Value:
            return b.call(capi.fn("PyUnicode_DecodeUTF8"), [data, size, ml.cstr("surrogatepass")])

        def set_attr(attr: str, value: ir.Value, *, owned: bool = True) -> None:
            if owned:
                with b.if_then(b.icmp_unsigned("==", value, null), likely=False):
                    b.call(capi.fn("Py_DecRef"), [obj])
                    b.ret(null)
            r = b.call(capi.fn("PyObject_SetAttrString"), [obj, ml.cstr(attr), value])
            if owned:
                b.call(capi.fn("Py_DecRef"), [value])
            with b.if_then(b.icmp_signed("<", r, ir.Constant(I32, 0)), likely=False):
                b.call(capi.fn("Py_DecRef"), [obj])
                b.ret(null)

        set_attr("__name__", decode(name, name_len))
        set_attr("__qualname__", decode(qual, qual_len))
        none = capi.obj("_Py_NoneStruct")
        with b.if_else(b.icmp_unsigned("==", doc, null)) as (no_doc, has_doc):
            with no_doc:
                b.call(capi.fn("Py_IncRef"), [none])
                none_bb = b.block
            with has_doc:
                text = decode(doc, doc_len)
                text_bb = b.block
        value = b.phi(PTR)
        value.add_incoming(none, none_bb)
        value.add_incoming(text, text_bb)
        set_attr("__doc__", value)
        set_attr("__module__", modname, owned=False)
        b.ret(obj)
        return f

    def adopt_binder(self, b: ir.IRBuilder, key: str, binder: ir.Value) -> None:
        """In __pymigrate_register__: give fn `key`'s object the binder's signature; returns NULL on error
        (a method's binder takes self, as the def does)."""
        null = ir.Constant(PTR, None)
        obj = b.load(self.objects[key], typ=PTR)
        with b.if_then(b.icmp_unsigned("!=", obj, null)):
            r = b.call(self._adopt_helper(), [obj, binder])
            with b.if_then(b.icmp_signed("<", r, ir.Constant(I32, 0)), likely=False):
                b.ret(null)

    def _adopt_helper(self) -> ir.Function:
        """pm.fntype.adopt(obj, binder): the binder's annotations, defaults and kwdefaults, and
        `__wrapped__` = the binder (0, or -1 with the exception set)."""
        f, b = self._helper("pm.fntype.adopt", I32, [PTR, PTR])
        if b is None:
            return f
        capi, ml = self.capi, self.ml
        obj, binder = f.args
        null = ir.Constant(PTR, None)
        fail = ir.Constant(I32, -1)
        for attr in SIGNATURE_ATTRS:
            value = b.call(capi.fn("PyObject_GetAttrString"), [binder, ml.cstr(attr)])
            with b.if_then(b.icmp_unsigned("==", value, null), likely=False):
                b.ret(fail)
            r = b.call(capi.fn("PyObject_SetAttrString"), [obj, ml.cstr(attr), value])
            b.call(capi.fn("Py_DecRef"), [value])
            with b.if_then(b.icmp_signed("<", r, ir.Constant(I32, 0)), likely=False):
                b.ret(fail)
        r = b.call(capi.fn("PyObject_SetAttrString"), [obj, ml.cstr("__wrapped__"), binder])
        b.ret(b.select(b.icmp_signed("<", r, ir.Constant(I32, 0)), fail, ir.Constant(I32, 0)))
        return f
