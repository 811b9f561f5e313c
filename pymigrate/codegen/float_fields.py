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
from pymigrate.codegen.struct_attrs import get_field

if TYPE_CHECKING:
    from pymigrate.codegen.bindings import Bindings


def _entry_alloca(b: ir.IRBuilder, ty: ir.Type) -> ir.Value:
    """A stack slot made once per call (this code may sit in a loop over a list's items)."""
    with b.goto_block(b.function.entry_basic_block):
        return b.alloca(ty)


def _same_float(bd: Bindings, b: ir.IRBuilder, obj: ir.Value, bits: ir.Value) -> ir.Value:
    """obj is an exact float whose value has these bits (nan payload and sign of zero included)."""
    exact = b.icmp_unsigned("==", bd.ob_type(b, obj), bd.capi.obj("PyFloat_Type"))
    res = _entry_alloca(b, I1)
    b.store(exact, res)
    with b.if_then(exact):
        held = b.bitcast(bd.field_at(b, obj, FLOAT_VALUE, F64), I64)
        b.store(b.icmp_unsigned("==", held, bits), res)
    return b.load(res, typ=I1)


def float_field_object(
    bd: Bindings, b: ir.IRBuilder, inst: ir.Value, name: str, value: ir.Value, sources: Sequence[ir.Value],
    look_current: bool, on_error: Callable[[], None],
) -> tuple[ir.Value, ir.Value]:
    """(new reference to the object for field `name`, whether it is the object the field holds already).

    `look_current` reads the field first (a written-back `mut` struct; not a fresh instance, whose
    fields are not set yet); `sources` are the call's float arguments (borrowed, never NULL).
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
    for src in sources:
        free = b.icmp_unsigned("==", b.load(chosen, typ=PTR), null)
        with b.if_then(free):
            with b.if_then(_same_float(bd, b, src, bits)):
                b.call(capi.fn("Py_IncRef"), [src])
                b.store(src, chosen)
    with b.if_then(b.icmp_unsigned("==", b.load(chosen, typ=PTR), null)):
        fresh = b.call(capi.fn("PyFloat_FromDouble"), [value])
        with b.if_then(b.icmp_unsigned("==", fresh, null), likely=False):
            on_error()
        b.store(fresh, chosen)
    return b.load(chosen, typ=PTR), b.load(kept, typ=I1)
