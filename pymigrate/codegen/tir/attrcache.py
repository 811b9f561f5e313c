"""Per-site attribute caches of the object tier, as CPython 3.11's specializing interpreter keeps them
(LOAD_ATTR_INSTANCE_VALUE, LOAD_ATTR_SLOT, LOAD_METHOD_WITH_VALUES / _NO_DICT, STORE_ATTR_INSTANCE_VALUE
and _SLOT): each `o.name` load, store or method load has a site that remembers, for one type and
its version tag, where the attribute was found:

- VALUE: the index of `name` in the type's shared instance keys (the instance's values array);
- SLOT: the offset of a `__slots__` member (a member descriptor of type T_OBJECT_EX);
- CLASS: a class attribute that is not a descriptor, the instance having no attribute of that name;
- METHOD: a method descriptor (a def, a builtin method) found unbound, not shadowed by the instance;
- MODULE: a module's attribute, while the module's dict keeps the version tag it had (LOAD_ATTR_MODULE;
  a changed module dict makes the site look again).

A type's version tag changes whenever the type or a class of its MRO changes (a method, descriptor,
`__getattr__` or class attribute added, replaced or removed; `__bases__` assigned), so a site whose
type and tag both match still describes the type. The instance's own state is checked at every
hit: the values array present (a materialised `__dict__` or a `__class__` assignment drops it), the
value there not deleted (a store of one not set yet appends its index to the values' insertion order,
as STORE_ATTR_INSTANCE_VALUE does), no instance dict, and the shared keys holding as many names as when the
site was filled (keys are only ever appended to, so a name absent then is absent now). Anything
else, and every type whose getattr/setattr is not the generic one (`__getattr__`,
`__getattribute__`, `__setattr__`), a property, a name added to an instance: the C API's call
(PyObject_GetAttr, _PyObject_GetMethod, PyObject_SetAttr), with its exceptions. A site that keeps
seeing new types stops refilling after MAX_FILLS and always takes the C API's path.

Layouts are CPython 3.11's (release build, checked by tests/codegen/test_tir_attrcache.py): a
type's tp_getattro at 144, tp_setattro at 152, tp_flags at 168, tp_descr_get at 272, tp_descr_set at
280, tp_dictoffset at 288, tp_version_tag (u32) at 384, a heap type's ht_cached_keys at 872; a
managed-dict instance's values pointer 32 bytes and dict pointer 24 bytes before the object; a dict
keys object's dk_log2_index_bytes (u8) at 9, dk_kind (u8) at 10, dk_nentries at 24, its index
table at 32 followed by (key, value) entries; an instance's values array preceded by the size of its
prefix (byte -1), the number of values set (byte -2) and their indices in insertion order (bytes -3,
-4, ...); a str's hash at 24; a member descriptor's PyMemberDef
pointer at 40, whose type (int) is at 8, offset at 16, flags (int) at 24; a module's dict at 16; a
dict's version tag at 24 and keys at 32.
"""

from __future__ import annotations

from typing import Callable

from llvmlite import ir  # type: ignore[import-untyped]

from pymigrate.codegen.capi import I32, I64, OB_TYPE, PTR, VOID
from pymigrate.codegen.tir.runtime import DICT_VERSION_TAG, TP_FLAGS, ObjectRuntime, counted_loop

I8 = ir.IntType(8)
TP_GETATTRO = 144
TP_SETATTRO = 152
TP_DESCR_GET = 272
TP_DESCR_SET = 280
TP_DICTOFFSET = 288
TP_VERSION_TAG = 384
HT_CACHED_KEYS = 872
MANAGED_VALUES = -32
MANAGED_DICT = -24
ORDER_PREFIX = -1  # bytes before an instance's values: the prefix's size, the count, the order
ORDER_COUNT = -2
DK_LOG2_INDEX_BYTES = 9
DK_KIND = 10
DK_NENTRIES = 24
DK_INDICES = 32
DICT_KEYS_UNICODE = 1
DICT_KEYS_SPLIT = 2
DICT_KEYS = 32
MODULE_DICT = 16
STR_HASH = 24
MEMBER_DEF = 40
T_OBJECT_EX = 16
FLAG_MANAGED_DICT = 1 << 4
FLAG_HEAPTYPE = 1 << 9
FLAG_METHOD_DESCRIPTOR = 1 << 17

# a site: the type and its version tag when filled, the kind, its index (VALUE: the keys index,
# SLOT: the member's offset, CLASS/METHOD: the shared keys' entry count, or -1 when the type's
# instances have no dict), the class attribute (borrowed: the class keeps it while the tag holds)
# and how many times the site was filled
SITE = ir.LiteralStructType([PTR, I64, I64, I64, PTR, I64])
F_TYPE, F_VERSION, F_KIND, F_INDEX, F_DESCR, F_FILLS = range(6)
GENERIC, VALUE, SLOT, CLASS, METHOD, MODULE = range(6)
LOAD, LOAD_METHOD, STORE = range(3)
MAX_FILLS = 64
NO_DICT = -1

CACHED_CALLS = ("pmo.attr.get", "pmo.attr.set")  # the names passes/specialize.py gives the C API calls it caches


def _at(b: ir.IRBuilder, obj: ir.Value, offset: int) -> ir.Value:
    return b.gep(obj, [ir.Constant(I64, offset)], source_etype=I8)


def _load(b: ir.IRBuilder, obj: ir.Value, offset: int, typ: ir.Type) -> ir.Value:
    return b.load(_at(b, obj, offset), typ=typ)


def _give_up_if(b: ir.IRBuilder, cond: ir.Value, negative: ir.Block) -> None:
    """A fill's early exit: when cond holds the site is left GENERIC for this type."""
    with b.if_then(cond):
        b.branch(negative)
        b.position_at_end(b.function.append_basic_block("dead"))


def _const(value: int) -> ir.Constant:
    return ir.Constant(I64, value)


class AttrCache:
    """The cache helpers of one LLVM module: the hit tests inlined at each site, the fill and the
    C API call out of line."""

    def __init__(self, rt: ObjectRuntime) -> None:
        self.rt = rt
        self.capi = rt.ml.capi

    def site(self) -> ir.GlobalVariable:
        module = self.rt.ml.module
        g = ir.GlobalVariable(module, SITE, name=f"pmo.rt.attr.{len(self.rt.attr_sites)}")
        g.linkage = "internal"
        g.initializer = ir.Constant(SITE, None)
        self.rt.attr_sites.append(g)
        return g

    def _field(self, b: ir.IRBuilder, site: ir.Value, i: int) -> ir.Value:
        return b.gep(site, [ir.Constant(I32, 0), ir.Constant(I32, i)], source_etype=SITE)

    def _get(self, b: ir.IRBuilder, site: ir.Value, i: int) -> ir.Value:
        return b.load(self._field(b, site, i), typ=PTR if i in (F_TYPE, F_DESCR) else I64)

    def _refcount(self) -> tuple[ir.Function, ir.Function]:
        from pymigrate.codegen.tir.emit import refcount_fns

        return refcount_fns(self.rt.ml)

    # ------------------------------------------------------------------ the fill
    def fill_fn(self) -> ir.Function:
        """pmo.attr.fill(obj, name, site, mode): what obj's type says about `name` written into the
        site, CLASS/METHOD/VALUE/SLOT when one of them is exactly what the generic lookup would do,
        else GENERIC (the type and tag still recorded, so the site does not look again until the
        type changes)."""
        def body(b: ir.IRBuilder, f: ir.Function) -> None:
            obj, name, site, mode = f.args
            fills = self._get(b, site, F_FILLS)
            b.store(ir.Constant(PTR, None), self._field(b, site, F_TYPE))
            b.store(_const(GENERIC), self._field(b, site, F_KIND))
            with b.if_then(b.icmp_signed(">=", fills, _const(MAX_FILLS)), likely=False):
                b.ret_void()
            b.store(b.add(fills, _const(1)), self._field(b, site, F_FILLS))
            typ = _load(b, obj, OB_TYPE, PTR)
            descr = b.call(self.rt.c_fn("_PyType_Lookup", PTR, [PTR, PTR]), [typ, name])
            version = b.zext(_load(b, typ, TP_VERSION_TAG, I32), I64)
            with b.if_then(b.icmp_unsigned("==", version, _const(0)), likely=False):
                b.ret_void()  # no valid tag: nothing can be cached for this type now
            negative, positive = f.append_basic_block("generic"), f.append_basic_block("found")
            retry = f.append_basic_block("retry")  # not now, but maybe later for this type: left unfilled
            with b.goto_block(retry):
                b.ret_void()
            kind, index = b.alloca(I64), b.alloca(I64)
            b.store(_const(GENERIC), kind)
            b.store(_const(0), index)

            def found(k: int, i: ir.Value) -> None:
                b.store(_const(k), kind)
                b.store(i, index)
                b.branch(positive)
                b.position_at_end(f.append_basic_block("dead"))

            store = b.icmp_signed("==", mode, _const(STORE))
            cached = b.alloca(PTR)  # what a hit hands out: the class attribute, or a module's value
            b.store(descr, cached)
            self._fill_module(b, f, obj, name, typ, descr, store, cached, found, negative, retry)
            hook = b.select(store, _load(b, typ, TP_SETATTRO, I64), _load(b, typ, TP_GETATTRO, I64))
            generic = b.select(store, b.ptrtoint(self.rt.c_fn("PyObject_GenericSetAttr", I32, [PTR, PTR, PTR]), I64),
                               b.ptrtoint(self.rt.c_fn("PyObject_GenericGetAttr", PTR, [PTR, PTR]), I64))
            _give_up_if(b, b.icmp_unsigned("!=", hook, generic), negative)  # __getattr__, __setattr__...
            has_descr = b.icmp_unsigned("!=", descr, ir.Constant(PTR, None))
            dtype = b.alloca(PTR)
            b.store(ir.Constant(PTR, None), dtype)
            with b.if_then(has_descr):
                b.store(_load(b, descr, OB_TYPE, PTR), dtype)
            dtype_v = b.load(dtype, typ=PTR)
            with b.if_then(has_descr):  # a data descriptor comes before the instance's dict
                with b.if_then(b.icmp_unsigned("!=", _load(b, dtype_v, TP_DESCR_SET, PTR), ir.Constant(PTR, None))):
                    member_type = self.rt.static(b, "PyMemberDescr_Type")
                    with b.if_then(b.icmp_unsigned("==", dtype_v, member_type)):
                        member = _load(b, descr, MEMBER_DEF, PTR)
                        plain = b.icmp_signed("==", _load(b, member, 8, I32), ir.Constant(I32, T_OBJECT_EX))
                        writable = b.icmp_signed("==", _load(b, member, 24, I32), ir.Constant(I32, 0))
                        with b.if_then(b.and_(plain, b.or_(b.not_(store), writable))):
                            found(SLOT, _load(b, member, 16, I64))
                    b.branch(negative)
                    b.position_at_end(f.append_basic_block("dead"))
            absent = b.alloca(I64)  # the name is in no instance while...: NO_DICT or the keys' count
            b.store(_const(NO_DICT), absent)
            with b.if_then(b.icmp_signed("!=", _load(b, typ, TP_DICTOFFSET, I64), _const(0))):
                flags = _load(b, typ, TP_FLAGS, I64)
                need = FLAG_MANAGED_DICT | FLAG_HEAPTYPE
                _give_up_if(b, b.icmp_unsigned("!=", b.and_(flags, _const(need)), _const(need)), negative)
                keys = _load(b, typ, HT_CACHED_KEYS, PTR)
                _give_up_if(b, b.icmp_unsigned("==", keys, ir.Constant(PTR, None)), negative)
                _give_up_if(b, b.icmp_unsigned("!=", _load(b, keys, DK_KIND, I8), ir.Constant(I8, DICT_KEYS_SPLIT)), negative)
                self._scan(b, f, keys, name, found, negative)
                b.store(_load(b, keys, DK_NENTRIES, I64), absent)
            # no instance has the name: a class attribute or a method; a store or a name found nowhere may
            # be an instance's later (the keys grow without a new type version): the site stays unfilled
            _give_up_if(b, b.or_(store, b.not_(has_descr)), retry)
            method = b.icmp_unsigned("!=", b.and_(_load(b, dtype_v, TP_FLAGS, I64), _const(FLAG_METHOD_DESCRIPTOR)), _const(0))
            with b.if_then(b.and_(b.icmp_signed("==", mode, _const(LOAD_METHOD)), method)):
                found(METHOD, b.load(absent, typ=I64))
            with b.if_then(b.icmp_unsigned("==", _load(b, dtype_v, TP_DESCR_GET, PTR), ir.Constant(PTR, None))):
                found(CLASS, b.load(absent, typ=I64))
            b.branch(negative)
            b.position_at_end(negative)
            b.store(_const(GENERIC), kind)
            b.branch(positive)
            b.position_at_end(positive)
            b.store(b.load(kind, typ=I64), self._field(b, site, F_KIND))
            b.store(b.load(index, typ=I64), self._field(b, site, F_INDEX))
            b.store(b.load(cached, typ=PTR), self._field(b, site, F_DESCR))
            b.store(version, self._field(b, site, F_VERSION))
            b.store(typ, self._field(b, site, F_TYPE))
            b.ret_void()

        f = self.rt.ml.helper("pmo.attr.fill", VOID, [PTR, PTR, PTR, I64], body)
        f.attributes.add("noinline")
        return f

    def _fill_module(self, b: ir.IRBuilder, f: ir.Function, obj: ir.Value, name: ir.Value, typ: ir.Value,
                     descr: ir.Value, store: ir.Value, cached: ir.Value, found: Callable[[int, ir.Value], None],
                     negative: ir.Block, retry: ir.Block) -> None:
        """An exact module's attribute (LOAD_ATTR_MODULE): the value in its dict and the dict's version
        tag (3.11 tags are unique across all dicts and change with every change of one), unless the
        module type has a data descriptor of that name (`__dict__`, `__class__`), which comes first; a
        module without the name (or with a key not a str) leaves the site unfilled: every module has
        the same type, so a GENERIC site would never look again."""
        module = b.and_(b.icmp_unsigned("==", typ, self.rt.static(b, "PyModule_Type")), b.not_(store))
        with b.if_then(module):
            with b.if_then(b.icmp_unsigned("!=", descr, ir.Constant(PTR, None))):
                dset = _load(b, _load(b, descr, OB_TYPE, PTR), TP_DESCR_SET, PTR)
                _give_up_if(b, b.icmp_unsigned("!=", dset, ir.Constant(PTR, None)), negative)
            d = _load(b, obj, MODULE_DICT, PTR)
            _give_up_if(b, b.icmp_unsigned("==", d, ir.Constant(PTR, None)), retry)
            # only str keys: the lookup runs no __eq__ (nothing can change the site meanwhile)
            keys_kind = _load(b, _load(b, d, DICT_KEYS, PTR), DK_KIND, I8)
            _give_up_if(b, b.icmp_unsigned("!=", keys_kind, ir.Constant(I8, DICT_KEYS_UNICODE)), retry)
            value = b.call(self.rt.c_fn("PyDict_GetItemWithError", PTR, [PTR, PTR]), [d, name])
            with b.if_then(b.icmp_unsigned("==", value, ir.Constant(PTR, None))):
                b.call(self.capi.fn("PyErr_Clear"), [])
                b.branch(retry)
                b.position_at_end(f.append_basic_block("dead"))
            b.store(value, cached)
            found(MODULE, _load(b, d, DICT_VERSION_TAG, I64))

    def _module_hit(self, b: ir.IRBuilder, obj: ir.Value, name: ir.Value, site: ir.Value, mode: int) -> ir.Value:
        """A MODULE site's value (a new reference) when the module's dict has the tag the fill saw, else
        NULL after filling the site again (the module changed: look once more)."""
        result = b.alloca(PTR)
        b.store(ir.Constant(PTR, None), result)
        d = _load(b, obj, MODULE_DICT, PTR)
        with b.if_else(b.icmp_unsigned("==", _load(b, d, DICT_VERSION_TAG, I64), self._get(b, site, F_INDEX)),
                       likely=True) as (then, other):
            with then:
                value = self._get(b, site, F_DESCR)
                b.call(self._refcount()[0], [value])
                b.store(value, result)
            with other:
                b.call(self.fill_fn(), [obj, name, site, _const(mode)])
        return b.load(result, typ=PTR)

    def _scan(self, b: ir.IRBuilder, f: ir.Function, keys: ir.Value, name: ir.Value,
              found: Callable[[int, ir.Value], None], negative: ir.Block) -> None:
        """The name's index among the shared keys (by identity: attribute names are interned) -> VALUE;
        another key of the same hash (an equal str not interned) -> GENERIC; absent -> fall through."""
        log2 = b.zext(_load(b, keys, DK_LOG2_INDEX_BYTES, I8), I64)
        entries = b.gep(keys, [b.add(_const(DK_INDICES), b.shl(_const(1), log2))], source_etype=I8)
        count = _load(b, keys, DK_NENTRIES, I64)
        hash_ = _load(b, name, STR_HASH, I64)
        i, i_slot, top, done = counted_loop(b, f, count, "scan.")
        key = b.load(b.gep(entries, [b.mul(i, _const(2))], source_etype=PTR), typ=PTR)
        with b.if_then(b.icmp_unsigned("==", key, name)):
            found(VALUE, i)
        _give_up_if(b, b.icmp_unsigned("==", key, ir.Constant(PTR, None)), negative)
        _give_up_if(b, b.icmp_signed("==", _load(b, key, STR_HASH, I64), hash_), negative)
        b.store(b.add(i, _const(1)), i_slot)
        b.branch(top)
        b.position_at_end(done)

    # ------------------------------------------------------------------ the hits
    def _hit(self, b: ir.IRBuilder, obj: ir.Value, site: ir.Value) -> ir.Value:
        typ = _load(b, obj, OB_TYPE, PTR)
        same = b.icmp_unsigned("==", self._get(b, site, F_TYPE), typ)
        version = b.zext(_load(b, typ, TP_VERSION_TAG, I32), I64)
        return b.and_(same, b.icmp_unsigned("==", self._get(b, site, F_VERSION), version))

    def _absent(self, b: ir.IRBuilder, obj: ir.Value, guard: ir.Value) -> ir.Value:
        """No instance attribute can shadow the class's: the type's instances have no dict, or this one
        has none made and the shared keys gained no name since the fill."""
        no_dict = b.icmp_signed("==", guard, _const(NO_DICT))
        result = b.alloca(ir.IntType(1))
        b.store(no_dict, result)
        with b.if_then(b.not_(no_dict)):
            dict_ = _load(b, obj, MANAGED_DICT, PTR)
            keys = _load(b, _load(b, obj, OB_TYPE, PTR), HT_CACHED_KEYS, PTR)
            same = b.icmp_signed("==", _load(b, keys, DK_NENTRIES, I64), guard)
            b.store(b.and_(b.icmp_unsigned("==", dict_, ir.Constant(PTR, None)), same), result)
        return b.load(result, typ=ir.IntType(1))

    def _instance_slot(self, b: ir.IRBuilder, obj: ir.Value, kind: ir.Value, index: ir.Value) -> ir.Value:
        """Where a VALUE or SLOT attribute is stored in obj (NULL when the values array is gone)."""
        values = _load(b, obj, MANAGED_VALUES, PTR)
        has_values = b.icmp_unsigned("!=", values, ir.Constant(PTR, None))
        in_values = b.gep(values, [index], source_etype=PTR)
        is_value = b.icmp_signed("==", kind, _const(VALUE))
        value_slot = b.select(has_values, in_values, ir.Constant(PTR, None))
        return b.select(is_value, value_slot, b.gep(obj, [index], source_etype=I8))

    def _stored(self, b: ir.IRBuilder, obj: ir.Value, site: ir.Value) -> tuple[ir.Value, ir.Value]:
        """(the site is VALUE or SLOT, where obj holds the attribute)."""
        kind = self._get(b, site, F_KIND)
        is_stored = b.or_(b.icmp_signed("==", kind, _const(VALUE)), b.icmp_signed("==", kind, _const(SLOT)))
        return is_stored, self._instance_slot(b, obj, kind, self._get(b, site, F_INDEX))

    def get_fn(self) -> ir.Function:
        """pmo.attr.get(obj, name, site) -> a new reference or NULL: PyObject_GetAttr, cached."""
        def body(b: ir.IRBuilder, f: ir.Function) -> None:
            obj, name, site = f.args
            incref = self._refcount()[0]
            with b.if_else(self._hit(b, obj, site), likely=True) as (then, other):
                with then:
                    is_stored, slot = self._stored(b, obj, site)
                    with b.if_then(b.and_(is_stored, b.icmp_unsigned("!=", slot, ir.Constant(PTR, None))), likely=True):
                        value = b.load(slot, typ=PTR)
                        with b.if_then(b.icmp_unsigned("!=", value, ir.Constant(PTR, None)), likely=True):
                            b.call(incref, [value])
                            b.ret(value)
                    kind = self._get(b, site, F_KIND)
                    with b.if_then(b.icmp_signed("==", kind, _const(CLASS))):
                        with b.if_else(self._absent(b, obj, self._get(b, site, F_INDEX)), likely=True) as (yes, no):
                            with yes:
                                descr = self._get(b, site, F_DESCR)
                                b.call(incref, [descr])
                                b.ret(descr)
                            with no:  # an instance has the name now: where it is is for the fill to say
                                b.call(self.fill_fn(), [obj, name, site, _const(LOAD)])
                    with b.if_then(b.icmp_signed("==", kind, _const(MODULE))):
                        value = self._module_hit(b, obj, name, site, LOAD)
                        with b.if_then(b.icmp_unsigned("!=", value, ir.Constant(PTR, None)), likely=True):
                            b.ret(value)
                with other:
                    b.call(self.fill_fn(), [obj, name, site, _const(LOAD)])
            b.ret(b.call(self.rt.c_fn("PyObject_GetAttr", PTR, [PTR, PTR]), [obj, name]))

        return self._inline("pmo.attr.get", PTR, [PTR, PTR, PTR], body)

    def method_fn(self) -> ir.Function:
        """pmo.attr.method(obj, name, site, out) -> 1 with the unbound method in *out, 0 with the
        attribute (or NULL with an exception) in *out: _PyObject_GetMethod, cached."""
        def body(b: ir.IRBuilder, f: ir.Function) -> None:
            obj, name, site, out = f.args
            incref = self._refcount()[0]
            with b.if_else(self._hit(b, obj, site), likely=True) as (then, other):
                with then:
                    kind = self._get(b, site, F_KIND)
                    from_class = b.or_(b.icmp_signed("==", kind, _const(METHOD)), b.icmp_signed("==", kind, _const(CLASS)))
                    with b.if_then(from_class, likely=True):
                        with b.if_else(self._absent(b, obj, self._get(b, site, F_INDEX)), likely=True) as (yes, no):
                            with yes:
                                descr = self._get(b, site, F_DESCR)
                                b.call(incref, [descr])
                                b.store(descr, out)
                                b.ret(b.zext(b.icmp_signed("==", kind, _const(METHOD)), I32))
                            with no:  # an instance shadows it, or may: the fill looks again
                                b.call(self.fill_fn(), [obj, name, site, _const(LOAD_METHOD)])
                    is_stored, slot = self._stored(b, obj, site)
                    with b.if_then(b.and_(is_stored, b.icmp_unsigned("!=", slot, ir.Constant(PTR, None)))):
                        value = b.load(slot, typ=PTR)
                        with b.if_then(b.icmp_unsigned("!=", value, ir.Constant(PTR, None)), likely=True):
                            b.call(incref, [value])
                            b.store(value, out)
                            b.ret(ir.Constant(I32, 0))
                    with b.if_then(b.icmp_signed("==", kind, _const(MODULE))):
                        value = self._module_hit(b, obj, name, site, LOAD_METHOD)
                        with b.if_then(b.icmp_unsigned("!=", value, ir.Constant(PTR, None)), likely=True):
                            b.store(value, out)
                            b.ret(ir.Constant(I32, 0))
                with other:
                    b.call(self.fill_fn(), [obj, name, site, _const(LOAD_METHOD)])
            b.ret(b.call(self.rt.c_fn("_PyObject_GetMethod", I32, [PTR, PTR, PTR]), [obj, name, out]))

        return self._inline("pmo.attr.method", I32, [PTR, PTR, PTR, PTR], body)

    def set_fn(self) -> ir.Function:
        """pmo.attr.set(obj, name, value, site) -> 0 or -1: PyObject_SetAttr, cached (deleting an
        attribute takes the C API's path)."""
        def body(b: ir.IRBuilder, f: ir.Function) -> None:
            obj, name, value, site = f.args
            incref, decref = self._refcount()
            with b.if_else(self._hit(b, obj, site), likely=True) as (then, other):
                with then:
                    is_stored, slot = self._stored(b, obj, site)
                    ok = b.and_(is_stored, b.icmp_unsigned("!=", value, ir.Constant(PTR, None)))
                    with b.if_then(b.and_(ok, b.icmp_unsigned("!=", slot, ir.Constant(PTR, None))), likely=True):
                        old = b.load(slot, typ=PTR)
                        is_slot = b.icmp_signed("==", self._get(b, site, F_KIND), _const(SLOT))
                        with b.if_then(b.or_(is_slot, b.icmp_unsigned("!=", old, ir.Constant(PTR, None))), likely=True):
                            b.call(incref, [value])
                            b.store(value, slot)
                            with b.if_then(b.icmp_unsigned("!=", old, ir.Constant(PTR, None))):
                                b.call(decref, [old])
                            b.ret(ir.Constant(I32, 0))
                        # a VALUE not set yet on this instance: it joins the values' insertion order
                        # (_PyDictValues_AddToInsertionOrder: the count at values[-2], the order's
                        # bytes below it, values[-1] the prefix's size)
                        values = _load(b, obj, MANAGED_VALUES, PTR)
                        count = b.zext(_load(b, values, ORDER_COUNT, I8), I64)
                        prefix = b.zext(_load(b, values, ORDER_PREFIX, I8), I64)
                        with b.if_then(b.icmp_signed("<", b.add(count, _const(2)), prefix), likely=True):
                            order = b.gep(values, [b.sub(_const(ORDER_COUNT - 1), count)], source_etype=I8)
                            b.store(b.trunc(self._get(b, site, F_INDEX), I8), order)
                            b.store(b.trunc(b.add(count, _const(1)), I8), _at(b, values, ORDER_COUNT))
                            b.call(incref, [value])
                            b.store(value, slot)
                            b.ret(ir.Constant(I32, 0))
                with other:
                    b.call(self.fill_fn(), [obj, name, site, _const(STORE)])
            b.ret(b.call(self.rt.c_fn("PyObject_SetAttr", I32, [PTR, PTR, PTR]), [obj, name, value]))

        return self._inline("pmo.attr.set", I32, [PTR, PTR, PTR, PTR], body)

    def _inline(self, name: str, ret: ir.Type, args: list[ir.Type],
                body: Callable[[ir.IRBuilder, ir.Function], None]) -> ir.Function:
        f = self.rt.ml.helper(name, ret, args, body)
        f.attributes.add("alwaysinline")
        return f
