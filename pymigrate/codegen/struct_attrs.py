"""A struct's fields as attributes of its Python object, read and written by interned name.

A struct instance keeps its fields in its `__dict__`, as the dataclass it stands for does. The
`*String` C API calls make a new str for the name on every access, whose hash is computed afresh and
compared character by character with the dict's key; an interned name, made once per module, is
found by identity. A NULL result (or -1) means the exception is set, as for the C API calls.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from llvmlite import ir  # type: ignore[import-untyped]

from pymigrate.codegen.capi import I32, PTR

if TYPE_CHECKING:
    from pymigrate.codegen.bindings import Bindings


def _name(bd: Bindings, b: ir.IRBuilder, name: str) -> ir.Value:
    """The interned str `name` (made on first use and kept), or NULL with the exception set."""
    module = bd.ml.module
    key = f"pm.attr.{name}"
    g = module.globals.get(key)
    if not isinstance(g, ir.GlobalVariable):
        g = ir.GlobalVariable(module, PTR, name=key)
        g.linkage = "internal"
        g.initializer = ir.Constant(PTR, None)
    null = ir.Constant(PTR, None)
    have = b.load(g, typ=PTR)
    with b.if_then(b.icmp_unsigned("==", have, null), likely=False):
        made = b.call(bd.c_fn("PyUnicode_InternFromString", PTR, [PTR]), [bd.ml.cstr(name)])
        b.store(made, g)  # NULL stays NULL: the next access tries again
    return b.load(g, typ=PTR)


def get_field(bd: Bindings, b: ir.IRBuilder, obj: ir.Value, name: str) -> ir.Value:
    """New reference to obj.<name>, or NULL with the exception set."""
    null = ir.Constant(PTR, None)
    key = _name(bd, b, name)
    with b.if_else(b.icmp_unsigned("==", key, null), likely=False) as (missing, present):
        with missing:
            bad = b.block
        with present:
            got = b.call(bd.c_fn("PyObject_GetAttr", PTR, [PTR, PTR]), [obj, key])
            good = b.block
    phi = b.phi(PTR)
    phi.add_incoming(null, bad)
    phi.add_incoming(got, good)
    return phi


def set_field(bd: Bindings, b: ir.IRBuilder, obj: ir.Value, name: str, value: ir.Value) -> ir.Value:
    """obj.<name> = value (not stolen): 0, or -1 with the exception set."""
    key = _name(bd, b, name)
    with b.if_else(b.icmp_unsigned("==", key, ir.Constant(PTR, None)), likely=False) as (missing, present):
        with missing:
            bad = b.block
        with present:
            r = b.call(bd.c_fn("PyObject_SetAttr", I32, [PTR, PTR, PTR]), [obj, key, value])
            good = b.block
    phi = b.phi(I32)
    phi.add_incoming(ir.Constant(I32, -1), bad)
    phi.add_incoming(r, good)
    return phi
