"""The object tier's module-level runtime: constants made once at init, global name loads, the
`raise` statement and sequence unpacking, emitted into the LLVM module as small functions.

The layouts read here are CPython 3.11's (see capi.py for the stable ones): a type's tp_flags at
168 and tp_iter at 216, a tuple's items at 24.
"""

from __future__ import annotations

from llvmlite import ir  # type: ignore[import-untyped]

from pymigrate.codegen.capi import I32, I64, OB_TYPE, PTR, TP_NAME, TUPLE_ITEMS, VAR_SIZE, VOID
from pymigrate.codegen.lower import ModuleLowering

TP_FLAGS = 168
TP_ITER = 216
TYPE_SUBCLASS = 1 << 31
BASE_EXC_SUBCLASS = 1 << 30
TUPLE_SUBCLASS = 1 << 26
TSTATE_EXC_INFO = 120  # CPython 3.11 PyThreadState: ... curexc_type/value/traceback at 96-112, then exc_info
NULL = ir.Constant(PTR, None)

DICT_VERSION_TAG = 24  # CPython 3.11 PyDictObject: ob_refcnt, ob_type, ma_used, then ma_version_tag
GLOBAL_SITE = ir.LiteralStructType([I64, I64, PTR])  # module dict's tag, builtins dict's tag, the value
STATIC_OBJECTS = {None: "_Py_NoneStruct", True: "_Py_TrueStruct", False: "_Py_FalseStruct"}


def counted_loop(b: ir.IRBuilder, f: ir.Function, n: ir.Value, label: str) -> tuple[ir.Value, ir.Value, ir.Block, ir.Block]:
    """`for i in range(n)` in a helper: the builder left in the body, which stores i + 1 into the
    counter's slot and branches to top; returns (i, the slot, top, the exit block)."""
    i_slot = b.alloca(I64)
    b.store(ir.Constant(I64, 0), i_slot)
    top, loop, done = (f.append_basic_block(label + x) for x in ("top", "loop", "done"))
    b.branch(top)
    b.position_at_end(top)
    i = b.load(i_slot, typ=I64)
    b.cbranch(b.icmp_signed("<", i, n), loop, done)
    b.position_at_end(loop)
    return i, i_slot, top, done


class ObjectRuntime:
    """Per LLVM module: the constant table, the module's globals and builtins dicts and the helpers."""

    def __init__(self, ml: ModuleLowering) -> None:
        self.ml = ml
        self.constants: dict[object, tuple[object, ir.GlobalVariable]] = {}
        self.globals_dict = self._ptr("pmo.rt.globals")
        self.builtins_dict = self._ptr("pmo.rt.builtins")
        self.sites: list[ir.GlobalVariable] = []
        self.attr_sites: list[ir.GlobalVariable] = []  # attrcache.py's per-site attribute caches
        self.builtins: dict[str, ir.GlobalVariable] = {}  # builtin objects the fast calls compare with

    def _ptr(self, name: str) -> ir.GlobalVariable:
        g = ir.GlobalVariable(self.ml.module, PTR, name=name)
        g.linkage = "internal"
        g.initializer = NULL
        return g

    def c_fn(self, name: str, ret: ir.Type, args: list[ir.Type], var_arg: bool = False) -> ir.Function:
        existing = self.ml.module.globals.get(name)
        if isinstance(existing, ir.Function):
            return existing
        return ir.Function(self.ml.module, ir.FunctionType(ret, args, var_arg=var_arg), name=name)

    # ------------------------------------------------------------------ constants
    @staticmethod
    def key(value: object) -> object:
        """Constants are told apart by class and repr (1, 1.0 and True; 0.0 and -0.0)."""
        if isinstance(value, tuple):
            return ("tuple", tuple(ObjectRuntime.key(v) for v in value))
        return (type(value).__name__, repr(value))

    def constant(self, value: object) -> ir.GlobalVariable:
        k = self.key(value)
        if k not in self.constants:
            if isinstance(value, tuple):
                for item in value:
                    self.constant(item)  # made before the tuple at init
            g = self._ptr(f"pmo.rt.const.{len(self.constants)}")
            self.constants[k] = (value, g)
        return self.constants[k][1]

    def init(self, b: ir.IRBuilder, module: ir.Value, fail: ir.Block) -> None:
        """At module init: the module dict, the builtins dict, the builtins the fast calls know and
        every constant."""
        ml, capi = self.ml, self.ml.capi
        d = b.call(self.c_fn("PyModule_GetDict", PTR, [PTR]), [module])
        b.call(capi.fn("Py_IncRef"), [d])
        b.store(d, self.globals_dict)
        bi = b.call(self.c_fn("PyEval_GetBuiltins", PTR, []), [])
        b.call(capi.fn("Py_IncRef"), [bi])
        b.store(bi, self.builtins_dict)
        for name, g in self.builtins.items():  # kept alive for good: the address is never another object's
            found = b.call(self.c_fn("PyDict_GetItemString", PTR, [PTR, PTR]), [bi, ml.cstr(name)])
            with b.if_then(b.icmp_unsigned("!=", found, NULL)):
                b.call(capi.fn("Py_IncRef"), [found])
            b.store(found, g)
        for value, g in list(self.constants.values()):
            obj = self._make(b, value)
            ok = b.function.append_basic_block("const.ok")
            b.cbranch(b.icmp_unsigned("==", obj, NULL), fail, ok)
            b.position_at_end(ok)
            b.store(obj, g)

    def _make(self, b: ir.IRBuilder, value: object) -> ir.Value:
        ml, capi = self.ml, self.ml.capi
        if isinstance(value, bool) or value is None:
            obj = capi.obj(STATIC_OBJECTS[value])
            b.call(capi.fn("Py_IncRef"), [obj])
            return obj
        if isinstance(value, int):
            fn = self.c_fn("PyLong_FromString", PTR, [PTR, PTR, I32])
            return b.call(fn, [ml.cstr(str(value)), NULL, ir.Constant(I32, 10)])
        if isinstance(value, float):
            return b.call(capi.fn("PyFloat_FromDouble"), [ir.Constant(ir.DoubleType(), value)])
        if isinstance(value, str):
            data = value.encode("utf-8", "surrogatepass")
            s = b.call(capi.fn("PyUnicode_DecodeUTF8"), [ml.cstr(data), ir.Constant(I64, len(data)), ml.cstr("surrogatepass")])
            if value.isascii() and (value.isidentifier() or not value):  # CPython interns such constants
                slot = b.alloca(PTR)
                b.store(s, slot)
                with b.if_then(b.icmp_unsigned("!=", s, NULL)):
                    b.call(self.c_fn("PyUnicode_InternInPlace", VOID, [PTR]), [slot])
                s = b.load(slot, typ=PTR)
            return s
        if isinstance(value, bytes):
            fn = self.c_fn("PyBytes_FromStringAndSize", PTR, [PTR, I64])
            return b.call(fn, [ml.cstr(value), ir.Constant(I64, len(value))])
        if isinstance(value, tuple):
            t = b.call(self.c_fn("PyTuple_New", PTR, [I64]), [ir.Constant(I64, len(value))])
            with b.if_then(b.icmp_unsigned("!=", t, NULL)):
                for i, item in enumerate(value):
                    obj = b.load(self.constant(item), typ=PTR)
                    b.call(capi.fn("Py_IncRef"), [obj])
                    b.call(self.c_fn("PyTuple_SetItem", I32, [PTR, I64, PTR]), [t, ir.Constant(I64, i), obj])
            return t
        from pymigrate.codegen.tir.build import StaticObject

        assert isinstance(value, StaticObject), value
        obj = self.static(b, value.symbol)
        b.call(capi.fn("Py_IncRef"), [obj])
        return obj

    def static(self, b: ir.IRBuilder, symbol: str) -> ir.Value:
        capi = self.ml.capi
        if symbol.startswith("PyExc_"):
            return b.load(capi.exc(symbol[len("PyExc_"):]), typ=PTR)
        existing = self.ml.module.globals.get(symbol)
        if existing is None:
            existing = ir.GlobalVariable(self.ml.module, ir.IntType(8), name=symbol)
            existing.linkage = "external"
        return existing

    def builtin(self, name: str) -> ir.GlobalVariable:
        """The builtins dict's `name` as module init found it (NULL when missing): a call whose callee
        is that object is the builtin's (fastpaths.BUILTIN_CALLS)."""
        if name not in self.builtins:
            self.builtins[name] = self._ptr(f"pmo.rt.builtin.{name}")
        return self.builtins[name]

    # ------------------------------------------------------------------ helpers
    def versions(self, b: ir.IRBuilder) -> tuple[ir.Value, ir.Value]:
        """The version tags of the module dict and the builtins dict (a 3.11 dict changes its tag at
        every change of its contents)."""
        def tag(d: ir.GlobalVariable) -> ir.Value:
            return b.load(b.gep(b.load(d, typ=PTR), [ir.Constant(I64, DICT_VERSION_TAG)], source_etype=ir.IntType(8)), typ=I64)

        return tag(self.globals_dict), tag(self.builtins_dict)

    def global_site(self) -> ir.GlobalVariable:
        """A load's cache: the two dicts' version tags when it last looked, and what it found (borrowed:
        while neither tag moved, the dict still holds it), as CPython's LOAD_GLOBAL specializes."""
        g = ir.GlobalVariable(self.ml.module, GLOBAL_SITE, name=f"pmo.rt.site.{len(self.sites)}")
        g.linkage = "internal"
        g.initializer = ir.Constant(GLOBAL_SITE, None)
        self.sites.append(g)
        return g

    def load_global(self) -> ir.Function:
        """pmo.load_global(name, site) -> new reference: the module dict, then the builtins dict, else
        CPython's NameError (with its `name` attribute); what it found is kept in the site while
        neither dict changed during the lookup."""
        ml, capi = self.ml, self.ml.capi

        def body(b: ir.IRBuilder, f: ir.Function) -> None:
            name, site = f.args
            before = self.versions(b)
            get = self.c_fn("PyDict_GetItemWithError", PTR, [PTR, PTR])
            for d in (self.globals_dict, self.builtins_dict):
                v = b.call(get, [b.load(d, typ=PTR), name])
                with b.if_then(b.icmp_unsigned("!=", v, NULL), likely=True):
                    b.call(capi.fn("Py_IncRef"), [v])
                    after = self.versions(b)
                    same = b.and_(b.icmp_unsigned("==", before[0], after[0]), b.icmp_unsigned("==", before[1], after[1]))
                    with b.if_then(same):
                        for i, x in enumerate((*after, v)):
                            b.store(x, b.gep(site, [ir.Constant(I32, 0), ir.Constant(I32, i)], source_etype=GLOBAL_SITE))
                    b.ret(v)
                with b.if_then(b.icmp_unsigned("!=", b.call(capi.fn("PyErr_Occurred"), []), NULL), likely=False):
                    b.ret(NULL)
            b.call(capi.fn("PyErr_Format"), [b.load(capi.exc("NameError"), typ=PTR), ml.cstr("name '%U' is not defined"), name])
            saved = [b.alloca(PTR) for _ in range(3)]
            b.call(capi.fn("PyErr_Fetch"), saved)
            b.call(self.c_fn("PyErr_NormalizeException", VOID, [PTR, PTR, PTR]), saved)
            value = b.load(saved[1], typ=PTR)
            with b.if_then(b.icmp_unsigned("!=", value, NULL)):
                r = b.call(capi.fn("PyObject_SetAttrString"), [value, ml.cstr("name"), name])
                with b.if_then(b.icmp_signed("<", r, ir.Constant(I32, 0))):
                    b.call(capi.fn("PyErr_Clear"), [])
            b.call(capi.fn("PyErr_Restore"), [b.load(x, typ=PTR) for x in saved])
            b.ret(NULL)

        return self._helper("pmo.rt.load_global", PTR, [PTR, PTR], body)

    def _helper(self, name: str, ret: ir.Type, args: list[ir.Type], body: object) -> ir.Function:
        f = self.ml.helper(name, ret, args, body)  # type: ignore[arg-type]
        return f

    def _flags(self, b: ir.IRBuilder, typ: ir.Value) -> ir.Value:
        return b.load(b.gep(typ, [ir.Constant(I64, TP_FLAGS)], source_etype=ir.IntType(8)), typ=I64)

    def _type(self, b: ir.IRBuilder, obj: ir.Value) -> ir.Value:
        return b.load(b.gep(obj, [ir.Constant(I64, OB_TYPE)], source_etype=ir.IntType(8)), typ=PTR)

    def _is_exc_instance(self, b: ir.IRBuilder, obj: ir.Value) -> ir.Value:
        flags = self._flags(b, self._type(b, obj))
        return b.icmp_unsigned("!=", b.and_(flags, ir.Constant(I64, BASE_EXC_SUBCLASS)), ir.Constant(I64, 0))

    def _is_exc_class(self, b: ir.IRBuilder, obj: ir.Value) -> ir.Value:
        meta = self._flags(b, self._type(b, obj))
        is_type = b.icmp_unsigned("!=", b.and_(meta, ir.Constant(I64, TYPE_SUBCLASS)), ir.Constant(I64, 0))
        result = b.alloca(ir.IntType(1))
        b.store(ir.Constant(ir.IntType(1), 0), result)
        with b.if_then(is_type):
            flags = self._flags(b, obj)
            b.store(b.icmp_unsigned("!=", b.and_(flags, ir.Constant(I64, BASE_EXC_SUBCLASS)), ir.Constant(I64, 0)), result)
        return b.load(result, typ=ir.IntType(1))

    def raise_fn(self) -> ir.Function:
        """pmo.raise(exc, cause or NULL) -> -1: CPython's `raise exc [from cause]` (ceval's do_raise)."""
        ml, capi = self.ml, self.ml.capi
        call0 = self.c_fn("PyObject_CallNoArgs", PTR, [PTR])

        def instance(b: ir.IRBuilder, obj: ir.Value, what: str, fail: ir.Block) -> ir.Value:
            """The exception instance obj stands for (a new reference), or a branch to fail."""
            slot = b.alloca(PTR)
            is_class = self._is_exc_class(b, obj)
            with b.if_else(is_class) as (then, other):
                with then:
                    v = b.call(call0, [obj])
                    b.store(v, slot)
                    with b.if_then(b.icmp_unsigned("==", v, NULL), likely=False):
                        b.branch(fail)
                        b.position_at_end(b.function.append_basic_block("dead"))
                    with b.if_then(b.not_(self._is_exc_instance(b, v)), likely=False):
                        msg = "calling %R should have returned an instance of BaseException, not %R"
                        b.call(capi.fn("PyErr_Format"), [b.load(capi.exc("TypeError"), typ=PTR), ml.cstr(msg), obj, self._type(b, v)])
                        b.call(capi.fn("Py_DecRef"), [v])
                        b.branch(fail)
                        b.position_at_end(b.function.append_basic_block("dead"))
                with other:
                    with b.if_then(b.not_(self._is_exc_instance(b, obj)), likely=False):
                        b.call(capi.fn("PyErr_SetString"), [b.load(capi.exc("TypeError"), typ=PTR), ml.cstr(what)])
                        b.branch(fail)
                        b.position_at_end(b.function.append_basic_block("dead"))
                    b.call(capi.fn("Py_IncRef"), [obj])
                    b.store(obj, slot)
            return b.load(slot, typ=PTR)

        def body(b: ir.IRBuilder, f: ir.Function) -> None:
            exc, cause = f.args
            fail = f.append_basic_block("fail")
            value = instance(b, exc, "exceptions must derive from BaseException", fail)
            with b.if_then(b.icmp_unsigned("!=", cause, NULL)):
                fail_value = f.append_basic_block("fail.value")
                fixed = b.alloca(PTR)
                b.store(NULL, fixed)
                is_none = b.icmp_unsigned("==", cause, capi.obj("_Py_NoneStruct"))
                with b.if_then(b.not_(is_none)):
                    b.store(instance(b, cause, "exception causes must derive from BaseException", fail_value), fixed)
                b.call(self.c_fn("PyException_SetCause", VOID, [PTR, PTR]), [value, b.load(fixed, typ=PTR)])
                after = b.block
                b.position_at_end(fail_value)
                b.call(capi.fn("Py_DecRef"), [value])
                b.branch(fail)
                b.position_at_end(after)
            b.call(capi.fn("PyErr_SetObject"), [self._type(b, value), value])
            b.call(capi.fn("Py_DecRef"), [value])
            b.branch(fail)
            b.position_at_end(fail)
            b.ret(ir.Constant(I32, -1))

        f = self._helper("pmo.rt.raise", I32, [PTR, PTR], body)
        f.attributes.add("cold")
        return f

    def unpack_fn(self) -> ir.Function:
        """pmo.unpack(obj, n) -> a tuple of n items (a new reference): CPython's UNPACK_SEQUENCE. A tuple
        of n items is itself (as CPython's fast path reads its items); anything else goes through
        unpack_iterable, its messages included."""
        ml, capi = self.ml, self.ml.capi

        def body(b: ir.IRBuilder, f: ir.Function) -> None:
            obj, n = f.args
            exact = b.icmp_unsigned("==", self._type(b, obj), capi.obj("PyTuple_Type"))
            with b.if_then(exact, likely=True):
                size = b.load(b.gep(obj, [ir.Constant(I64, VAR_SIZE)], source_etype=ir.IntType(8)), typ=I64)
                with b.if_then(b.icmp_signed("==", size, n), likely=True):
                    b.call(capi.fn("Py_IncRef"), [obj])
                    b.ret(obj)
            it = b.call(self.c_fn("PyObject_GetIter", PTR, [PTR]), [obj])
            with b.if_then(b.icmp_unsigned("==", it, NULL), likely=False):
                typ = self._type(b, obj)
                matches = b.call(self.c_fn("PyErr_ExceptionMatches", I32, [PTR]), [b.load(capi.exc("TypeError"), typ=PTR)])
                no_iter = b.icmp_unsigned("==", b.load(b.gep(typ, [ir.Constant(I64, TP_ITER)], source_etype=ir.IntType(8)), typ=PTR), NULL)
                cond = b.and_(b.icmp_signed("!=", matches, ir.Constant(I32, 0)), no_iter)
                with b.if_then(cond):
                    seq = b.call(self.c_fn("PySequence_Check", I32, [PTR]), [obj])
                    with b.if_then(b.icmp_signed("==", seq, ir.Constant(I32, 0))):
                        name = b.load(b.gep(typ, [ir.Constant(I64, TP_NAME)], source_etype=ir.IntType(8)), typ=PTR)
                        b.call(capi.fn("PyErr_Format"), [b.load(capi.exc("TypeError"), typ=PTR),
                                                         ml.cstr("cannot unpack non-iterable %.200s object"), name])
                b.ret(NULL)
            t = b.call(self.c_fn("PyTuple_New", PTR, [I64]), [n])
            fail = f.append_basic_block("fail")
            with b.if_then(b.icmp_unsigned("==", t, NULL), likely=False):
                b.call(capi.fn("Py_DecRef"), [it])
                b.ret(NULL)
            nxt = self.c_fn("PyIter_Next", PTR, [PTR])
            i, i_slot, top, done = counted_loop(b, f, n, "")
            w = b.call(nxt, [it])
            with b.if_then(b.icmp_unsigned("==", w, NULL), likely=False):
                with b.if_then(b.icmp_unsigned("==", b.call(capi.fn("PyErr_Occurred"), []), NULL)):
                    b.call(capi.fn("PyErr_Format"), [b.load(capi.exc("ValueError"), typ=PTR),
                                                     ml.cstr("not enough values to unpack (expected %d, got %d)"),
                                                     b.trunc(n, I32), b.trunc(i, I32)])
                b.branch(fail)
            items = b.gep(t, [ir.Constant(I64, TUPLE_ITEMS)], source_etype=ir.IntType(8))
            b.store(w, b.gep(items, [i], source_etype=PTR))
            b.store(b.add(i, ir.Constant(I64, 1)), i_slot)
            b.branch(top)
            b.position_at_end(done)
            w = b.call(nxt, [it])
            with b.if_then(b.icmp_unsigned("==", w, NULL), likely=True):
                with b.if_then(b.icmp_unsigned("!=", b.call(capi.fn("PyErr_Occurred"), []), NULL), likely=False):
                    b.branch(fail)
                    b.position_at_end(f.append_basic_block("dead"))
                b.call(capi.fn("Py_DecRef"), [it])
                b.ret(t)
            b.call(capi.fn("Py_DecRef"), [w])
            b.call(capi.fn("PyErr_Format"), [b.load(capi.exc("ValueError"), typ=PTR),
                                             ml.cstr("too many values to unpack (expected %d)"), b.trunc(n, I32)])
            b.branch(fail)
            b.position_at_end(fail)
            b.call(capi.fn("Py_DecRef"), [it])
            b.call(capi.fn("Py_DecRef"), [t])
            b.ret(NULL)

        return self._helper("pmo.rt.unpack", PTR, [PTR, I64], body)

    def class_cell_fn(self) -> ir.Function:
        """pmo.class_cell(cell, for_super) -> the class in a method's `__class__` cell (a new reference);
        an empty cell (the method run before its class statement ended) raises what the def raises:
        zero-argument super()'s RuntimeError, or the NameError of a free variable read unbound."""
        capi = self.ml.capi

        def body(b: ir.IRBuilder, f: ir.Function) -> None:
            cell, for_super = f.args
            value = b.call(self.c_fn("PyCell_Get", PTR, [PTR]), [cell])
            with b.if_then(b.icmp_unsigned("!=", value, NULL), likely=True):
                b.ret(value)
            with b.if_then(b.icmp_unsigned("!=", b.call(capi.fn("PyErr_Occurred"), []), NULL)):
                b.ret(NULL)
            with b.if_else(b.icmp_signed("!=", for_super, ir.Constant(I32, 0))) as (then, other):
                with then:
                    self.ml.set_error(b, "RuntimeError", "super(): empty __class__ cell")
                with other:
                    self.ml.set_error(b, "NameError", "cannot access free variable '__class__' where it is not "
                                                      "associated with a value in enclosing scope")
            b.ret(NULL)

        return self._helper("pmo.rt.class_cell", PTR, [PTR, I32], body)

    def fetch_exc_fn(self) -> ir.Function:
        """pmo.fetch_exc() -> the raised exception, normalized, its traceback attached (a new reference),
        the error indicator cleared: what CPython 3.11's unwinding pushes for a handler."""

        def body(b: ir.IRBuilder, f: ir.Function) -> None:
            slots = [b.alloca(PTR) for _ in range(3)]
            b.call(self.c_fn("PyErr_Fetch", VOID, [PTR, PTR, PTR]), slots)
            b.call(self.c_fn("PyErr_NormalizeException", VOID, [PTR, PTR, PTR]), slots)
            typ, value, tb = (b.load(s, typ=PTR) for s in slots)
            is_null = b.icmp_unsigned("==", tb, NULL)
            b.call(self.c_fn("PyException_SetTraceback", I32, [PTR, PTR]),
                   [value, b.select(is_null, self.ml.capi.obj("_Py_NoneStruct"), tb)])
            b.call(self.c_fn("Py_DecRef", VOID, [PTR]), [tb])
            b.call(self.c_fn("Py_DecRef", VOID, [PTR]), [typ])
            b.ret(value)

        return self._helper("pmo.rt.fetch_exc", PTR, [], body)

    def exc_match_fn(self) -> ir.Function:
        """pmo.exc_match(exc, type) -> 1, 0, or -1 with CPython's TypeError when `type` (or an item of a
        tuple) is not an exception class: ceval's CHECK_EXC_MATCH, then PyErr_GivenExceptionMatches."""
        ml, capi = self.ml, self.ml.capi

        def body(b: ir.IRBuilder, f: ir.Function) -> None:
            exc, typ = f.args
            bad = f.append_basic_block("bad")
            ok = f.append_basic_block("ok")
            is_tuple = b.icmp_unsigned("!=", b.and_(self._flags(b, self._type(b, typ)), ir.Constant(I64, TUPLE_SUBCLASS)),
                                       ir.Constant(I64, 0))
            with b.if_else(is_tuple) as (then, other):
                with then:
                    n = b.load(b.gep(typ, [ir.Constant(I64, VAR_SIZE)], source_etype=ir.IntType(8)), typ=I64)
                    i_slot = b.alloca(I64)
                    b.store(ir.Constant(I64, 0), i_slot)
                    top, loop = f.append_basic_block("top"), f.append_basic_block("loop")
                    b.branch(top)
                    b.position_at_end(top)
                    i = b.load(i_slot, typ=I64)
                    b.cbranch(b.icmp_signed("<", i, n), loop, ok)
                    b.position_at_end(loop)
                    items = b.gep(typ, [ir.Constant(I64, TUPLE_ITEMS)], source_etype=ir.IntType(8))
                    item = b.load(b.gep(items, [i], source_etype=PTR), typ=PTR)
                    b.store(b.add(i, ir.Constant(I64, 1)), i_slot)
                    b.cbranch(self._is_exc_class(b, item), top, bad)
                    b.position_at_end(f.append_basic_block("dead"))
                with other:
                    b.cbranch(self._is_exc_class(b, typ), ok, bad)
                    b.position_at_end(f.append_basic_block("dead"))
            b.unreachable()
            b.position_at_end(bad)
            b.call(capi.fn("PyErr_SetString"), [b.load(capi.exc("TypeError"), typ=PTR),
                                                ml.cstr("catching classes that do not inherit from BaseException is not allowed")])
            b.ret(ir.Constant(I32, -1))
            b.position_at_end(ok)
            b.ret(b.call(self.c_fn("PyErr_GivenExceptionMatches", I32, [PTR, PTR]), [exc, typ]))

        return self._helper("pmo.rt.exc_match", I32, [PTR, PTR], body)

    def reraise_fn(self) -> ir.Function:
        """pmo.reraise(exc) -> -1: CPython's RERAISE, the exception set again with its own traceback
        (no new entry)."""

        def body(b: ir.IRBuilder, f: ir.Function) -> None:
            (exc,) = f.args
            typ = self._type(b, exc)
            b.call(self.c_fn("Py_IncRef", VOID, [PTR]), [typ])
            b.call(self.c_fn("Py_IncRef", VOID, [PTR]), [exc])
            tb = b.call(self.c_fn("PyException_GetTraceback", PTR, [PTR]), [exc])
            b.call(self.c_fn("PyErr_Restore", VOID, [PTR, PTR, PTR]), [typ, exc, tb])
            b.ret(ir.Constant(I32, -1))

        return self._helper("pmo.rt.reraise", I32, [PTR], body)

    def special_fn(self, name: str) -> ir.Function:
        """pmo.special.<name>(mgr) -> mgr's `name` looked up on its type and bound (a new reference), or
        NULL with CPython 3.11's TypeError for a `with` (BEFORE_WITH)."""
        ml, capi = self.ml, self.ml.capi
        missing = " (missed __exit__ method)" if name == "__exit__" else ""
        text = f"'%.200s' object does not support the context manager protocol{missing}"

        def body(b: ir.IRBuilder, f: ir.Function) -> None:
            (mgr,) = f.args
            key = b.load(self.constant(name), typ=PTR)
            found = b.call(self.c_fn("_PyObject_LookupSpecial", PTR, [PTR, PTR]), [mgr, key])
            with b.if_then(b.icmp_unsigned("==", found, NULL), likely=False):
                with b.if_then(b.icmp_unsigned("==", b.call(capi.fn("PyErr_Occurred"), []), NULL)):
                    typ = self._type(b, mgr)
                    tname = b.load(b.gep(typ, [ir.Constant(I64, TP_NAME)], source_etype=ir.IntType(8)), typ=PTR)
                    b.call(capi.fn("PyErr_Format"), [b.load(capi.exc("TypeError"), typ=PTR), ml.cstr(text), tname])
            b.ret(found)

        return self._helper(f"pmo.rt.special.{name}", PTR, [PTR], body)

    def _exc_info(self, b: ir.IRBuilder) -> ir.Value:
        """&tstate->exc_info->exc_value: the handled exception of the running frame's stack item (a
        generator's own while it runs), as ceval's PUSH_EXC_INFO and POP_EXCEPT read and write it."""
        tstate = b.call(self.c_fn("PyThreadState_Get", PTR, []), [])
        item = b.load(b.gep(tstate, [ir.Constant(I64, TSTATE_EXC_INFO)], source_etype=ir.IntType(8)), typ=PTR)
        return item  # exc_value is the item's first field

    def get_handled_fn(self) -> ir.Function:
        """pmo.get_handled() -> the stack item's handled exception as it is (a new reference, or NULL)."""

        def body(b: ir.IRBuilder, f: ir.Function) -> None:
            value = b.load(self._exc_info(b), typ=PTR)
            with b.if_then(b.icmp_unsigned("!=", value, NULL)):
                b.call(self.c_fn("Py_IncRef", VOID, [PTR]), [value])
            b.ret(value)

        return self._helper("pmo.rt.get_handled", PTR, [], body)

    def set_handled_fn(self) -> ir.Function:
        """pmo.set_handled(exc or NULL): the stack item's handled exception replaced (the old one released)."""

        def body(b: ir.IRBuilder, f: ir.Function) -> None:
            (exc,) = f.args
            slot = self._exc_info(b)
            old = b.load(slot, typ=PTR)
            with b.if_then(b.icmp_unsigned("!=", exc, NULL)):
                b.call(self.c_fn("Py_IncRef", VOID, [PTR]), [exc])
            b.store(exc, slot)
            b.call(self.c_fn("Py_DecRef", VOID, [PTR]), [old])
            b.ret_void()

        return self._helper("pmo.rt.set_handled", VOID, [PTR], body)
