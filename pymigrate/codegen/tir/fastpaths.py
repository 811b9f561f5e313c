"""Fast paths of the object tier's C API calls, guarded by exact type checks as CPython 3.11's
specializing interpreter guards its own (BINARY_OP_ADD_INT, COMPARE_OP_INT, FOR_ITER over a
list, BINARY_SUBSCR_LIST_INT...): each helper does the work inline when every operand is exactly
the builtin class it knows (an exact `int` of at most one 30-bit digit, an exact list or tuple, a
list or tuple iterator, True/False/None) and otherwise calls the C API function it replaces, so a
subclass, a big int or an object with its own methods takes CPython's generic path unchanged.

The helpers return what the replaced function returns (a new reference, NULL or -1 with an
exception set), so the specialize pass (passes/specialize.py) swaps names without touching
ownership or error handling. Layouts are CPython 3.11's (release build): a long's ob_size at 16 and
first 30-bit digit at 24 (a zero still has one digit), a list's item array pointer at 24, a tuple's
items inline at 24, a list/tuple iterator's index at 16 and sequence at 24.
"""

from __future__ import annotations

from typing import Callable

from llvmlite import ir  # type: ignore[import-untyped]

from pymigrate.codegen.capi import F64, FLOAT_VALUE, I32, I64, LIST_ITEMS, OB_TYPE, PTR, TUPLE_ITEMS, VAR_SIZE
from pymigrate.codegen.tir.runtime import ObjectRuntime

I1 = ir.IntType(1)
LONG_DIGIT = 24
ITER_INDEX = 16
ITER_SEQ = 24
PY_EQ, PY_NE = 2, 3

# replaced C API function -> (helper name, arguments)
INT_BINARY = {
    "PyNumber_Add": "add", "PyNumber_InPlaceAdd": "add", "PyNumber_Subtract": "sub",
    "PyNumber_InPlaceSubtract": "sub", "PyNumber_Multiply": "mul", "PyNumber_InPlaceMultiply": "mul",
    "PyNumber_Remainder": "mod", "PyNumber_InPlaceRemainder": "mod", "PyNumber_FloorDivide": "floordiv",
    "PyNumber_InPlaceFloorDivide": "floordiv", "PyNumber_TrueDivide": "truediv",
    "PyNumber_InPlaceTrueDivide": "truediv",
}  # fmt: skip
FAST = {name: f"pmo.fast.{op}.{name}" for name, op in INT_BINARY.items()} | {
    "PyObject_RichCompare": "pmo.fast.richcompare",
    "PyObject_IsTrue": "pmo.fast.istrue",
    "PyIter_Next": "pmo.fast.iternext",
    "PyObject_GetItem": "pmo.fast.getitem",
    "PyTuple_GetItem": "pmo.fast.tuple_item",
    "PyObject_Format": "pmo.fast.format",
    "PyTuple_SetItem": "pmo.fast.tuple_setitem",
    "PyList_SetItem": "pmo.fast.list_setitem",
    "PyUnicode_Join": "pmo.fast.join",
    "PySequence_Contains": "pmo.fast.contains",
    "PyObject_SetItem": "pmo.fast.setitem",
}

# (method name, number of arguments): calls made directly when the receiver is exactly the class
# (a builtin static type: its methods cannot be replaced and its instances have no __dict__)
METHODS = {("append", 1): ("PyList_Type", "pmo.fast.list_append")}
# (global name, number of arguments): calls made directly when the callee is the builtin itself
BUILTIN_CALLS = {("len", 1): "pmo.fast.len", ("isinstance", 2): "pmo.fast.isinstance"}


def _field(b: ir.IRBuilder, obj: ir.Value, offset: int, typ: ir.Type) -> ir.Value:
    return b.load(b.gep(obj, [ir.Constant(I64, offset)], source_etype=ir.IntType(8)), typ=typ)


def _is(b: ir.IRBuilder, obj: ir.Value, typ: ir.Value) -> ir.Value:
    return b.icmp_unsigned("==", _field(b, obj, OB_TYPE, PTR), typ)


class FastPaths:
    """The helpers of one LLVM module, made on first use and kept by name in the module's helpers
    (always inlined: the guard and the fast path sit in the fn, the generic call stays a call)."""

    def __init__(self, rt: ObjectRuntime) -> None:
        self.rt = rt
        self.capi = rt.ml.capi

    def fn(self, name: str) -> ir.Function:
        base = name.split(".")[-1]
        if name.startswith("pmo.fast.") and base in INT_BINARY:
            op = name.split(".")[2]
            return self._helper(name, PTR, [PTR, PTR], lambda b, f: self._int_binary(b, f, op, base))
        if name.startswith("pmo.fast.join_parts."):
            n = int(base)
            return self._helper(name, PTR, [PTR] * (n + 1), self._join_parts)
        makers: dict[str, tuple[ir.Type, list[ir.Type], Callable[[ir.IRBuilder, ir.Function], None]]] = {
            "pmo.fast.richcompare": (PTR, [PTR, PTR, I32], self._richcompare),
            "pmo.fast.istrue": (I32, [PTR], self._istrue),
            "pmo.fast.iternext": (PTR, [PTR], self._iternext),
            "pmo.fast.getitem": (PTR, [PTR, PTR], self._getitem),
            "pmo.fast.tuple_item": (PTR, [PTR, I64], self._tuple_item),
            "pmo.fast.format": (PTR, [PTR, PTR], self._format),
            "pmo.fast.tuple_setitem": (I32, [PTR, I64, PTR], lambda b, f: self._setitem(b, f, "PyTuple")),
            "pmo.fast.list_setitem": (I32, [PTR, I64, PTR], lambda b, f: self._setitem(b, f, "PyList")),
            "pmo.fast.join": (PTR, [PTR, PTR], self._join),
            "pmo.fast.list_append": (PTR, [PTR, PTR], self._list_append),
            "pmo.fast.contains": (I32, [PTR, PTR], self._contains),
            "pmo.fast.len": (PTR, [PTR], self._len),
            "pmo.fast.isinstance": (PTR, [PTR, PTR], self._isinstance),
            "pmo.fast.setitem": (I32, [PTR, PTR, PTR], self._dict_setitem),
        }
        ret, args, body = makers[name]
        return self._helper(name, ret, args, body)

    def _helper(self, name: str, ret: ir.Type, args: list[ir.Type],
                body: Callable[[ir.IRBuilder, ir.Function], None]) -> ir.Function:
        f = self.rt.ml.helper(name, ret, args, body)
        f.attributes.add("alwaysinline")
        return f

    def _refcount(self) -> tuple[ir.Function, ir.Function]:
        from pymigrate.codegen.tir.emit import refcount_fns  # the emitter's inline Py_INCREF/Py_DECREF

        return refcount_fns(self.rt.ml)

    def _new_ref(self, b: ir.IRBuilder, obj: ir.Value) -> None:
        b.call(self._refcount()[0], [obj])

    def _generic(self, b: ir.IRBuilder, name: str, ret: ir.Type, f: ir.Function) -> None:
        b.ret(b.call(self.rt.c_fn(name, ret, [a.type for a in f.args]), list(f.args)))

    def _compact(self, b: ir.IRBuilder, obj: ir.Value) -> tuple[ir.Value, ir.Value]:
        """(obj is an exact int of at most one digit, its value): CPython's _PyLong_IsCompact/medium_value."""
        size = _field(b, obj, VAR_SIZE, I64)
        small = b.icmp_unsigned("<=", b.add(size, ir.Constant(I64, 1)), ir.Constant(I64, 2))
        exact = _is(b, obj, self.capi.obj("PyLong_Type"))
        digit = b.zext(_field(b, obj, LONG_DIGIT, I32), I64)
        return b.and_(exact, small), b.mul(size, digit)

    def _both_compact(self, b: ir.IRBuilder, f: ir.Function) -> tuple[ir.Value, ir.Value, ir.Value]:
        a, c = f.args[0], f.args[1]
        ok_a, va = self._compact(b, a)
        ok_c, vc = self._compact(b, c)
        return b.and_(ok_a, ok_c), va, vc

    def _double(self, b: ir.IRBuilder, obj: ir.Value) -> tuple[ir.Value, ir.Value, ir.Value]:
        """(obj is an exact float or a compact exact int, it is a float, its value as a double: exact,
        as float's own operators convert such an int)."""
        is_float = _is(b, obj, self.capi.obj("PyFloat_Type"))
        compact, value = self._compact(b, obj)
        with b.if_else(is_float) as (then, other):  # a float's value read only from a float
            with then:
                from_float, float_bb = _field(b, obj, FLOAT_VALUE, F64), b.block
            with other:
                from_int, int_bb = b.sitofp(value, F64), b.block
        as_double = b.phi(F64)
        as_double.add_incoming(from_float, float_bb)
        as_double.add_incoming(from_int, int_bb)
        return b.or_(is_float, compact), is_float, as_double

    def _float_binary(self, b: ir.IRBuilder, f: ir.Function, op: str) -> None:
        """An exact float with an exact float or compact int (BINARY_OP_ADD_FLOAT...), or two compact
        ints divided (long_true_divide divides such ints as doubles): the IEEE result as a new float;
        a zero divisor goes CPython's way (its ZeroDivisionError)."""
        ok_a, float_a, x = self._double(b, f.args[0])
        ok_b, float_b, y = self._double(b, f.args[1])
        ok = b.and_(ok_a, ok_b)
        if op == "truediv":
            ok = b.and_(ok, b.fcmp_ordered("!=", y, ir.Constant(F64, 0.0)))
        else:
            ok = b.and_(ok, b.or_(float_a, float_b))
        with b.if_then(ok, likely=True):
            r = {"add": b.fadd, "sub": b.fsub, "mul": b.fmul, "truediv": b.fdiv}[op](x, y)
            b.ret(b.call(self.capi.fn("PyFloat_FromDouble"), [r]))

    def _int_binary(self, b: ir.IRBuilder, f: ir.Function, op: str, generic: str) -> None:
        """int op int on two compact exact ints: the exact result (at most 61 bits) as a new int; + - *
        with a float and / of floats or compact ints: the result as a new float (_float_binary)."""
        if op != "truediv":
            ok, x, y = self._both_compact(b, f)
            if op in ("mod", "floordiv"):  # a zero divisor raises: CPython's path
                ok = b.and_(ok, b.icmp_signed("!=", y, ir.Constant(I64, 0)))
            with b.if_then(ok, likely=True):
                b.ret(b.call(self.capi.fn("PyLong_FromLongLong"), [self._int_result(b, op, x, y)]))
        if op in ("add", "sub", "mul", "truediv"):
            self._float_binary(b, f, op)
        self._generic(b, generic, PTR, f)

    @staticmethod
    def _int_result(b: ir.IRBuilder, op: str, x: ir.Value, y: ir.Value) -> ir.Value:
        if op == "add":
            return b.add(x, y)
        if op == "sub":
            return b.sub(x, y)
        if op == "mul":
            return b.mul(x, y)
        # Python's floor division and modulo: the remainder takes the divisor's sign
        q, m = b.sdiv(x, y), b.srem(x, y)
        adjust = b.and_(b.icmp_signed("!=", m, ir.Constant(I64, 0)),
                        b.icmp_signed("<", b.xor(m, y), ir.Constant(I64, 0)))
        if op == "mod":
            return b.select(adjust, b.add(m, y), m)
        return b.select(adjust, b.sub(q, ir.Constant(I64, 1)), q)

    def _richcompare(self, b: ir.IRBuilder, f: ir.Function) -> None:
        """Two compact exact ints: True or False (a new reference) without a call (COMPARE_OP_INT); an
        exact float with a float or compact int as doubles (COMPARE_OP_FLOAT_JUMP); two exact strs
        compared for (in)equality by their contents (COMPARE_OP_STR_JUMP)."""
        fast, slow = f.append_basic_block("fast"), f.append_basic_block("generic")
        ok, x, y = self._both_compact(b, f)
        b.cbranch(ok, fast, slow)
        b.position_at_end(fast)
        self._ret_bool(b, self._pick(b, f.args[2], [b.icmp_signed(p, x, y) for p in ("<", "<=", "==", "!=", ">", ">=")]))
        b.position_at_end(slow)
        left, right, op = f.args
        strs = b.and_(_is(b, left, self.capi.obj("PyUnicode_Type")), _is(b, right, self.capi.obj("PyUnicode_Type")))
        equality = b.or_(b.icmp_signed("==", op, ir.Constant(I32, PY_EQ)), b.icmp_signed("==", op, ir.Constant(I32, PY_NE)))
        with b.if_then(b.and_(strs, equality), likely=True):  # COMPARE_OP_STR_JUMP: no __eq__ to call
            same = b.icmp_signed("!=", b.call(self.rt.c_fn("_PyUnicode_EQ", I32, [PTR, PTR]), [left, right]), ir.Constant(I32, 0))
            self._ret_bool(b, b.xor(same, b.icmp_signed("==", op, ir.Constant(I32, PY_NE))))
        ok_l, float_l, x_f = self._double(b, left)
        ok_r, float_r, y_f = self._double(b, right)
        with b.if_then(b.and_(b.and_(ok_l, ok_r), b.or_(float_l, float_r)), likely=True):  # COMPARE_OP_FLOAT
            # a NaN is unordered: only != holds, as float_richcompare says
            floats = [b.fcmp_ordered(p, x_f, y_f) for p in ("<", "<=", "==")] + [b.fcmp_unordered("!=", x_f, y_f)] \
                + [b.fcmp_ordered(p, x_f, y_f) for p in (">", ">=")]
            self._ret_bool(b, self._pick(b, op, floats))
        self._generic(b, "PyObject_RichCompare", PTR, f)

    @staticmethod
    def _pick(b: ir.IRBuilder, op: ir.Value, cases: list[ir.Value]) -> ir.Value:
        """The case of the comparison op (Py_LT..Py_GE, 0..5)."""
        result = cases[0]
        for k in range(1, 6):
            result = b.select(b.icmp_signed("==", op, ir.Constant(I32, k)), cases[k], result)
        return result

    def _ret_bool(self, b: ir.IRBuilder, result: ir.Value) -> None:
        obj = b.select(result, self.capi.obj("_Py_TrueStruct"), self.capi.obj("_Py_FalseStruct"))
        self._new_ref(b, obj)
        b.ret(obj)

    def _istrue(self, b: ir.IRBuilder, f: ir.Function) -> None:
        """True, False and None by identity, an exact int or list by its size; else PyObject_IsTrue."""
        v = f.args[0]
        for name, value in (("_Py_TrueStruct", 1), ("_Py_FalseStruct", 0), ("_Py_NoneStruct", 0)):
            with b.if_then(b.icmp_unsigned("==", v, self.capi.obj(name))):
                b.ret(ir.Constant(I32, value))
        for typ in ("PyLong_Type", "PyList_Type"):
            with b.if_then(_is(b, v, self.capi.obj(typ))):
                b.ret(b.zext(b.icmp_signed("!=", _field(b, v, VAR_SIZE, I64), ir.Constant(I64, 0)), I32))
        self._generic(b, "PyObject_IsTrue", I32, f)

    def _iternext(self, b: ir.IRBuilder, f: ir.Function) -> None:
        """A list's or tuple's own iterator: the item at its index while the index is below the
        sequence's size read now (a list grown in the loop is iterated to its new end, as CPython's
        listiter does); the end and every other iterator through PyIter_Next."""
        it = f.args[0]
        for typ, items_inline in (("PyListIter_Type", False), ("PyTupleIter_Type", True)):
            with b.if_then(_is(b, it, self.rt.static(b, typ)), likely=True):
                seq = _field(b, it, ITER_SEQ, PTR)
                with b.if_then(b.icmp_unsigned("!=", seq, ir.Constant(PTR, None)), likely=True):
                    index = _field(b, it, ITER_INDEX, I64)
                    with b.if_then(b.icmp_signed("<", index, _field(b, seq, VAR_SIZE, I64)), likely=True):
                        items = b.gep(seq, [ir.Constant(I64, TUPLE_ITEMS)], source_etype=ir.IntType(8)) \
                            if items_inline else _field(b, seq, LIST_ITEMS, PTR)
                        item = b.load(b.gep(items, [index], source_etype=PTR), typ=PTR)
                        b.store(b.add(index, ir.Constant(I64, 1)),
                                b.gep(it, [ir.Constant(I64, ITER_INDEX)], source_etype=ir.IntType(8)))
                        self._new_ref(b, item)
                        b.ret(item)
        self._generic(b, "PyIter_Next", PTR, f)

    def _getitem(self, b: ir.IRBuilder, f: ir.Function) -> None:
        """An exact list or tuple indexed by a compact exact int in range (BINARY_SUBSCR_LIST_INT,
        _TUPLE_INT: negative indices too go the generic way)."""
        obj, key = f.args
        ok, index = self._compact(b, key)
        with b.if_then(ok, likely=True):
            for typ, items_inline in (("PyList_Type", False), ("PyTuple_Type", True)):
                with b.if_then(_is(b, obj, self.capi.obj(typ))):
                    in_range = b.icmp_unsigned("<", index, _field(b, obj, VAR_SIZE, I64))
                    with b.if_then(in_range, likely=True):
                        items = b.gep(obj, [ir.Constant(I64, TUPLE_ITEMS)], source_etype=ir.IntType(8)) \
                            if items_inline else _field(b, obj, LIST_ITEMS, PTR)
                        item = b.load(b.gep(items, [index], source_etype=PTR), typ=PTR)
                        self._new_ref(b, item)
                        b.ret(item)
        with b.if_then(_is(b, obj, self.rt.static(b, "PyDict_Type")), likely=True):  # BINARY_SUBSCR_DICT
            found = b.call(self.rt.c_fn("PyDict_GetItemWithError", PTR, [PTR, PTR]), [obj, key])
            with b.if_then(b.icmp_unsigned("!=", found, ir.Constant(PTR, None)), likely=True):
                self._new_ref(b, found)
                b.ret(found)
            with b.if_then(b.icmp_unsigned("==", b.call(self.capi.fn("PyErr_Occurred"), []), ir.Constant(PTR, None))):
                b.call(self.rt.c_fn("_PyErr_SetKeyError", ir.VoidType(), [PTR]), [key])  # an exact dict has no __missing__
            b.ret(ir.Constant(PTR, None))
        self._generic(b, "PyObject_GetItem", PTR, f)

    def _contains(self, b: ir.IRBuilder, f: ir.Function) -> None:
        """`item in container` for an exact dict, or str holding an exact str: the type's own contains,
        as PySequence_Contains reaches it (a set's sq_contains retries a set item as a frozenset, which
        PySet_Contains does not: sets take the generic path)."""
        container, item = f.args
        with b.if_then(_is(b, container, self.rt.static(b, "PyDict_Type"))):
            b.ret(b.call(self.rt.c_fn("PyDict_Contains", I32, [PTR, PTR]), [container, item]))
        strs = b.and_(_is(b, container, self.capi.obj("PyUnicode_Type")), _is(b, item, self.capi.obj("PyUnicode_Type")))
        with b.if_then(strs):
            b.ret(b.call(self.rt.c_fn("PyUnicode_Contains", I32, [PTR, PTR]), [container, item]))
        self._generic(b, "PySequence_Contains", I32, f)

    def _dict_setitem(self, b: ir.IRBuilder, f: ir.Function) -> None:
        """`d[key] = value` on an exact dict: PyDict_SetItem (STORE_SUBSCR_DICT)."""
        obj, key, value = f.args
        with b.if_then(_is(b, obj, self.rt.static(b, "PyDict_Type")), likely=True):
            b.ret(b.call(self.rt.c_fn("PyDict_SetItem", I32, [PTR, PTR, PTR]), [obj, key, value]))
        self._generic(b, "PyObject_SetItem", I32, f)

    def _tuple_item(self, b: ir.IRBuilder, f: ir.Function) -> None:
        """A tuple's item at an index in range, borrowed, as PyTuple_GetItem gives it (its checks and
        errors for anything else)."""
        obj, index = f.args
        exact = _is(b, obj, self.capi.obj("PyTuple_Type"))
        with b.if_then(b.and_(exact, b.icmp_unsigned("<", index, _field(b, obj, VAR_SIZE, I64))), likely=True):
            items = b.gep(obj, [ir.Constant(I64, TUPLE_ITEMS)], source_etype=ir.IntType(8))
            b.ret(b.load(b.gep(items, [index], source_etype=PTR), typ=PTR))
        self._generic(b, "PyTuple_GetItem", PTR, f)

    def _format(self, b: ir.IRBuilder, f: ir.Function) -> None:
        """An f-string's value without a spec that is an exact str is itself (FORMAT_VALUE's own test)."""
        value, spec = f.args
        plain = b.and_(b.icmp_unsigned("==", spec, ir.Constant(PTR, None)), _is(b, value, self.capi.obj("PyUnicode_Type")))
        with b.if_then(plain, likely=True):
            self._new_ref(b, value)
            b.ret(value)
        self._generic(b, "PyObject_Format", PTR, f)

    def _join(self, b: ir.IRBuilder, f: ir.Function) -> None:
        """An f-string's parts (a tuple the builder made) joined from the tuple's item array, as
        BUILD_STRING joins the stack's (_PyUnicode_JoinArray, what PyUnicode_Join calls after
        PySequence_Fast); anything else through PyUnicode_Join."""
        sep, seq = f.args
        with b.if_then(_is(b, seq, self.capi.obj("PyTuple_Type")), likely=True):
            items = b.gep(seq, [ir.Constant(I64, TUPLE_ITEMS)], source_etype=ir.IntType(8))
            join = self.rt.c_fn("_PyUnicode_JoinArray", PTR, [PTR, PTR, I64])
            b.ret(b.call(join, [sep, items, _field(b, seq, VAR_SIZE, I64)]))
        self._generic(b, "PyUnicode_Join", PTR, f)

    def _list_append(self, b: ir.IRBuilder, f: ir.Function) -> None:
        """list.append(x) on an exact list: PyList_Append, then None (a new reference) or NULL."""
        lst, item = f.args
        failed = b.call(self.rt.c_fn("PyList_Append", I32, [PTR, PTR]), [lst, item])
        with b.if_then(b.icmp_signed("<", failed, ir.Constant(I32, 0)), likely=False):
            b.ret(ir.Constant(PTR, None))
        none = self.capi.obj("_Py_NoneStruct")
        self._new_ref(b, none)
        b.ret(none)

    def method_call(self, b: ir.IRBuilder, name: str, nargs: int, recv: ir.Value, args: list[ir.Value],
                    generic: Callable[[], ir.Value]) -> ir.Value:
        """A method call marked by the specialize pass: direct when recv is exactly its class, else
        `generic()` (the method loaded and called through vectorcall)."""
        typ, helper = METHODS[(name, nargs)]
        return self.either(b, _is(b, recv, self.capi.obj(typ)), lambda: b.call(self.fn(helper), [recv, *args]), generic)

    @staticmethod
    def either(b: ir.IRBuilder, cond: ir.Value, fast: Callable[[], ir.Value], generic: Callable[[], ir.Value]) -> ir.Value:
        """fast() when cond holds (the likely case), else generic(): the value of the one that ran."""
        with b.if_else(cond, likely=True) as (then, other):
            with then:
                fast_value, fast_bb = fast(), b.block
            with other:
                slow_value, slow_bb = generic(), b.block
        phi = b.phi(PTR)
        phi.add_incoming(fast_value, fast_bb)
        phi.add_incoming(slow_value, slow_bb)
        return phi

    def builtin_call(self, b: ir.IRBuilder, name: str, callee: ir.Value, args: list[ir.Value],
                     generic: Callable[[], ir.Value]) -> ir.Value:
        """A call of a global marked by the specialize pass: the builtin's work when the callee is the
        builtin module init found, else `generic()` (the call through vectorcall)."""
        helper = BUILTIN_CALLS[(name, len(args))]
        same = b.icmp_unsigned("==", callee, b.load(self.rt.builtin(name), typ=PTR))
        return self.either(b, same, lambda: b.call(self.fn(helper), args), generic)

    def _len(self, b: ir.IRBuilder, f: ir.Function) -> None:
        """len(obj): the size of an exact str, list, tuple or dict read where each keeps it (a str's
        length, ob_size, a dict's ma_used: all at offset 16), else PyObject_Size."""
        (obj,) = f.args
        size = b.alloca(I64)
        with b.if_else(self._one_of(b, obj, ("PyUnicode_Type", "PyList_Type", "PyTuple_Type", "PyDict_Type")),
                       likely=True) as (then, other):
            with then:
                b.store(_field(b, obj, VAR_SIZE, I64), size)
            with other:
                n = b.call(self.rt.c_fn("PyObject_Size", I64, [PTR]), [obj])
                with b.if_then(b.icmp_signed("<", n, ir.Constant(I64, 0)), likely=False):
                    b.ret(ir.Constant(PTR, None))
                b.store(n, size)
        b.ret(b.call(self.capi.fn("PyLong_FromLongLong"), [b.load(size, typ=I64)]))

    def _one_of(self, b: ir.IRBuilder, obj: ir.Value, types: tuple[str, ...]) -> ir.Value:
        typ = _field(b, obj, OB_TYPE, PTR)
        result = ir.Constant(I1, 0)
        for name in types:
            result = b.or_(result, b.icmp_unsigned("==", typ, self.rt.static(b, name)))
        return result

    def _isinstance(self, b: ir.IRBuilder, f: ir.Function) -> None:
        """isinstance(obj, cls): PyObject_IsInstance's answer as True or False, or NULL."""
        obj, cls = f.args
        r = b.call(self.capi.fn("PyObject_IsInstance"), [obj, cls])
        with b.if_then(b.icmp_signed("<", r, ir.Constant(I32, 0)), likely=False):
            b.ret(ir.Constant(PTR, None))
        self._ret_bool(b, b.icmp_signed("!=", r, ir.Constant(I32, 0)))

    def _setitem(self, b: ir.IRBuilder, f: ir.Function, kind: str) -> None:
        """PyTuple_SetItem/PyList_SetItem (they steal the item) on an exact tuple or list, the index in
        range (a new tuple also only referenced once, as PyTuple_SetItem demands): the item stored
        and the old one released; anything else through the function, its checks and errors."""
        obj, index, item = f.args
        ok = b.and_(_is(b, obj, self.capi.obj(f"{kind}_Type")), b.icmp_unsigned("<", index, _field(b, obj, VAR_SIZE, I64)))
        if kind == "PyTuple":
            ok = b.and_(ok, b.icmp_signed("==", b.load(obj, typ=I64), ir.Constant(I64, 1)))
            items = b.gep(obj, [ir.Constant(I64, TUPLE_ITEMS)], source_etype=ir.IntType(8))
        with b.if_then(ok, likely=True):
            if kind == "PyList":
                items = _field(b, obj, LIST_ITEMS, PTR)
            slot = b.gep(items, [index], source_etype=PTR)
            old = b.load(slot, typ=PTR)
            b.store(item, slot)
            with b.if_then(b.icmp_unsigned("!=", old, ir.Constant(PTR, None))):
                b.call(self._refcount()[1], [old])
            b.ret(ir.Constant(I32, 0))
        self._generic(b, f"{kind}_SetItem", I32, f)

    def _join_parts(self, b: ir.IRBuilder, f: ir.Function) -> None:
        """An f-string's parts (passes/strings.py) joined from an array, as BUILD_STRING joins them."""
        sep, parts = f.args[0], f.args[1:]
        arr = b.alloca(ir.ArrayType(PTR, len(parts)))
        for k, part in enumerate(parts):
            b.store(part, b.gep(arr, [ir.Constant(I32, 0), ir.Constant(I32, k)]))
        join = self.rt.c_fn("_PyUnicode_JoinArray", PTR, [PTR, PTR, I64])
        first = b.gep(arr, [ir.Constant(I32, 0), ir.Constant(I32, 0)])
        b.ret(b.call(join, [sep, first, ir.Constant(I64, len(parts))]))
