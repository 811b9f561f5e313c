"""Which float object a struct's float field gets when native code writes the struct back to Python.

A dataclass field holds the object it was given: `P(x, 1.0)` keeps `x` itself, and the tuple
comparison behind `__eq__` tests identity before `==`, so a struct holding the same nan object twice
compares equal. Native code holds the field as a double and has lost the object. When the double is
bit for bit the value of the object the field already holds, or of a float argument of the call, that
object is stored (or left in place) instead of a new one: unchanged fields and fields set straight
from a parameter keep their object, as in CPython. A field computed to a value bit-identical to one of
those objects gets that object too, where CPython would make a new one (docs/compiler.md).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from llvmlite import ir  # type: ignore[import-untyped]

from pymigrate.codegen.capi import F64, FLOAT_VALUE, I1, I32, I64, PTR
from pymigrate.codegen.struct_attrs import get_field, set_field
from pymigrate.codegen.types import FLOAT

if TYPE_CHECKING:
    from pymigrate.codegen.bindings import Bindings
    from pymigrate.codegen.ir import FuncIR


def _entry_alloca(b: ir.IRBuilder, ty: ir.Type) -> ir.Value:
    """A stack slot made once per call (this code may sit in a loop over a list's items)."""
    with b.goto_block(b.function.entry_basic_block):
        return b.alloca(ty)


def source_array(b: ir.IRBuilder, sources: Sequence[ir.Value]) -> tuple[ir.Value, ir.Value]:
    """(pointer to, count of) the candidate float objects, as the arguments of the shared helpers."""
    if not sources:
        return ir.Constant(PTR, None), ir.Constant(I64, 0)
    with b.goto_block(b.function.entry_basic_block):
        arr = b.alloca(PTR, size=ir.Constant(I64, len(sources)))  # constant size: a static slot
    for k, src in enumerate(sources):
        b.store(src, b.gep(arr, [ir.Constant(I64, k)], source_etype=PTR))
    return arr, ir.Constant(I64, len(sources))


def _same_float(bd: Bindings, b: ir.IRBuilder, obj: ir.Value, bits: ir.Value) -> ir.Value:
    """obj is an exact float whose value has these bits (nan payload and sign of zero included)."""
    exact = b.icmp_unsigned("==", bd.ob_type(b, obj), bd.capi.obj("PyFloat_Type"))
    res = _entry_alloca(b, I1)
    b.store(exact, res)
    with b.if_then(exact):
        held = b.bitcast(bd.field_at(b, obj, FLOAT_VALUE, F64), I64)
        b.store(b.icmp_unsigned("==", held, bits), res)
    return b.load(res, typ=I1)


def _match_fn(bd: Bindings) -> ir.Function:
    """pm.float.match(bits, sources, n): a new reference to the first source with these bits, or NULL.

    One shared loop instead of a compare per field and source unrolled at every write-back (a struct
    with 7 float fields built from 7 float arguments made 49 compare blocks)."""
    null = ir.Constant(PTR, None)

    def body(b: ir.IRBuilder, f: ir.Function) -> None:
        bits, srcs, n = f.args
        from pymigrate.codegen.lower import counted_loop

        with counted_loop(b, n) as i:
            src = b.load(b.gep(srcs, [i], source_etype=PTR), typ=PTR)
            with b.if_then(_same_float(bd, b, src, bits)):
                b.call(bd.capi.fn("Py_IncRef"), [src])
                b.ret(src)
        b.ret(null)

    return bd.ml.helper("pm.float.match", PTR, [I64, PTR, I64], body)


def float_field_object(
    bd: Bindings, b: ir.IRBuilder, inst: ir.Value, name: str, value: ir.Value, sources: tuple[ir.Value, ir.Value],
    look_current: bool, on_error: Callable[[], None],
) -> tuple[ir.Value, ir.Value]:
    """(new reference to the object for field `name`, whether it is the object the field holds already).

    `look_current` reads the field first (a written-back `mut` struct; not a fresh instance, whose
    fields are not set yet); `sources` (source_array) are the call's float arguments (borrowed, never NULL).
    """
    capi, null = bd.capi, ir.Constant(PTR, None)
    bits = b.bitcast(value, I64)
    chosen = _entry_alloca(b, PTR)
    b.store(null, chosen)
    kept = _entry_alloca(b, I1)
    b.store(ir.Constant(I1, 0), kept)
    if look_current:
        cur = get_field(bd, b, inst, name)
        with b.if_else(b.icmp_unsigned("==", cur, null), likely=False) as (missing, present):
            with missing:
                matches = bd.c_fn("PyErr_ExceptionMatches", I32, [PTR])
                attr_error = b.call(matches, [b.load(capi.exc("AttributeError"), typ=PTR)])
                with b.if_then(b.icmp_signed("==", attr_error, ir.Constant(I32, 0)), likely=False):
                    on_error()
                b.call(capi.fn("PyErr_Clear"), [])
            with present:
                with b.if_else(_same_float(bd, b, cur, bits)) as (same, other):
                    with same:
                        b.store(cur, chosen)
                        b.store(ir.Constant(I1, 1), kept)
                    with other:
                        b.call(capi.fn("Py_DecRef"), [cur])
    with b.if_then(b.icmp_unsigned("==", b.load(chosen, typ=PTR), null)):
        b.store(b.call(_match_fn(bd), [bits, *sources]), chosen)
    with b.if_then(b.icmp_unsigned("==", b.load(chosen, typ=PTR), null)):
        fresh = b.call(capi.fn("PyFloat_FromDouble"), [value])
        with b.if_then(b.icmp_unsigned("==", fresh, null), likely=False):
            on_error()
        b.store(fresh, chosen)
    return b.load(chosen, typ=PTR), b.load(kept, typ=I1)


def _adopt_fn(bd: Bindings, struct: str, lt: ir.Type) -> ir.Function:
    """pm.adopt.<S>(obj, value, sources, n) -> 0, or -1 with the exception set: each float field of obj
    whose bits are a source's takes that source. One shared function per struct, out of line."""
    null = ir.Constant(PTR, None)
    fields = bd.ml.mir.structs[struct].fields

    def body(b: ir.IRBuilder, f: ir.Function) -> None:
        out, value, srcs, n = f.args
        for i, (fname, fty) in enumerate(fields):
            if fty != FLOAT:
                continue
            c = b.call(_match_fn(bd), [b.bitcast(b.extract_value(value, i), I64), srcs, n])
            with b.if_then(b.icmp_unsigned("!=", c, null)):
                r = set_field(bd, b, out, fname, c)
                b.call(bd.capi.fn("Py_DecRef"), [c])
                with b.if_then(b.icmp_signed("<", r, ir.Constant(I32, 0)), likely=False):
                    b.ret(ir.Constant(I32, -1))
        b.ret(ir.Constant(I32, 0))

    f = bd.ml.helper(f"pm.adopt.{struct}", I32, [PTR, lt, PTR, I64], body)
    f.attributes.add("noinline")
    return f


def adopt_argument_floats(
    bd: Bindings, b: ir.IRBuilder, func: FuncIR, out: ir.Value, value: ir.Value, selfobj: ir.Value, av: ir.Value,
    first: int,
) -> ir.Value:
    """The struct object `out` a fn returns (new, or NULL with the exception set), with each float field
    that has the bits of a float argument, or of a float field of a struct argument, set to that object:
    `P(x, self.y)` holds x and self.y themselves, as in CPython. Returns out, or NULL after an error."""
    capi, null = bd.capi, ir.Constant(PTR, None)
    fields = bd.ml.mir.structs[func.ret.name].fields
    if not any(t == FLOAT for _, t in fields):
        return out
    res = _entry_alloca(b, PTR)
    b.store(out, res)
    with b.if_then(b.icmp_unsigned("!=", out, null), likely=True):
        sources: list[ir.Value] = []
        held: list[ir.Value] = []
        for idx, p in enumerate(func.params):
            struct_floats = [f for f, t in bd.ml.mir.structs[p.ty.name].fields if t == FLOAT] if p.ty.kind == "Struct" else []
            if p.ty != FLOAT and not struct_floats:
                continue
            is_self = func.owner is not None and idx == 0
            obj = selfobj if is_self else b.load(b.gep(av, [ir.Constant(I64, idx - first)], source_etype=PTR), typ=PTR)
            if p.ty == FLOAT:
                sources.append(obj)
            for fname in struct_floats:
                o = get_field(bd, b, obj, fname)
                missing = b.icmp_unsigned("==", o, null)
                with b.if_then(missing, likely=False):
                    b.call(capi.fn("PyErr_Clear"), [])  # only a candidate: no object, no match
                held.append(o)
                sources.append(b.select(missing, capi.obj("_Py_NoneStruct"), o))
        if sources:
            r = b.call(_adopt_fn(bd, func.ret.name, value.type), [out, value, *source_array(b, sources)])
            with b.if_then(b.icmp_signed("<", r, ir.Constant(I32, 0)), likely=False):
                b.call(capi.fn("Py_DecRef"), [out])
                b.store(null, res)
        for o in held:
            b.call(capi.fn("Py_DecRef"), [o])  # takes NULL
    return b.load(res, typ=PTR)
