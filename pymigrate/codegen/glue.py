"""The module's Python side: its plain-Python statements plus the glue the bindings need.

For a fn: a binder with the original signature (defaults evaluated where the
def stood), registered for the wrapper's keyword/default path. For a struct: a
plain dataclass over its fields; registering it makes the native side attach
its methods (and __init__) as method descriptors.
"""

from __future__ import annotations

import ast
import copy

from pymigrate.codegen.bindings import SlotPlan
from pymigrate.codegen.ir import FuncIR, ModuleIR, StructIR
from pymigrate.codegen.reading import (
    ALIASED,
    PRELUDE,
    STRUCT_FIELDS,
    STRUCT_REFS,
    compiled_name,
    dependency_glue,
    reading_def,
    reading_name,
)
from pymigrate.codegen.tir.closures import CODES_HELPER, template_glue
from pymigrate.codegen.types import Ty

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
    # placeholders: the binder takes the reading's default objects (evaluated once, where the def stood)
    return ast.arguments(
        posonlyargs=posonly,
        args=args,
        vararg=ast.arg(arg=a.vararg.arg) if a.vararg else None,  # an object fn's *args and **kwargs
        kwonlyargs=strip(a.kwonlyargs),
        kw_defaults=[None if d is None else ast.Constant(value=None) for d in a.kw_defaults],
        kwarg=ast.arg(arg=a.kwarg.arg) if a.kwarg else None,
        defaults=[ast.Constant(value=None) for _ in a.defaults],
    )


def _binder(func: FuncIR, qualname: str, slot: int, bound: set[str] | None = None) -> list[ast.stmt]:
    """The binder: the def's signature returning the bound arguments, defaults shared with the reading."""
    names = [p.name for p in func.params]
    ret = ast.Tuple(elts=[ast.Name(id=n, ctx=ast.Load()) for n in names], ctx=ast.Load())
    fdef = ast.FunctionDef(
        name=BINDER, args=_signature_args(func), body=[ast.Return(value=ret)], decorator_list=[], returns=None,
        type_comment=None,
    )  # fmt: skip
    reading = reading_name(func.key)
    qual = ast.parse(
        f"{BINDER}.__qualname__ = {qualname!r}\n"
        f"{BINDER}.__defaults__ = {reading}.__defaults__\n{BINDER}.__kwdefaults__ = {reading}.__kwdefaults__\n"
    ).body
    rest = ast.parse(f"{REGISTER}({slot}, {BINDER})\ndel {BINDER}\n").body
    annotations = _binder_annotations(func, bound) if bound is not None else []
    return [fdef, *qual, *annotations, *rest]


SIGNATURE = "__pymigrate_signature"


def _binder_annotations(func: FuncIR, bound: set[str]) -> list[ast.stmt]:
    """Give the binder the def's annotations, evaluated as the def would (or kept as strings under
    `from __future__ import annotations`), so the fn's object shows the def's signature (fn_objects.py).

    A def of the annotations alone (no defaults, evaluated once) is made in a try: an annotation that
    cannot be evaluated (a name bound later, say, written in by the migrator) leaves the binder without
    annotations rather than failing the import.
    """
    types = {p.name: p.ty for p in func.params}

    def annotated(args: list[ast.arg]) -> list[ast.arg]:
        return [ast.arg(arg=x.arg, annotation=_annotation(x.annotation, types[x.arg], bound)) for x in args]

    a = func.node.args
    star = [None if x is None else annotated([x])[0] for x in (a.vararg, a.kwarg)]
    args = ast.arguments(
        posonlyargs=annotated(a.posonlyargs), args=annotated(a.args), vararg=star[0],
        kwonlyargs=annotated(a.kwonlyargs), kw_defaults=[None] * len(a.kwonlyargs), kwarg=star[1], defaults=[],
    )  # fmt: skip
    returns = _annotation(func.node.returns, func.ret, bound)
    sig = ast.FunctionDef(
        name=SIGNATURE, args=args, body=[ast.Pass()], decorator_list=[], returns=returns, type_comment=None,
    )  # fmt: skip
    copy = ast.parse(f"{BINDER}.__annotations__ = {SIGNATURE}.__annotations__\ndel {SIGNATURE}\n").body
    handler = ast.ExceptHandler(type=ast.Name(id="Exception", ctx=ast.Load()), name=None, body=[ast.Pass()])
    return [ast.Try(body=[sig, *copy], handlers=[handler], orelse=[], finalbody=[])]


def _annotation(node: ast.expr | None, ty: Ty, bound: set[str]) -> ast.expr | None:
    return None if node is None else _evaluable(node, ty, bound)


def _evaluable(node: ast.expr, ty: Ty, bound: set[str]) -> ast.expr:
    """The annotation as written, unless it spells a superset type Python cannot evaluate (then the
    Python type it stands for)."""
    used = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
    if used & (SUPERSET_TYPE_NAMES - bound):
        return ast.parse(ty.python_name(), mode="eval").body
    return node


SUPERSET_TYPE_NAMES = frozenset({"Int", "Float64", "Bool", "String", "List"})


def _module_names(tree: ast.Module) -> set[str]:
    """Names bound by the module's top-level imports, assignments and definitions."""
    names: set[str] = set()
    for stmt in tree.body:
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).partition(".")[0] for a in stmt.names}
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(stmt.name)
        elif isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            names |= {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    return names


def _lazy_annotations(tree: ast.Module) -> bool:
    """The module says `from __future__ import annotations`: annotations are kept as strings."""
    return any(
        isinstance(stmt, ast.ImportFrom) and stmt.module == "__future__" and any(a.name == "annotations" for a in stmt.names)
        for stmt in tree.body
    )


def _field_annotation(st: StructIR, name: str, bound: set[str]) -> str:
    """The field's annotation as written, unless it spells a superset type Python cannot evaluate."""
    ty = dict(st.fields)[name]
    for stmt in st.node.body:
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.target.id == name:
            return ast.unparse(_evaluable(stmt.annotation, ty, bound))
    return ty.python_name()


def _fieldwise_init(st: StructIR) -> bool:
    """True when the struct is built as a dataclass's generated __init__ builds it (no own __init__, or
    one taking exactly the fields, in order, without defaults)."""
    init = st.methods.get("__init__")
    if init is None:
        return True
    a = init.node.args
    names = [x.arg for x in a.posonlyargs + a.args][1:]
    plain = not (a.defaults or a.kwonlyargs or a.vararg or a.kwarg or a.posonlyargs)
    return plain and names == [f for f, _ in st.fields]


def _struct_class(st: StructIR, slot: int, bound: set[str], lazy: bool) -> list[ast.stmt]:
    """The struct's class: a plain @dataclass over its fields, as the class it was migrated from.

    The decorator writes __init__ (replaced by the native one on registration), __repr__, __eq__,
    __hash__ = None, __match_args__, __doc__ and the dataclass protocol (__dataclass_fields__ with
    real Field objects), so dataclasses.fields/asdict/astuple/replace and vars() work as before.
    """
    lines = ["@__import__('dataclasses').dataclass", f"class {st.name}:"]
    doc = ast.get_docstring(st.node, clean=False)
    if doc is not None:
        lines.append(f"    {doc!r}")
    # an explicit __annotations__: evaluated, or strings under the module's own `from __future__ import
    # annotations`, whatever future flags the Python side happens to be compiled with. The dataclass
    # resolves a string through sys.modules[__module__] and fails without it (as it would for the
    # original); a module run outside sys.modules (a test's jit.load) gets evaluated ones instead.
    texts = [(f, _field_annotation(st, f, bound)) for f, _ in st.fields]
    evaluated = "{" + ", ".join(f"{f!r}: {t}" for f, t in texts) + "}"
    if lazy:
        strings = "{" + ", ".join(f"{f!r}: {t!r}" for f, t in texts) + "}"
        evaluated = f"{strings} if __name__ in __import__('sys').modules else {evaluated}"
    lines.append(f"    __annotations__ = {evaluated}")
    if doc is None and not _fieldwise_init(st):
        lines.append(f"{st.name}.__doc__ = None")  # the dataclass's text would show the fields, not __init__
    lines.append(f"{STRUCT_FIELDS}[{st.name}] = {tuple(f for f, _ in st.fields)!r}")
    lines.append(f"{STRUCT_REFS}[{st.name}] = {tuple(f for f, t in st.fields if t.kind in ('List', 'Struct'))!r}")
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


def _reading(mir: ModuleIR, func: FuncIR, plan: SlotPlan, where: ast.stmt) -> list[ast.stmt]:
    """The fn's Python reading, the name of its compiled object beside it, and its registration."""
    reading = reading_name(func.key)
    obj = f"{func.owner}.{func.name}" if func.owner is not None else func.name
    glue = ast.parse(f"{compiled_name(func.key)} = {obj}\n{REGISTER}({plan.readings[func.key]}, {reading})\n").body
    return [*reading_def(mir, func), *_place(glue, where)]


DECORATOR = "__pymigrate_decorator"
# what type.__new__ makes of these names when the class body binds a plain function
IMPLICIT = {"__new__": "staticmethod", "__init_subclass__": "classmethod", "__class_getitem__": "classmethod"}


def _templates(func: FuncIR, plan: SlotPlan, where: ast.stmt) -> list[ast.stmt]:
    """For an object fn with nested scopes: its template, registering their code objects (tir/closures.py).
    The template keeps the def's own positions (the nested functions' lines and columns are the def's)."""
    if func.closures is None:
        return []
    written = func.origin or func.node
    template, *register = template_glue(written, func.closures, func.qualname, plan.codes[func.key], REGISTER)
    return [template, *_place(register, where)]


def _class_method(func: FuncIR, slot: int, bound: set[str], plan: SlotPlan) -> list[ast.stmt]:
    """In the class body, where the def stood: the def's decorators evaluated, then a binder made as the def
    (its defaults and annotations evaluated there, in the class scope), which registration turns into the
    compiled object with the binder's signature; the object, decorated, is bound to the method's name.
    Private names in these statements are mangled by Python as the def's are."""
    d = func.origin or func.node
    decorators = [f"{DECORATOR}{i}" for i in range(len(d.decorator_list))]
    stmts: list[ast.stmt] = [
        ast.Assign(targets=[ast.Name(id=n, ctx=ast.Store())], value=dec, lineno=d.lineno)
        for n, dec in zip(decorators, d.decorator_list)
    ]
    a = d.args

    def typed(args: list[ast.arg]) -> list[ast.arg]:
        return [ast.arg(arg=x.arg, annotation=_annotation(x.annotation, func.ret, bound)) for x in args]

    star = [None if x is None else typed([x])[0] for x in (a.vararg, a.kwarg)]
    args = ast.arguments(
        posonlyargs=typed(a.posonlyargs), args=typed(a.args), vararg=star[0], kwonlyargs=typed(a.kwonlyargs),
        kw_defaults=list(a.kw_defaults), kwarg=star[1], defaults=list(a.defaults),
    )  # fmt: skip
    names = [x.arg for x in (*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg) if x is not None]
    ret = ast.Tuple(elts=[ast.Name(id=n, ctx=ast.Load()) for n in names], ctx=ast.Load())
    stmts.append(ast.FunctionDef(
        name=BINDER, args=args, body=[ast.Return(value=ret)], decorator_list=[],
        returns=_annotation(d.returns, func.ret, bound), type_comment=None,
    ))  # fmt: skip
    value = f"{REGISTER}({slot}, {BINDER})"
    for n in reversed(decorators):
        value = f"{n}({value})"
    if not decorators and d.name in IMPLICIT:
        value = f"__import__('builtins').{IMPLICIT[d.name]}({value})"
    stmts += ast.parse(
        f"{BINDER}.__qualname__ = {func.qualname!r}\n{d.name} = {value}\ndel {', '.join([BINDER, *decorators])}\n"
    ).body
    if func.class_cell is not None:  # the class body's `__class__` cell, made as the def makes it, for the fn
        cell = f"__import__('builtins').globals()[{func.class_cell!r}] = (lambda: __class__).__closure__[0]\n"
        stmts[:0] = ast.parse(cell).body
    return _templates(func, plan, d) + _place(stmts, d)


def _ordinary_class(cls: ast.ClassDef, methods: dict[int, FuncIR], plan: SlotPlan, bound: set[str]) -> ast.ClassDef:
    """The class statement as written, each compiled method's def replaced by the glue binding its object."""
    body: list[ast.stmt] = []
    for stmt in cls.body:
        func = methods.get(id(stmt))
        body += [stmt] if func is None else _class_method(func, plan.binders[func.key], bound, plan)
    new = copy.copy(cls)
    new.body = body
    return new


def python_tree(tree: ast.Module, mir: ModuleIR, plan: SlotPlan) -> ast.Module:
    body: list[ast.stmt] = []
    fn_nodes = {id(f.node): f for f in mir.functions.values()}
    struct_nodes = {id(s.node): s for s in mir.structs.values()}
    methods = {id(f.origin or f.node): f for f in mir.class_methods.values()}
    classes = {id(c) for c in tree.body if isinstance(c, ast.ClassDef) and any(id(s) in methods for s in c.body)}
    bound = _module_names(tree)
    lazy = _lazy_annotations(tree)
    helper = CODES_HELPER if plan.codes else ""
    prelude = ast.parse(PRELUDE + helper + f"{REGISTER}({plan.aliased}, {ALIASED})\n").body
    for stmt in tree.body:
        if prelude and (id(stmt) in fn_nodes or id(stmt) in struct_nodes or id(stmt) in classes):
            body += _place(prelude, stmt)  # before the first fn or struct: after a docstring and __future__
            prelude = []
        if id(stmt) in fn_nodes:
            func = fn_nodes[id(stmt)]
            body += _templates(func, plan, stmt)
            body += _reading(mir, func, plan, stmt)
            body += _place(_binder(func, func.name, plan.binders[func.key], bound), stmt)
        elif id(stmt) in struct_nodes:
            st = struct_nodes[id(stmt)]
            body += _place(_struct_class(st, plan.classes[st.name], bound, lazy), stmt)
            for meth in st.methods.values():
                body += _reading(mir, meth, plan, stmt)
                body += _place(_binder(meth, f"{st.name}.{meth.name}", plan.binders[meth.key], bound), stmt)
        elif id(stmt) in classes:
            assert isinstance(stmt, ast.ClassDef)
            body.append(_ordinary_class(stmt, methods, plan, bound))
        else:
            body.append(stmt)
    if fn_nodes or struct_nodes or classes:
        slots = (plan.unchanged, plan.module_dict, plan.builtins_dict, plan.attrs_dict)
        body += ast.parse(dependency_glue(mir, REGISTER, slots)).body
    body += ast.parse(f"del {REGISTER}\n").body
    if tree.body:
        _place(body[-1:], tree.body[-1])
    else:
        ast.fix_missing_locations(ast.Module(body=body, type_ignores=[]))
    return ast.Module(body=body, type_ignores=list(tree.type_ignores))
