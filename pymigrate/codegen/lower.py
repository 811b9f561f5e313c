"""Lowering: the typed program to LLVM IR, one native entry per fn.

Native ABI: every fn `f` becomes an internal function `pmn.f` returning
`{T, i1}` (i8 stands for None): the value and an error flag. On error the
Python exception is already set (PyErr_SetString at the failing operation, a
cold path) and the caller propagates the flag. Parameters: `read` scalars by
value, `read` List/String as their pointer, `read` structs by pointer,
`mut`/`out` as a pointer to the caller's slot, `var` by value (an owned copy).

Memory: a List is a heap header {len, cap, data}; a String is a PyObject*.
Every local owns its value (assignment copies: value semantics), temporaries
are released at the end of the statement that made them.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import NamedTuple

import llvmlite.binding as llvm  # type: ignore[import-untyped]
from llvmlite import ir

from pymigrate.codegen.capi import F64, I1, I8, I32, I64, PTR, VOID, CApi
from pymigrate.codegen.ir import ModuleIR, Param
from pymigrate.codegen.target import host_target_data, host_target_machine
from pymigrate.codegen.types import BOOL, FLOAT, INT, Ty

OVERFLOW_MSG = "Int overflow: the result does not fit in 64 bits"
# Native failures that are failed speculations, not Python exceptions: the Python reading gives the
# answer (the exact big int, the complex power, CPython's own RecursionError or a result at a depth
# the native stack cannot hold). They raise the module's private deopt exception, which the wrapper
# of the outermost native call catches to run the reading with the original arguments (bindings.py).
DEOPT_ERRORS = frozenset({
    ("OverflowError", OVERFLOW_MSG),
    ("ValueError", "negative number cannot be raised to a fractional power"),
    ("RecursionError", "maximum recursion depth exceeded"),
})  # fmt: skip
DEOPT_GLOBAL = "pm.deopt"
DEOPT = "deopt"  # set_error(b, DEOPT, why): a deopt that stands for no Python exception at all
INT_MIN = -(2**63)
# len, cap, data, refs. refs counts the holders of the header: its owner (a local, an item, a field,
# a temporary) and each `for` loop iterating over it, which keeps the list alive as CPython's list
# iterator does when the loop's body replaces or drops the list it came from.
LIST_HDR = ir.LiteralStructType([I64, I64, PTR, I64])
LIST_REFS = 3

_INTRINSIC_MATH = {"sqrt", "sin", "cos", "exp", "log", "log2", "log10", "fabs", "floor", "ceil", "trunc"}
_CAN_OVERFLOW = {"exp", "expm1", "sinh", "cosh"}


class Val(NamedTuple):
    v: ir.Value
    ty: Ty
    owned: bool = False


def mangle(ty: Ty) -> str:
    if ty.kind == "List":
        assert ty.elem is not None
        return f"L{mangle(ty.elem)}"
    if ty.kind == "Struct":
        return f"S{ty.name}"
    return ty.kind


# Copies of a self-recursive fn's body that call each other in a ring (see FunctionLowering.run).
RECURSION_COPIES = 3


def native_name(key: str) -> str:
    return "pmn." + key


class ModuleLowering:
    """Owns the LLVM module: types, runtime helpers, string constants and natives."""

    def __init__(self, mir: ModuleIR, module_name: str) -> None:
        self.mir = mir
        self.module = ir.Module(name=module_name, context=ir.Context())
        self.module.triple = llvm.get_process_triple()
        self.module.data_layout = str(host_target_machine().target_data)
        self.capi = CApi(self.module)
        self.struct_types: dict[str, ir.IdentifiedStructType] = {}
        for name in mir.structs:
            self.struct_types[name] = self.module.context.get_identified_type(f"pm.{name}")
        for name, st in mir.structs.items():
            self.struct_types[name].set_body(*[self.llty(t) for _, t in st.fields])
        self._cstrs: dict[bytes, ir.GlobalVariable] = {}
        self._tbaa: dict[str, ir.MDValue] = {}
        self.str_globals: dict[str, ir.GlobalVariable] = {}
        self.helpers: dict[str, ir.Function] = {}
        self._raisers: list[str] = []
        self.natives: dict[str, ir.Function] = {}
        # Non-recursive fns keep their body in `pmi.<key>(params..., ptr err) -> T` and `pmn.<key>` is a
        # thin {T, i1} adapter for the bindings. Calls between fns use the body: after inlining the flag
        # is a plain i1 local (no {T, i1} aggregate merged through a phi, which the optimizer does not
        # split), so every error path is threaded straight to the caller's error exit, out of its loops.
        self.bodies: dict[str, ir.Function] = {}
        self.recursive = recursive_functions(mir)
        self.reaches_recursion = functions_reaching(mir, self.recursive)  # their wrappers set the budget
        self.depth_limit = self._global_i64("pm.depth_limit")
        self.stack_floor = self._global_i64("pm.stack_floor")  # lowest address native recursion may reach
        self.self_calling = {k for k, out in call_graph(mir).items() if k in out}
        self.twins: dict[str, list[ir.Function]] = {}
        for func in mir.all_functions():
            if func.is_object:
                continue  # built through the typed IR (tir/entry.py)
            params = [self.param_type(p) for p in func.params]
            if func.key in self.recursive:
                params.append(I64)  # the call depth, passed along in a register
            fnty = ir.FunctionType(self.ret_type(func.ret), params)
            f = ir.Function(self.module, fnty, name=native_name(func.key))
            f.linkage = "internal"
            f.attributes.add("nounwind")
            self.natives[func.key] = f
            if func.key in self.self_calling:
                # A copy of the body for the fn's calls to itself (see FunctionLowering.run).
                self.twins[func.key] = []
                for k in range(1, RECURSION_COPIES):
                    twin = ir.Function(self.module, fnty, name=native_name(func.key) + f".twin{k}")
                    twin.linkage = "internal"
                    twin.attributes.add("nounwind")
                    self.twins[func.key].append(twin)
            if func.key not in self.recursive:
                # The body proper: returns T and reports an error through a flag pointer (see bodies).
                ity = ir.FunctionType(self.llty(func.ret), [*params, PTR])
                inner = ir.Function(self.module, ity, name="pmi." + func.key)
                inner.linkage = "internal"
                inner.attributes.add("nounwind")
                self.bodies[func.key] = inner

    def _global_i64(self, name: str) -> ir.GlobalVariable:
        g = ir.GlobalVariable(self.module, I64, name=name)
        g.linkage = "internal"
        g.initializer = ir.Constant(I64, 0)
        return g

    # ------------------------------------------------------------------ types
    def llty(self, ty: Ty) -> ir.Type:
        if ty == INT:
            return I64
        if ty == FLOAT:
            return F64
        if ty == BOOL:
            return I1
        if ty.kind in ("String", "List"):
            return PTR
        if ty.kind == "Struct":
            return self.struct_types[ty.name]
        return I8

    def ret_type(self, ty: Ty) -> ir.LiteralStructType:
        return ir.LiteralStructType([self.llty(ty), I1])

    def param_type(self, p: Param) -> ir.Type:
        if p.convention in ("mut", "out"):
            return PTR
        if p.convention == "read" and p.ty.kind == "Struct":
            return PTR
        return self.llty(p.ty)

    def size_of(self, ty: Ty) -> int:
        return int(self.llty(ty).get_abi_size(host_target_data(), context=self.module.context))

    def tbaa(self, kind: str) -> ir.MDValue:
        """Type-based alias tags: list headers never alias list items, items of different types never alias.

        Kinds: "len", "cap", "data" (header fields) and "f64", "i64", "i1", "ptr" (items and struct fields).
        """
        if kind not in self._tbaa:
            if "root" not in self._tbaa:
                self._tbaa["root"] = self.module.add_metadata(["pymigrate tbaa"])
            node = self.module.add_metadata([kind, self._tbaa["root"], ir.Constant(I64, 0)])
            self._tbaa[kind] = self.module.add_metadata([node, node, ir.Constant(I64, 0)])
        return self._tbaa[kind]

    def len_range(self) -> ir.MDValue:
        if "range" not in self._tbaa:
            self._tbaa["range"] = self.module.add_metadata([ir.Constant(I64, 0), ir.Constant(I64, 2**56)])
        return self._tbaa["range"]

    def value_kind(self, lt: ir.Type) -> str | None:
        if lt == F64:
            return "f64"
        if lt == I64:
            return "i64"
        if lt == I1:
            return "i1"
        if lt == PTR:
            return "ptr"
        return None

    # ------------------------------------------------------------------ constants
    def cstr(self, text: str | bytes) -> ir.GlobalVariable:
        data = (text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text) + b"\0"
        if data not in self._cstrs:
            arr = ir.ArrayType(I8, len(data))
            g = ir.GlobalVariable(self.module, arr, name=f"pm.cstr.{len(self._cstrs)}")
            g.linkage = "private"
            g.global_constant = True
            g.initializer = ir.Constant(arr, bytearray(data))
            g.unnamed_addr = True
            self._cstrs[data] = g
        return self._cstrs[data]

    def str_global(self, text: str) -> ir.GlobalVariable:
        """A PyObject* global holding a str constant; bindings create it at init."""
        if text not in self.str_globals:
            g = ir.GlobalVariable(self.module, PTR, name=f"pm.str.{len(self.str_globals)}")
            g.linkage = "internal"
            g.initializer = ir.Constant(PTR, None)
            self.str_globals[text] = g
        return self.str_globals[text]

    # ------------------------------------------------------------------ helpers
    def helper(
        self, name: str, ret: ir.Type, args: list[ir.Type], body: Callable[[ir.IRBuilder, ir.Function], None]
    ) -> ir.Function:
        if name not in self.helpers:
            f = ir.Function(self.module, ir.FunctionType(ret, args), name=name)
            f.linkage = "internal"
            f.attributes.add("nounwind")
            self.helpers[name] = f
            b = ir.IRBuilder(f.append_basic_block("entry"))
            body(b, f)
        return self.helpers[name]

    def set_error(self, b: ir.IRBuilder, exc: str, msg: str) -> None:
        """Call the shared raise helper of (exc, msg): one cold, never-inlined function per distinct
        exception, so a raise site is a single call without arguments. Distinct callees keep the
        optimizer from sinking the raise sites into one block that rejoins the hot path (which made a
        loop's float accumulator live across a call), and the module stays small."""
        key = f"raise:{exc}:{msg}"
        f = self.helpers.get(key)
        if f is None:
            f = ir.Function(self.module, ir.FunctionType(VOID, []), name=f"pm.raise.{len(self._raisers)}")
            self._raisers.append(key)
            f.linkage = "internal"
            for attr in ("nounwind", "cold", "noinline"):
                f.attributes.add(attr)
            self.helpers[key] = f
            hb = ir.IRBuilder(f.append_basic_block("entry"))
            if exc == DEOPT or (exc, msg) in DEOPT_ERRORS:
                hb.call(self.capi.fn("PyErr_SetNone"), [hb.load(self.deopt_type(), typ=PTR)])
            else:
                exc_obj = hb.load(self.capi.exc(exc), typ=PTR)
                hb.call(self.capi.fn("PyErr_SetString"), [exc_obj, self.cstr(msg)])
            hb.ret_void()
        b.call(f, [])

    def deopt_type(self) -> ir.GlobalVariable:
        """The module's private deopt exception (made at init, see DEOPT_ERRORS)."""
        existing = self.module.globals.get(DEOPT_GLOBAL)
        if isinstance(existing, ir.GlobalVariable):
            return existing
        g = ir.GlobalVariable(self.module, PTR, name=DEOPT_GLOBAL)
        g.linkage = "internal"
        g.initializer = ir.Constant(PTR, None)
        return g

    def list_new_fn(self) -> ir.Function:
        """pm.list_new(len, elem_size) -> header (zeroed items) or NULL with MemoryError set."""

        def body(b: ir.IRBuilder, f: ir.Function) -> None:
            n, esize = f.args
            hdr = b.call(self.capi.fn("malloc"), [ir.Constant(I64, 32)])
            cap = b.select(b.icmp_signed("<", n, ir.Constant(I64, 4)), ir.Constant(I64, 4), n)
            data = b.call(self.capi.fn("calloc"), [cap, esize])
            bad = b.or_(b.icmp_unsigned("==", hdr, ir.Constant(PTR, None)),
                        b.icmp_unsigned("==", data, ir.Constant(PTR, None)))
            with b.if_then(bad, likely=False):
                b.call(self.capi.fn("free"), [hdr])
                b.call(self.capi.fn("free"), [data])
                b.call(self.capi.fn("PyErr_NoMemory"), [])
                b.ret(ir.Constant(PTR, None))
            b.store(n, b.gep(hdr, [ir.Constant(I32, 0), ir.Constant(I32, 0)], source_etype=LIST_HDR))
            b.store(cap, b.gep(hdr, [ir.Constant(I32, 0), ir.Constant(I32, 1)], source_etype=LIST_HDR))
            b.store(data, b.gep(hdr, [ir.Constant(I32, 0), ir.Constant(I32, 2)], source_etype=LIST_HDR))
            b.store(ir.Constant(I64, 1), b.gep(hdr, [ir.Constant(I32, 0), ir.Constant(I32, LIST_REFS)], source_etype=LIST_HDR))
            b.ret(hdr)

        return self.helper("pm.list_new", PTR, [I64, I64], body)

    def list_reserve_fn(self) -> ir.Function:
        """pm.list_reserve(hdr, needed, elem_size) -> error flag; grows capacity geometrically."""

        def body(b: ir.IRBuilder, f: ir.Function) -> None:
            hdr, need, esize = f.args
            capp = b.gep(hdr, [ir.Constant(I32, 0), ir.Constant(I32, 1)], source_etype=LIST_HDR)
            cap = b.load(capp, typ=I64)
            with b.if_then(b.icmp_signed("<=", need, cap), likely=True):
                b.ret(ir.Constant(I1, 0))
            doubled = b.add(cap, b.ashr(cap, ir.Constant(I64, 1)))
            newcap = b.select(b.icmp_signed(">", need, doubled), need, doubled)
            newcap = b.add(newcap, ir.Constant(I64, 4))
            datap = b.gep(hdr, [ir.Constant(I32, 0), ir.Constant(I32, 2)], source_etype=LIST_HDR)
            data = b.load(datap, typ=PTR)
            nbytes = b.mul(newcap, esize)
            new = b.call(self.capi.fn("realloc"), [data, nbytes])
            with b.if_then(b.icmp_unsigned("==", new, ir.Constant(PTR, None)), likely=False):
                b.call(self.capi.fn("PyErr_NoMemory"), [])
                b.ret(ir.Constant(I1, 1))
            b.store(new, datap)
            b.store(newcap, capp)
            b.ret(ir.Constant(I1, 0))

        return self.helper("pm.list_reserve", I1, [PTR, I64, I64], body)

    def drop_fn(self, ty: Ty) -> ir.Function:
        """pm.drop.<ty>(value): release what the value owns (NULL-safe)."""

        def body(b: ir.IRBuilder, f: ir.Function) -> None:
            v = f.args[0]
            if ty.kind == "String":
                b.call(self.capi.fn("Py_DecRef"), [v])
            elif ty.kind == "List":
                assert ty.elem is not None
                with b.if_then(b.icmp_unsigned("==", v, ir.Constant(PTR, None)), likely=False):
                    b.ret_void()
                refsp = b.gep(v, [ir.Constant(I32, 0), ir.Constant(I32, LIST_REFS)], source_etype=LIST_HDR)
                refs = b.load(refsp, typ=I64)
                with b.if_then(b.icmp_signed(">", refs, ir.Constant(I64, 1)), likely=False):
                    b.store(b.sub(refs, ir.Constant(I64, 1)), refsp)  # a loop still iterates over it
                    b.ret_void()
                data = b.load(b.gep(v, [ir.Constant(I32, 0), ir.Constant(I32, 2)], source_etype=LIST_HDR), typ=PTR)
                if ty.elem.needs_drop:
                    n = b.load(b.gep(v, [ir.Constant(I32, 0), ir.Constant(I32, 0)], source_etype=LIST_HDR), typ=I64)
                    elt = self.llty(ty.elem)
                    with counted_loop(b, n) as i:
                        item = b.load(b.gep(data, [i], source_etype=elt), typ=elt)
                        b.call(self.drop_fn(ty.elem), [item])
                b.call(self.capi.fn("free"), [data])
                b.call(self.capi.fn("free"), [v])
            elif ty.kind == "Struct":
                st = self.mir.structs[ty.name]
                for i, (_, fty) in enumerate(st.fields):
                    if fty.needs_drop:
                        b.call(self.drop_fn(fty), [b.extract_value(v, i)])
            b.ret_void()

        return self.helper(f"pm.drop.{mangle(ty)}", VOID, [self.llty(ty)], body)

    def copy_fn(self, ty: Ty) -> ir.Function:
        """pm.copy.<ty>(value) -> {copy, error}: a deep copy (value semantics)."""
        lt = self.llty(ty)
        rt = ir.LiteralStructType([lt, I1])

        def body(b: ir.IRBuilder, f: ir.Function) -> None:
            v = f.args[0]
            fail = ir.Constant(rt, ir.Undefined)
            fail = b.insert_value(fail, ir.Constant(I1, 1), 1)
            if ty.kind == "String":
                b.call(self.capi.fn("Py_IncRef"), [v])
                out: ir.Value = v
            elif ty.kind == "List":
                assert ty.elem is not None
                elt = self.llty(ty.elem)
                n = b.load(b.gep(v, [ir.Constant(I32, 0), ir.Constant(I32, 0)], source_etype=LIST_HDR), typ=I64)
                new = b.call(self.list_new_fn(), [n, ir.Constant(I64, self.size_of(ty.elem))])
                with b.if_then(b.icmp_unsigned("==", new, ir.Constant(PTR, None)), likely=False):
                    b.ret(fail)
                src = b.load(b.gep(v, [ir.Constant(I32, 0), ir.Constant(I32, 2)], source_etype=LIST_HDR), typ=PTR)
                dst = b.load(b.gep(new, [ir.Constant(I32, 0), ir.Constant(I32, 2)], source_etype=LIST_HDR), typ=PTR)
                if ty.elem.needs_drop:
                    with counted_loop(b, n) as i:
                        item = b.load(b.gep(src, [i], source_etype=elt), typ=elt)
                        r = b.call(self.copy_fn(ty.elem), [item])
                        with b.if_then(b.extract_value(r, 1), likely=False):
                            b.store(i, b.gep(new, [ir.Constant(I32, 0), ir.Constant(I32, 0)], source_etype=LIST_HDR))
                            b.call(self.drop_fn(ty), [new])
                            b.ret(fail)
                        b.store(b.extract_value(r, 0), b.gep(dst, [i], source_etype=elt))
                else:
                    b.call(self.capi.fn("memmove"), [dst, src, b.mul(n, ir.Constant(I64, self.size_of(ty.elem)))])
                out = new
            else:
                assert ty.kind == "Struct"
                st = self.mir.structs[ty.name]
                out = v
                for i, (_, fty) in enumerate(st.fields):
                    if fty.needs_drop:
                        r = b.call(self.copy_fn(fty), [b.extract_value(v, i)])
                        with b.if_then(b.extract_value(r, 1), likely=False):
                            b.ret(fail)  # fields copied so far leak: out of memory only
                        out = b.insert_value(out, b.extract_value(r, 0), i)
            ok = b.insert_value(ir.Constant(rt, ir.Undefined), out, 0)
            b.ret(b.insert_value(ok, ir.Constant(I1, 0), 1))

        return self.helper(f"pm.copy.{mangle(ty)}", rt, [lt], body)

    def default_fn(self, ty: Ty) -> ir.Function:
        """pm.default.<ty>() -> {value, error}: the zero value (0, 0.0, False, "", [], fields zeroed)."""
        lt = self.llty(ty)
        rt = ir.LiteralStructType([lt, I1])

        def body(b: ir.IRBuilder, f: ir.Function) -> None:
            fail = b.insert_value(ir.Constant(rt, ir.Undefined), ir.Constant(I1, 1), 1)
            if ty.kind == "List":
                assert ty.elem is not None
                v: ir.Value = b.call(self.list_new_fn(), [ir.Constant(I64, 0), ir.Constant(I64, self.size_of(ty.elem))])
                with b.if_then(b.icmp_unsigned("==", v, ir.Constant(PTR, None)), likely=False):
                    b.ret(fail)
            elif ty.kind == "String":
                v = b.load(self.str_global(""), typ=PTR)
                b.call(self.capi.fn("Py_IncRef"), [v])
            elif ty.kind == "Struct":
                v = ir.Constant(lt, None)
                for i, (_, fty) in enumerate(self.mir.structs[ty.name].fields):
                    if fty.needs_drop:
                        r = b.call(self.default_fn(fty), [])
                        with b.if_then(b.extract_value(r, 1), likely=False):
                            b.ret(fail)
                        v = b.insert_value(v, b.extract_value(r, 0), i)
            else:
                v = ir.Constant(lt, None)
            ok = b.insert_value(ir.Constant(rt, ir.Undefined), v, 0)
            b.ret(b.insert_value(ok, ir.Constant(I1, 0), 1))

        return self.helper(f"pm.default.{mangle(ty)}", rt, [], body)

    # --- numeric helpers with Python's exact semantics
    def float_floordiv_fn(self) -> ir.Function:
        def body(b: ir.IRBuilder, f: ir.Function) -> None:
            vx, wx = f.args
            self._zero_check(b, wx, "float floor division by zero", F64)
            mod = b.frem(vx, wx)
            div = b.fdiv(b.fsub(vx, mod), wx)
            zero = ir.Constant(F64, 0.0)
            fix = b.and_(b.fcmp_unordered("!=", mod, zero),
                         b.xor(b.fcmp_ordered("<", wx, zero), b.fcmp_ordered("<", mod, zero)))
            div = b.select(fix, b.fsub(div, ir.Constant(F64, 1.0)), div)
            fl = b.call(self.intrinsic("llvm.floor", F64), [div])
            fl = b.select(b.fcmp_ordered(">", b.fsub(div, fl), ir.Constant(F64, 0.5)), b.fadd(fl, ir.Constant(F64, 1.0)), fl)
            zres = b.call(self.intrinsic("llvm.copysign", F64, 2), [zero, b.fdiv(vx, wx)])
            res = b.select(b.fcmp_unordered("!=", div, zero), fl, zres)
            self._ret_ok(b, f, res)

        return self.helper("pm.float_floordiv", ir.LiteralStructType([F64, I1]), [F64, F64], body)

    def float_mod_fn(self) -> ir.Function:
        def body(b: ir.IRBuilder, f: ir.Function) -> None:
            vx, wx = f.args
            self._zero_check(b, wx, "float modulo", F64)
            mod = b.frem(vx, wx)
            zero = ir.Constant(F64, 0.0)
            fix = b.and_(b.fcmp_unordered("!=", mod, zero),
                         b.xor(b.fcmp_ordered("<", wx, zero), b.fcmp_ordered("<", mod, zero)))
            mod2 = b.select(fix, b.fadd(mod, wx), mod)
            zres = b.call(self.intrinsic("llvm.copysign", F64, 2), [zero, wx])
            self._ret_ok(b, f, b.select(b.fcmp_unordered("!=", mod, zero), mod2, zres))

        return self.helper("pm.float_mod", ir.LiteralStructType([F64, I1]), [F64, F64], body)

    def float_pow_fn(self) -> ir.Function:
        def body(b: ir.IRBuilder, f: ir.Function) -> None:
            x, y = f.args
            zero = ir.Constant(F64, 0.0)
            neg_finite_y = b.and_(b.fcmp_ordered("<", y, zero), b.fcmp_ordered(">", y, ir.Constant(F64, float("-inf"))))
            with b.if_then(b.and_(b.fcmp_ordered("==", x, zero), neg_finite_y), likely=False):
                self.set_error(b, "ZeroDivisionError", "0.0 cannot be raised to a negative power")
                self._ret_err(b, f)
            yint = b.fcmp_ordered("==", b.call(self.intrinsic("llvm.floor", F64), [y]), y)
            fin = b.and_(self._isfinite(b, x), self._isfinite(b, y))
            with b.if_then(b.and_(b.and_(b.fcmp_ordered("<", x, zero), b.not_(yint)), fin), likely=False):
                self.set_error(b, "ValueError", "negative number cannot be raised to a fractional power")
                self._ret_err(b, f)
            r = b.call(self.intrinsic("llvm.pow", F64, 2), [x, y])
            with b.if_then(b.and_(fin, b.not_(self._isfinite(b, r))), likely=False):
                self.set_error(b, "OverflowError", "(34, 'Numerical result out of range')")
                self._ret_err(b, f)
            self._ret_ok(b, f, r)

        return self.helper("pm.float_pow", ir.LiteralStructType([F64, I1]), [F64, F64], body)

    def int_pow_fn(self) -> ir.Function:
        def body(b: ir.IRBuilder, f: ir.Function) -> None:
            base, exp = f.args
            loop = f.append_basic_block("loop")
            done = f.append_basic_block("done")
            entry = b.block
            b.branch(loop)
            b.position_at_end(loop)
            acc = b.phi(I64)
            bs = b.phi(I64)
            e = b.phi(I64)
            acc.add_incoming(ir.Constant(I64, 1), entry)
            bs.add_incoming(base, entry)
            e.add_incoming(exp, entry)
            odd = b.trunc(e, I1)
            mul = b.call(self.intrinsic("llvm.smul.with.overflow", I64, 2, overflow=True), [acc, bs])
            ovf = b.and_(odd, b.extract_value(mul, 1))
            acc2 = b.select(odd, b.extract_value(mul, 0), acc)
            e2 = b.lshr(e, ir.Constant(I64, 1))
            more = b.icmp_signed(">", e2, ir.Constant(I64, 0))
            sq = b.call(self.intrinsic("llvm.smul.with.overflow", I64, 2, overflow=True), [bs, bs])
            ovf = b.or_(ovf, b.and_(more, b.extract_value(sq, 1)))
            with b.if_then(ovf, likely=False):
                self.set_error(b, "OverflowError", OVERFLOW_MSG)
                self._ret_err(b, f)
            cur = b.block
            acc.add_incoming(acc2, cur)
            bs.add_incoming(b.extract_value(sq, 0), cur)
            e.add_incoming(e2, cur)
            b.cbranch(more, loop, done)
            b.position_at_end(done)
            self._ret_ok(b, f, acc2)

        return self.helper("pm.int_pow", ir.LiteralStructType([I64, I1]), [I64, I64], body)

    def int_truediv_slow_fn(self) -> ir.Function:
        """a / b for ints beyond 2**53: let CPython round exactly (cold path)."""

        def body(b: ir.IRBuilder, f: ir.Function) -> None:
            x, y = f.args
            px = b.call(self.capi.fn("PyLong_FromLongLong"), [x])
            py = b.call(self.capi.fn("PyLong_FromLongLong"), [y])
            r = b.call(self.capi.fn("PyNumber_TrueDivide"), [px, py])
            b.call(self.capi.fn("Py_DecRef"), [px])
            b.call(self.capi.fn("Py_DecRef"), [py])
            with b.if_then(b.icmp_unsigned("==", r, ir.Constant(PTR, None)), likely=False):
                self._ret_err(b, f)
            d = b.call(self.capi.fn("PyFloat_AsDouble"), [r])
            b.call(self.capi.fn("Py_DecRef"), [r])
            self._ret_ok(b, f, d)

        return self.helper("pm.int_truediv_slow", ir.LiteralStructType([F64, I1]), [I64, I64], body)

    def _zero_check(self, b: ir.IRBuilder, w: ir.Value, msg: str, ty: ir.Type) -> None:
        f = b.function
        zero = ir.Constant(ty, 0.0 if ty == F64 else 0)
        isz = b.fcmp_ordered("==", w, zero) if ty == F64 else b.icmp_signed("==", w, zero)
        with b.if_then(isz, likely=False):
            self.set_error(b, "ZeroDivisionError", msg)
            self._ret_err(b, f)

    def _isfinite(self, b: ir.IRBuilder, x: ir.Value) -> ir.Value:
        return b.fcmp_ordered("<", b.call(self.intrinsic("llvm.fabs", F64), [x]), ir.Constant(F64, float("inf")))

    @staticmethod
    def _ret_err(b: ir.IRBuilder, f: ir.Function) -> None:
        rt = f.function_type.return_type
        b.ret(b.insert_value(ir.Constant(rt, ir.Undefined), ir.Constant(I1, 1), 1))

    @staticmethod
    def _ret_ok(b: ir.IRBuilder, f: ir.Function, v: ir.Value) -> None:
        rt = f.function_type.return_type
        ok = b.insert_value(ir.Constant(rt, ir.Undefined), v, 0)
        b.ret(b.insert_value(ok, ir.Constant(I1, 0), 1))

    def intrinsic_fn(self, name: str, ret: ir.Type, args: list[ir.Type]) -> ir.Function:
        """An intrinsic (or C function) declared by its full name."""
        existing = self.module.globals.get(name)
        if isinstance(existing, ir.Function):
            return existing
        return ir.Function(self.module, ir.FunctionType(ret, args), name=name)

    def intrinsic(self, name: str, ty: ir.Type, nargs: int = 1, *, overflow: bool = False) -> ir.Function:
        suffix = "i64" if ty == I64 else "f64"
        full = f"{name}.{suffix}"
        existing = self.module.globals.get(full)
        if isinstance(existing, ir.Function):
            return existing
        ret: ir.Type = ir.LiteralStructType([ty, I1]) if overflow else ty
        return ir.Function(self.module, ir.FunctionType(ret, [ty] * nargs), name=full)


def call_graph(mir: ModuleIR) -> dict[str, set[str]]:
    """fn key -> keys of the fns (and struct __init__s) its body calls."""
    callees: dict[str, set[str]] = {}
    for func in mir.all_functions():
        out: set[str] = set()
        for node in ast.walk(func.node):
            info = mir.calls.get(id(node))
            if info is None:
                continue
            if info.kind in ("fn", "method"):
                out.add(info.target)
            elif info.kind == "ctor" and "__init__" in mir.structs[info.target].methods:
                out.add(f"{info.target}.__init__")
        callees[func.key] = out
    return callees


def recursive_functions(mir: ModuleIR) -> set[str]:
    """Keys of the fns that can call themselves (directly or through others): they count their depth."""
    callees = call_graph(mir)
    found: set[str] = set()
    for start in callees:
        stack, seen = list(callees[start]), set()
        while stack:
            k = stack.pop()
            if k == start:
                found.add(start)
                break
            if k in seen:
                continue
            seen.add(k)
            stack.extend(callees.get(k, ()))
    return found


def functions_reaching(mir: ModuleIR, targets: set[str]) -> set[str]:
    """Keys of the fns that are in `targets` or call one of them, directly or through others: a call from
    Python into any of them must set the recursion budget the recursive ones check."""
    callees = call_graph(mir)
    found = set(targets)
    changed = True
    while changed:
        changed = False
        for key, out in callees.items():
            if key not in found and out & found:
                found.add(key)
                changed = True
    return found


@contextmanager
def counted_loop(b: ir.IRBuilder, n: ir.Value) -> Iterator[ir.Value]:
    """for i in range(n): ... as IR; yields i (the body must not terminate the block)."""
    f = b.function
    head = f.append_basic_block("cl.head")
    body = f.append_basic_block("cl.body")
    done = f.append_basic_block("cl.done")
    pre = b.block
    b.branch(head)
    b.position_at_end(head)
    i = b.phi(I64)
    i.add_incoming(ir.Constant(I64, 0), pre)
    b.cbranch(b.icmp_signed("<", i, n), body, done)
    b.position_at_end(body)
    yield i
    nxt = b.add(i, ir.Constant(I64, 1))
    i.add_incoming(nxt, b.block)
    b.branch(head)
    b.position_at_end(done)
