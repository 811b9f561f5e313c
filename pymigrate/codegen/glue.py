"""The module's Python side: its plain-Python statements plus the glue the bindings need.

For a fn: a binder with the original signature (defaults evaluated where the
def stood), registered for the wrapper's keyword/default path. For a struct: a
class with __slots__ for its fields, __repr__ and __eq__; registering it makes
the native side attach its methods (and __init__) as method descriptors.
"""

from __future__ import annotations

import ast

from pymigrate.codegen.bindings import SlotPlan
from pymigrate.codegen.ir import FuncIR, ModuleIR, StructIR

REGISTER = "__pymigrate_register__"
BINDER = "__pymigrate_bind"


def _signature_args(func: FuncIR) -> ast.arguments:
    """The def's parameters without annotations (and without self for methods)."""
    a = func.node.args
    drop_self = False  # methods keep self, so CPython's arity messages count it as for the original def

    def strip(args: list[ast.arg]) -> list[ast.arg]:
        return [ast.arg(arg=x.arg) for x in args]

    posonly, args = strip(a.posonlyargs), strip(a.args)
    if drop_self:
        if posonly:
            posonly = posonly[1:]
        else:
            args = args[1:]
    return ast.arguments(
        posonlyargs=posonly,
        args=args,
        vararg=None,
        kwonlyargs=strip(a.kwonlyargs),
        kw_defaults=list(a.kw_defaults),
        kwarg=None,
        defaults=list(a.defaults),
    )


def _binder(func: FuncIR, qualname: str, slot: int) -> list[ast.stmt]:
    names = [p.name for p in func.params]
    ret = ast.Tuple(elts=[ast.Name(id=n, ctx=ast.Load()) for n in names], ctx=ast.Load())
    fdef = ast.FunctionDef(
        name=BINDER, args=_signature_args(func), body=[ast.Return(value=ret)], decorator_list=[], returns=None,
        type_comment=None,
    )  # fmt: skip
    rest = ast.parse(
        f"{BINDER}.__qualname__ = {qualname!r}\n{REGISTER}({slot}, {BINDER})\ndel {BINDER}\n"
    ).body
    return [fdef, *rest]


def _struct_class(st: StructIR, slot: int) -> list[ast.stmt]:
    fields = [f for f, _ in st.fields]
    reprs = ", ".join(f"{f}={{self.{f}!r}}" for f in fields)
    self_t = "(" + "".join(f"self.{f}, " for f in fields) + ")"
    other_t = "(" + "".join(f"other.{f}, " for f in fields) + ")"
    lines = [f"class {st.name}:"]
    doc = ast.get_docstring(st.node, clean=False)
    if doc is not None:
        lines.append(f"    {doc!r}")
    lines += [
        f"    __slots__ = {tuple(fields)!r}",
        f"    __match_args__ = {tuple(fields)!r}",
        "    def __repr__(self):",
        f"        return f{(st.name + '(' + reprs + ')')!r}",
        "    def __eq__(self, other):",
        "        if other.__class__ is not self.__class__:",
        "            return NotImplemented",
        f"        return {self_t} == {other_t}",
        "    __hash__ = None",
    ]
    if "__init__" not in st.methods:
        params = ", ".join(fields)
        lines.append(f"    def __init__(self, {params}):" if fields else "    def __init__(self):")
        lines += [f"        self.{f} = {f}" for f in fields] or ["        pass"]
    lines.append(f"{REGISTER}({slot}, {st.name})")
    return ast.parse("\n".join(lines) + "\n").body


def _place(stmts: list[ast.stmt], where: ast.stmt) -> list[ast.stmt]:
    for s in stmts:
        for node in ast.walk(s):
            if "lineno" in node._attributes:
                node.lineno = where.lineno  # type: ignore[attr-defined]
                node.col_offset = where.col_offset  # type: ignore[attr-defined]
                node.end_lineno = where.end_lineno  # type: ignore[attr-defined]
                node.end_col_offset = where.end_col_offset  # type: ignore[attr-defined]
    return stmts


def python_tree(tree: ast.Module, mir: ModuleIR, plan: SlotPlan) -> ast.Module:
    body: list[ast.stmt] = []
    fn_nodes = {id(f.node): f for f in mir.functions.values()}
    struct_nodes = {id(s.node): s for s in mir.structs.values()}
    for stmt in tree.body:
        if id(stmt) in fn_nodes:
            func = fn_nodes[id(stmt)]
            body += _place(_binder(func, func.name, plan.binders[func.key]), stmt)
        elif id(stmt) in struct_nodes:
            st = struct_nodes[id(stmt)]
            glue = _struct_class(st, plan.classes[st.name])
            for meth in st.methods.values():
                glue += _binder(meth, f"{st.name}.{meth.name}", plan.binders[meth.key])
            body += _place(glue, stmt)
        else:
            body.append(stmt)
    body += ast.parse(f"del {REGISTER}\n").body
    if tree.body:
        _place(body[-1:], tree.body[-1])
    else:
        ast.fix_missing_locations(ast.Module(body=body, type_ignores=[]))
    return ast.Module(body=body, type_ignores=list(tree.type_ignores))
