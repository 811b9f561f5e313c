"""Runtime helpers of the object tier for `*`/`**` unpacking (calls and displays) and `import` in a fn.

Each is CPython 3.11's bytecode made a small function, with ceval's own error messages:
CALL_FUNCTION_EX's argument tuple (check_args_iterable), LIST_EXTEND, DICT_MERGE (format_kwargs_error),
DICT_UPDATE, and IMPORT_NAME / IMPORT_FROM (import_from, its sys.modules fallback included).
"""

from __future__ import annotations

from collections.abc import Callable

from llvmlite import ir  # type: ignore[import-untyped]

from pymigrate.codegen.capi import I32, I64, PTR, TP_NAME
from pymigrate.codegen.tir.runtime import NULL, TP_ITER, TUPLE_SUBCLASS, ObjectRuntime

UNICODE_SUBCLASS = 1 << 28


def _tp_name(rt: ObjectRuntime, b: ir.IRBuilder, obj: ir.Value) -> ir.Value:
    typ = rt._type(b, obj)
    return b.load(b.gep(typ, [ir.Constant(I64, TP_NAME)], source_etype=ir.IntType(8)), typ=PTR)


def _not_iterable(rt: ObjectRuntime, b: ir.IRBuilder, obj: ir.Value) -> ir.Value:
    """No tp_iter and not a sequence: what ceval tests before rewording a TypeError about `*`."""
    typ = rt._type(b, obj)
    no_iter = b.icmp_unsigned("==", b.load(b.gep(typ, [ir.Constant(I64, TP_ITER)], source_etype=ir.IntType(8)), typ=PTR), NULL)
    seq = b.call(rt.c_fn("PySequence_Check", I32, [PTR]), [obj])
    return b.and_(no_iter, b.icmp_signed("==", seq, ir.Constant(I32, 0)))


def _is_str(rt: ObjectRuntime, b: ir.IRBuilder, obj: ir.Value) -> ir.Value:
    """PyUnicode_Check: the type's Py_TPFLAGS_UNICODE_SUBCLASS bit."""
    flags = rt._flags(b, rt._type(b, obj))
    return b.icmp_unsigned("!=", b.and_(flags, ir.Constant(I64, UNICODE_SUBCLASS)), ir.Constant(I64, 0))


def _format_with_func(rt: ObjectRuntime, b: ir.IRBuilder, func: ir.Value, text: str, arg: ir.Value) -> None:
    """PyErr_Format(TypeError, text, _PyObject_FunctionStr(func), arg), the error cleared first."""
    capi = rt.ml.capi
    b.call(capi.fn("PyErr_Clear"), [])
    funcstr = b.call(rt.c_fn("_PyObject_FunctionStr", PTR, [PTR]), [func])
    with b.if_then(b.icmp_unsigned("!=", funcstr, NULL)):
        b.call(capi.fn("PyErr_Format"), [b.load(capi.exc("TypeError"), typ=PTR), rt.ml.cstr(text), funcstr, arg])
        b.call(capi.fn("Py_DecRef"), [funcstr])


def star_tuple_fn(rt: ObjectRuntime) -> ir.Function:
    """pmo.star_tuple(func, args) -> a tuple (new reference): CALL_FUNCTION_EX's positional arguments when
    the call is `f(*args)` alone: a tuple as it is, else PySequence_Tuple after check_args_iterable."""

    def body(b: ir.IRBuilder, f: ir.Function) -> None:
        func, args = f.args
        exact = b.icmp_unsigned("==", rt._type(b, args), rt.ml.capi.obj("PyTuple_Type"))
        with b.if_then(exact, likely=True):
            b.call(rt.ml.capi.fn("Py_IncRef"), [args])
            b.ret(args)
        with b.if_then(_not_iterable(rt, b, args), likely=False):
            _format_with_func(rt, b, func, "%U argument after * must be an iterable, not %.200s", _tp_name(rt, b, args))
            b.ret(NULL)
        b.ret(b.call(rt.c_fn("PySequence_Tuple", PTR, [PTR]), [args]))

    return rt._helper("pmo.rt.star_tuple", PTR, [PTR, PTR], body)


def list_extend_fn(rt: ObjectRuntime) -> ir.Function:
    """pmo.list_extend(list, iterable) -> 0 or -1: LIST_EXTEND (`*x` among a call's arguments or in a
    list or tuple display), its TypeError reworded as ceval does."""
    capi = rt.ml.capi

    def body(b: ir.IRBuilder, f: ir.Function) -> None:
        lst, it = f.args
        none = b.call(rt.c_fn("_PyList_Extend", PTR, [PTR, PTR]), [lst, it])
        with b.if_then(b.icmp_unsigned("!=", none, NULL), likely=True):
            b.call(capi.fn("Py_DecRef"), [none])
            b.ret(ir.Constant(I32, 0))
        matches = b.call(rt.c_fn("PyErr_ExceptionMatches", I32, [PTR]), [b.load(capi.exc("TypeError"), typ=PTR)])
        with b.if_then(b.and_(b.icmp_signed("!=", matches, ir.Constant(I32, 0)), _not_iterable(rt, b, it))):
            b.call(capi.fn("PyErr_Clear"), [])
            b.call(capi.fn("PyErr_Format"), [b.load(capi.exc("TypeError"), typ=PTR),
                                             rt.ml.cstr("Value after * must be an iterable, not %.200s"), _tp_name(rt, b, it)])
        b.ret(ir.Constant(I32, -1))

    return rt._helper("pmo.rt.list_extend", I32, [PTR, PTR], body)


def dict_merge_fn(rt: ObjectRuntime) -> ir.Function:
    """pmo.dict_merge(func, dict, update) -> 0 or -1: DICT_MERGE (`**x` or keywords joining a call's
    keyword dict): _PyDict_MergeEx refusing a key twice, then ceval's format_kwargs_error."""
    capi = rt.ml.capi

    def body(b: ir.IRBuilder, f: ir.Function) -> None:
        func, d, update = f.args
        r = b.call(rt.c_fn("_PyDict_MergeEx", I32, [PTR, PTR, I32]), [d, update, ir.Constant(I32, 2)])
        with b.if_then(b.icmp_signed(">=", r, ir.Constant(I32, 0)), likely=True):
            b.ret(ir.Constant(I32, 0))
        matches = rt.c_fn("PyErr_ExceptionMatches", I32, [PTR])
        attr = b.call(matches, [b.load(capi.exc("AttributeError"), typ=PTR)])
        with b.if_then(b.icmp_signed("!=", attr, ir.Constant(I32, 0))):
            _format_with_func(rt, b, func, "%U argument after ** must be a mapping, not %.200s", _tp_name(rt, b, update))
            b.ret(ir.Constant(I32, -1))
        key = b.call(matches, [b.load(capi.exc("KeyError"), typ=PTR)])
        with b.if_then(b.icmp_signed("!=", key, ir.Constant(I32, 0))):
            slots = [b.alloca(PTR) for _ in range(3)]
            b.call(capi.fn("PyErr_Fetch"), slots)
            val = b.load(slots[1], typ=PTR)
            is_tuple = b.alloca(ir.IntType(1))
            b.store(ir.Constant(ir.IntType(1), 0), is_tuple)
            with b.if_then(b.icmp_unsigned("!=", val, NULL)):
                flags = rt._flags(b, rt._type(b, val))
                tup = b.icmp_unsigned("!=", b.and_(flags, ir.Constant(I64, TUPLE_SUBCLASS)), ir.Constant(I64, 0))
                with b.if_then(tup):
                    size = b.call(rt.c_fn("PyTuple_Size", I64, [PTR]), [val])
                    b.store(b.icmp_signed("==", size, ir.Constant(I64, 1)), is_tuple)
            with b.if_then(b.load(is_tuple, typ=ir.IntType(1))):
                item = b.call(rt.c_fn("PyTuple_GetItem", PTR, [PTR, I64]), [val, ir.Constant(I64, 0)])
                _format_with_func(rt, b, func, "%U got multiple values for keyword argument '%S'", item)
                for s in slots:
                    b.call(capi.fn("Py_DecRef"), [b.load(s, typ=PTR)])
                b.ret(ir.Constant(I32, -1))
            b.call(capi.fn("PyErr_Restore"), [b.load(s, typ=PTR) for s in slots])
        b.ret(ir.Constant(I32, -1))

    return rt._helper("pmo.rt.dict_merge", I32, [PTR, PTR, PTR], body)


def dict_update_fn(rt: ObjectRuntime) -> ir.Function:
    """pmo.dict_update(dict, update) -> 0 or -1: DICT_UPDATE (`**x` in a dict display)."""
    capi = rt.ml.capi

    def body(b: ir.IRBuilder, f: ir.Function) -> None:
        d, update = f.args
        r = b.call(rt.c_fn("PyDict_Update", I32, [PTR, PTR]), [d, update])
        with b.if_then(b.icmp_signed(">=", r, ir.Constant(I32, 0)), likely=True):
            b.ret(ir.Constant(I32, 0))
        attr = b.call(rt.c_fn("PyErr_ExceptionMatches", I32, [PTR]), [b.load(capi.exc("AttributeError"), typ=PTR)])
        with b.if_then(b.icmp_signed("!=", attr, ir.Constant(I32, 0))):
            b.call(capi.fn("PyErr_Format"), [b.load(capi.exc("TypeError"), typ=PTR),
                                             rt.ml.cstr("'%.200s' object is not a mapping"), _tp_name(rt, b, update)])
        b.ret(ir.Constant(I32, -1))

    return rt._helper("pmo.rt.dict_update", I32, [PTR, PTR], body)


HELPERS: dict[str, Callable[[ObjectRuntime], ir.Function]] = {
    "star_tuple": star_tuple_fn, "list_extend": list_extend_fn, "dict_merge": dict_merge_fn,
    "dict_update": dict_update_fn,
}  # fmt: skip


def import_name_fn(rt: ObjectRuntime) -> ir.Function:
    """pmo.import_name(name, fromlist, level) -> the module (new reference): IMPORT_NAME, which calls the
    builtins' `__import__` (name, the module's globals, None for a fn's locals, fromlist, level)."""
    capi = rt.ml.capi

    def body(b: ir.IRBuilder, f: ir.Function) -> None:
        name, fromlist, level = f.args
        key = b.load(rt.constant("__import__"), typ=PTR)
        found = b.call(rt.c_fn("PyDict_GetItemWithError", PTR, [PTR, PTR]), [b.load(rt.builtins_dict, typ=PTR), key])
        with b.if_then(b.icmp_unsigned("==", found, NULL), likely=False):
            with b.if_then(b.icmp_unsigned("==", b.call(capi.fn("PyErr_Occurred"), []), NULL)):
                b.call(capi.fn("PyErr_SetString"), [b.load(capi.exc("ImportError"), typ=PTR), rt.ml.cstr("__import__ not found")])
            b.ret(NULL)
        arr = b.alloca(ir.ArrayType(PTR, 5))
        for i, v in enumerate((name, b.load(rt.globals_dict, typ=PTR), capi.obj("_Py_NoneStruct"), fromlist, level)):
            b.store(v, b.gep(arr, [ir.Constant(I32, 0), ir.Constant(I32, i)]))
        b.call(capi.fn("Py_IncRef"), [found])
        first = b.gep(arr, [ir.Constant(I32, 0), ir.Constant(I32, 0)])
        result = b.call(rt.c_fn("PyObject_Vectorcall", PTR, [PTR, PTR, I64, PTR]), [found, first, ir.Constant(I64, 5), NULL])
        b.call(capi.fn("Py_DecRef"), [found])
        b.ret(result)

    return rt._helper("pmo.rt.import_name", PTR, [PTR, PTR, PTR], body)


def import_from_fn(rt: ObjectRuntime) -> ir.Function:
    """pmo.import_from(module, name) -> the attribute (new reference): IMPORT_FROM (ceval's import_from):
    the attribute, else the submodule `<module.__name__>.<name>` in sys.modules (a circular import),
    else CPython's ImportError with its name and path."""
    capi = rt.ml.capi

    def body(b: ir.IRBuilder, f: ir.Function) -> None:
        v, name = f.args
        slot = b.alloca(PTR)
        b.store(NULL, slot)
        r = b.call(rt.c_fn("_PyObject_LookupAttr", I32, [PTR, PTR, PTR]), [v, name, slot])
        with b.if_then(b.icmp_signed("!=", r, ir.Constant(I32, 0)), likely=True):
            b.ret(b.load(slot, typ=PTR))
        error = f.append_basic_block("error")
        pkg = b.alloca(PTR)
        b.store(NULL, pkg)
        pkgname = b.call(rt.c_fn("PyObject_GetAttr", PTR, [PTR, PTR]), [v, b.load(rt.constant("__name__"), typ=PTR)])
        b.store(pkgname, pkg)
        with b.if_then(b.icmp_unsigned("==", pkgname, NULL)):
            b.branch(error)
            b.position_at_end(f.append_basic_block("dead"))
        with b.if_then(b.not_(_is_str(rt, b, pkgname))):
            b.call(capi.fn("Py_DecRef"), [pkgname])
            b.store(NULL, pkg)
            b.branch(error)
            b.position_at_end(f.append_basic_block("dead"))
        full = b.call(rt.c_fn("PyUnicode_FromFormat", PTR, [PTR], var_arg=True), [rt.ml.cstr("%U.%U"), pkgname, name])
        with b.if_then(b.icmp_unsigned("==", full, NULL)):
            b.call(capi.fn("Py_DecRef"), [pkgname])
            b.ret(NULL)
        x = b.call(rt.c_fn("PyImport_GetModule", PTR, [PTR]), [full])
        b.call(capi.fn("Py_DecRef"), [full])
        missing = b.and_(b.icmp_unsigned("==", x, NULL), b.icmp_unsigned("==", b.call(capi.fn("PyErr_Occurred"), []), NULL))
        with b.if_then(missing):
            b.branch(error)
            b.position_at_end(f.append_basic_block("dead"))
        b.call(capi.fn("Py_DecRef"), [pkgname])
        b.ret(x)
        b.position_at_end(error)
        path = b.call(rt.c_fn("PyModule_GetFilenameObject", PTR, [PTR]), [v])
        pkgname = b.load(pkg, typ=PTR)
        shown = b.alloca(PTR)
        b.store(pkgname, shown)
        with b.if_then(b.icmp_unsigned("==", pkgname, NULL)):
            unknown = b.call(rt.c_fn("PyUnicode_FromString", PTR, [PTR]), [rt.ml.cstr("<unknown module name>")])
            with b.if_then(b.icmp_unsigned("==", unknown, NULL)):
                b.call(capi.fn("Py_DecRef"), [path])
                b.ret(NULL)
            b.store(unknown, shown)
        pkgname_or_unknown = b.load(shown, typ=PTR)
        fmt = rt.c_fn("PyUnicode_FromFormat", PTR, [PTR], var_arg=True)
        set_error = rt.c_fn("PyErr_SetImportError", PTR, [PTR, PTR, PTR])
        msg = b.alloca(PTR)
        no_path = b.icmp_unsigned("==", path, NULL)
        not_str = b.alloca(ir.IntType(1))
        b.store(no_path, not_str)
        with b.if_then(b.not_(no_path)):
            b.store(b.not_(_is_str(rt, b, path)), not_str)
        with b.if_else(b.load(not_str, typ=ir.IntType(1))) as (unknown_loc, located):
            with unknown_loc:
                b.call(capi.fn("PyErr_Clear"), [])
                b.store(b.call(fmt, [rt.ml.cstr("cannot import name %R from %R (unknown location)"), name,
                                     pkgname_or_unknown]), msg)
                b.call(set_error, [b.load(msg, typ=PTR), pkgname, NULL])
            with located:
                spec = b.call(rt.c_fn("PyObject_GetAttr", PTR, [PTR, PTR]), [v, b.load(rt.constant("__spec__"), typ=PTR)])
                init = b.call(rt.c_fn("_PyModuleSpec_IsInitializing", I32, [PTR]), [spec])
                b.call(capi.fn("Py_DecRef"), [spec])
                circular = ("cannot import name %R from partially initialized module %R "
                            "(most likely due to a circular import) (%S)")
                with b.if_else(b.icmp_signed("!=", init, ir.Constant(I32, 0))) as (partial, whole):
                    for branch, text in ((partial, circular), (whole, "cannot import name %R from %R (%S)")):
                        with branch:
                            b.store(b.call(fmt, [rt.ml.cstr(text), name, pkgname_or_unknown, path]), msg)
                b.call(set_error, [b.load(msg, typ=PTR), pkgname, path])
        b.call(capi.fn("Py_DecRef"), [b.load(msg, typ=PTR)])
        b.call(capi.fn("Py_DecRef"), [pkgname_or_unknown])
        b.call(capi.fn("Py_DecRef"), [path])
        b.ret(NULL)

    return rt._helper("pmo.rt.import_from", PTR, [PTR, PTR], body)


HELPERS.update({"import_name": import_name_fn, "import_from": import_from_fn})


def make_function_fn(rt: ObjectRuntime) -> ir.Function:
    """pmo.make_function(codes, index, closure, defaults, kwdefaults, annotations) -> a new function:
    MAKE_FUNCTION of the index-th registered code object of the fn (tir/closures.py) with the module's
    globals; each of the other parts NULL when the function has none."""
    capi = rt.ml.capi

    def body(b: ir.IRBuilder, f: ir.Function) -> None:
        codes, index, closure, defaults, kwdefaults, annotations = f.args
        with b.if_then(b.icmp_unsigned("==", codes, NULL), likely=False):
            rt.ml.set_error(b, "SystemError", "the code objects of a compiled fn's nested functions are not registered")
            b.ret(NULL)
        code = b.call(rt.c_fn("PyTuple_GetItem", PTR, [PTR, I64]), [codes, index])
        func = b.call(rt.c_fn("PyFunction_New", PTR, [PTR, PTR]), [code, b.load(rt.globals_dict, typ=PTR)])
        with b.if_then(b.icmp_unsigned("==", func, NULL), likely=False):
            b.ret(NULL)
        for setter, part in (("PyFunction_SetClosure", closure), ("PyFunction_SetDefaults", defaults),
                             ("PyFunction_SetKwDefaults", kwdefaults), ("PyFunction_SetAnnotations", annotations)):
            with b.if_then(b.icmp_unsigned("!=", part, NULL)):
                r = b.call(rt.c_fn(setter, I32, [PTR, PTR]), [func, part])
                with b.if_then(b.icmp_signed("<", r, ir.Constant(I32, 0)), likely=False):
                    b.call(capi.fn("Py_DecRef"), [func])
                    b.ret(NULL)
        b.ret(func)

    return rt._helper("pmo.rt.make_function", PTR, [PTR, I64, PTR, PTR, PTR, PTR], body)
