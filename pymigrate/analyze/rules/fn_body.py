"""PM3xx and PM5xx inside a function body: the constructs and types a `fn` supports.

The checker walks the body in source order with a table of local types, the way the compiler's
checker will, and reports the first reason each construct cannot compile. It is deliberately
conservative: anything it does not know to be supported is a blocker, with the construct named.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from pymigrate.analyze import typesys as T
from pymigrate.analyze.context import ModuleContext
from pymigrate.analyze.facts import FunctionFacts, ModuleFacts, literal_type
from pymigrate.analyze.index import ModuleIndex
from pymigrate.analyze.model import Finding
from pymigrate.analyze.rules import overflow
from pymigrate.control_flow import terminates
from pymigrate.mutation import changed_while_iterated, iterated_changed
from pymigrate.registry import BUILTIN_CALLS, EXCEPTIONS, MATH_CONSTANTS, MATH_FUNCTIONS

# the math functions the compiler supports, with their result types (the registry the checker reads)
MATH_RESULTS = {name: {"Int": T.INT, "Float64": T.FLOAT, "Bool": T.BOOL}[result]
                for name, (_, result) in MATH_FUNCTIONS.items()}
BUILTIN_EXCEPTIONS = frozenset(EXCEPTIONS)
ARITH_OPS: dict[type[ast.operator], str] = {
    ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//", ast.Mod: "%", ast.Pow: "**",
}
COMPARE_OPS = (ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE)


@dataclass
class Param:
    name: str
    type: str  # T.UNKNOWN when not annotated
    has_default: bool
    node: ast.arg


@dataclass
class Signature:
    params: list[Param]
    returns: str  # T.UNKNOWN when not annotated
    annotated_return: bool


@dataclass
class ModuleModel:
    """What every function's checker needs to know about the rest of the module."""

    ctx: ModuleContext
    facts: ModuleFacts
    structs: set[str]  # module-level classes a type may name
    index: ModuleIndex
    signatures: dict[str, Signature] = field(default_factory=dict)  # qualname -> signature
    fields: dict[str, dict[str, str]] = field(default_factory=dict)  # class -> field -> type

    def field_names(self) -> set[str]:
        return {name for fields in self.fields.values() for name in fields}

    def method_names(self) -> set[str]:
        return {name for cls in self.facts.top_classes.values() for name in cls.methods if not name.startswith("__")}


@dataclass
class BodyResult:
    blockers: list[Finding] = field(default_factory=list)
    calls: dict[str, ast.AST] = field(default_factory=dict)  # callee qualname -> first call site
    structs: dict[str, ast.AST] = field(default_factory=dict)  # class name -> first use
    return_types: list[str] = field(default_factory=list)
    falls_through: bool = False


class BodyChecker:
    def __init__(self, model: ModuleModel, fn: FunctionFacts, sig: Signature, self_struct: str | None,
                 init_fields: dict[str, str] | None = None) -> None:
        self.model = model
        self.ctx = model.ctx
        self.fn = fn
        self.sig = sig
        self.self_struct = self_struct
        self.init_fields = init_fields  # when checking __init__: fields are declared by first assignment
        self.env: dict[str, str] = {}
        self.out = BodyResult()
        self.loop_depth = 0
        self.locals = _assigned_names(fn.node, model.index)
        for i, p in enumerate(sig.params):
            if i == 0 and self_struct is not None:
                self.env[p.name] = T.struct_of(self_struct)
            else:
                self.env[p.name] = p.type

    # -- reporting ---------------------------------------------------------------------------
    def block(self, code: str, node: ast.AST, **fields: str) -> str:
        self.out.blockers.append(self.ctx.at(code, node, **fields))
        return T.BAD

    def unsupported(self, node: ast.AST, construct: str) -> str:
        return self.block("PM316", node, construct=construct)

    def type_error(self, node: ast.AST, what: str) -> str:
        return self.block("PM318", node, what=what)

    def rebound_builtin(self, name: str) -> str | None:
        """Why CPython may not find the builtin `name` (not a local) when the function runs, as the compiler's
        checker reads it: the module binds the name, or a star import of a module other than math (before or
        after the function: it runs later) may bind any name. None when the name is the builtin."""
        facts = self.model.facts
        if name in facts.module_names:
            return "is bound in this module"
        if facts.star_line:
            return f"may be bound by the star import on line {facts.star_line}"
        return None

    # -- statements --------------------------------------------------------------------------
    def run(self) -> BodyResult:
        body = self.fn.node.body
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                and isinstance(body[0].value.value, str):
            body = body[1:]
        self.stmts(body)
        self.out.falls_through = not terminates(body)
        return self.out

    def stmts(self, body: list[ast.stmt]) -> None:
        for stmt in body:
            self.stmt(stmt)

    def stmt(self, s: ast.stmt) -> None:
        method = getattr(self, "s_" + type(s).__name__, None)
        if method is None:
            self.unsupported(s, _STMT_NAMES.get(type(s).__name__, f"`{type(s).__name__}` statement"))
        else:
            method(s)

    def s_Pass(self, s: ast.Pass) -> None:
        pass

    def s_Break(self, s: ast.Break) -> None:
        pass

    def s_Continue(self, s: ast.Continue) -> None:
        pass

    def s_FunctionDef(self, s: ast.FunctionDef) -> None:
        self.unsupported(s, f"nested function definition `{s.name}`")

    def s_AsyncFunctionDef(self, s: ast.AsyncFunctionDef) -> None:
        self.unsupported(s, f"nested function definition `{s.name}`")

    def s_ClassDef(self, s: ast.ClassDef) -> None:
        self.unsupported(s, f"nested class definition `{s.name}`")

    def s_Try(self, s: ast.Try) -> None:
        self.block("PM313", s)

    s_TryStar = s_Try

    def s_Global(self, s: ast.Global) -> None:
        self._global(s, "global")

    def s_Nonlocal(self, s: ast.Nonlocal) -> None:
        self._global(s, "nonlocal")

    def _global(self, s: ast.Global | ast.Nonlocal, kind: str) -> None:
        written = [n for n in s.names if n in self.locals]
        for name in written:
            self.block("PM309", s, kind=kind, name=name)
        if not written:
            self.unsupported(s, f"`{kind}` declaration")

    def s_Expr(self, s: ast.Expr) -> None:
        if isinstance(s.value, ast.Call):
            self.expr(s.value, statement=True)
        elif isinstance(s.value, (ast.Yield, ast.YieldFrom, ast.Await)):
            pass  # reported once per function by the signature rules (PM305/PM306)
        elif isinstance(s.value, ast.Constant) and isinstance(s.value.value, str):
            pass  # a string used as a comment
        else:
            self.unsupported(s, "an expression statement that is not a call")

    def s_Return(self, s: ast.Return) -> None:
        if s.value is None:
            got = T.NONE
        elif isinstance(s.value, ast.Constant) and s.value.value is None:
            got = T.NONE
        else:
            got = self.expr(s.value)
            if got == T.INT and overflow.recursive_product(s.value, self.fn.node.name):
                self.block("PM503", s, name=self.fn.node.name)
        self.out.return_types.append(got)
        want = self.sig.returns
        if self.sig.annotated_return and not T.vague(got) and not T.vague(want) and got != want:
            self.type_error(s, f"returns `{T.show(got)}` where the annotation says `{T.show(want)}`")

    def s_Raise(self, s: ast.Raise) -> None:
        if s.cause is not None:
            self.unsupported(s, "`raise ... from ...`")
            return
        exc = s.exc
        if exc is None:
            self.unsupported(s, "a bare `raise`")
            return
        if isinstance(exc, ast.Call):
            func, args = exc.func, exc.args
            if exc.keywords or len(args) > 1:
                self.unsupported(s, "an exception built with more than one argument")
                return
        else:
            func, args = exc, []
        if not (isinstance(func, ast.Name) and func.id in BUILTIN_EXCEPTIONS and func.id not in self.locals):
            self.unsupported(s, f"`raise` of `{ast.unparse(func)}` (only builtin exception types)")
            return
        rebound = self.rebound_builtin(func.id)
        if rebound is not None:
            self.block("PM323", func, name=func.id, reason=rebound)
            return
        for arg in args:
            got = self.expr(arg)
            if not T.vague(got) and got != T.STR:
                self.type_error(arg, f"exception message is `{T.show(got)}`, not `str`")

    def s_If(self, s: ast.If) -> None:
        self.condition(s.test)
        self.stmts(s.body)
        self.stmts(s.orelse)

    def s_While(self, s: ast.While) -> None:
        if s.orelse:
            self.unsupported(s, "`else` on a loop")
        self.condition(s.test)
        self.loop(s.body)

    def s_For(self, s: ast.For) -> None:
        if s.orelse:
            self.unsupported(s, "`else` on a loop")
        if not isinstance(s.target, ast.Name):
            self.unsupported(s.target, "a loop target that is not a single name")
            return
        it = s.iter
        if isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.func.id == "range" \
                and "range" not in self.locals and self.rebound_builtin("range") is None:
            if it.keywords or not 1 <= len(it.args) <= 3:
                self.unsupported(it, "`range()` with keywords or more than three arguments")
            for arg in it.args:
                got = self.expr(arg)
                if not T.vague(got) and got != T.INT:
                    self.type_error(arg, f"`range()` argument is `{T.show(got)}`, not `int`")
            elem = T.INT
        else:
            got = self.expr(it)
            if T.is_list(got):
                elem = T.element(got)
                changed = changed_while_iterated(s.body, it)
                if changed is not None:
                    self.block("PM320", changed, name=self.fn.qualname, reason=iterated_changed(ast.unparse(it)))
            elif got == T.STR:
                elem = T.STR
            elif T.vague(got):
                elem = T.UNKNOWN if got == T.UNKNOWN else T.BAD
            else:
                self.unsupported(it, f"a `for` loop over `{T.show(got)}` (only `range()`, lists and str)")
                elem = T.BAD
        self.bind(s.target, elem, s.target)
        self.loop(s.body)

    def loop(self, body: list[ast.stmt]) -> None:
        self.loop_depth += 1
        self.stmts(body)
        self.loop_depth -= 1

    def condition(self, test: ast.expr) -> None:
        got = self.expr(test)
        if not T.vague(got) and got != T.BOOL:
            self.unsupported(test, f"a truth test of a `{T.show(got)}` value (compare explicitly)")

    def s_Assign(self, s: ast.Assign) -> None:
        if len(s.targets) != 1:
            self.unsupported(s, "chained assignment")
            return
        target = s.targets[0]
        if isinstance(target, ast.Name) and isinstance(s.value, ast.List) and not s.value.elts:
            declared = self.env.get(target.id)
            if declared is None:
                self.type_error(s, f"the element type of `{target.id} = []` is unknown (annotate it: "
                                   f"`{target.id}: list[float] = []`)")
                self.env[target.id] = T.BAD
            return
        value = self.expr(s.value)
        if isinstance(target, ast.Name) and value == T.INT and self.loop_depth \
                and overflow.product_into(target.id, s.value):
            self.block("PM502", s, name=target.id)
        self.store(target, value, s)

    def s_AnnAssign(self, s: ast.AnnAssign) -> None:
        ann = T.annotation(s.annotation, self.model.structs)
        where = ast.unparse(s.target)
        if ann.any:
            self.block("PM311", s.annotation, where=where)
            declared = T.BAD
        elif ann.type is None or ann.type == T.NONE:
            self.block("PM312", s.annotation, where=where, type=ann.text)
            declared = T.BAD
        else:
            declared = ann.type
        if s.value is None:
            if isinstance(s.target, ast.Name):
                self.unsupported(s, "a local declared without a value")
            return
        if isinstance(s.value, ast.List) and not s.value.elts and T.is_list(declared):
            value = declared
        else:
            value = self.expr(s.value)
        if not T.vague(value) and not T.vague(declared) and value != declared:
            self.type_error(s.value, f"`{where}` is annotated `{T.show(declared)}` but is given a "
                                     f"`{T.show(value)}`")
        if isinstance(s.target, ast.Name):
            self.bind(s.target, declared, s)
        elif isinstance(s.target, ast.Attribute) and self.init_fields is not None \
                and _is_self(s.target.value, self.sig):
            self.init_fields.setdefault(s.target.attr, declared)
        else:
            self.store(s.target, declared, s)

    def s_AugAssign(self, s: ast.AugAssign) -> None:
        current = self.expr(s.target) if not isinstance(s.target, ast.Name) or s.target.id in self.env \
            else self.type_error(s.target, f"local `{s.target.id}` is used before its first assignment")
        value = self.expr(s.value)
        result = self.binop(s, s.op, current, value, s.value)
        if isinstance(s.target, ast.Name) and isinstance(s.op, ast.Mult) and current == T.INT and self.loop_depth:
            self.block("PM502", s, name=s.target.id)
        if not T.vague(result) and not T.vague(current) and result != current:
            self.type_error(s, f"`{ast.unparse(s.target)}` is `{T.show(current)}` but becomes "
                               f"`{T.show(result)}` here")

    def store(self, target: ast.expr, value: str, node: ast.AST) -> None:
        if isinstance(target, ast.Name):
            self.bind(target, value, node)
        elif isinstance(target, ast.Subscript):
            slot = self.expr(target)
            if not T.vague(slot) and not T.vague(value) and slot != value:
                self.type_error(node, f"a `{T.show(value)}` is stored into a `{T.show(slot)}` element")
        elif isinstance(target, ast.Attribute):
            if self.init_fields is not None and _is_self(target.value, self.sig):
                known = self.init_fields.get(target.attr)
                if known is None:
                    self.init_fields[target.attr] = value
                    return
                if not T.vague(known) and not T.vague(value) and known != value:
                    self.type_error(node, f"field `{target.attr}` is `{T.show(known)}` but is given a "
                                          f"`{T.show(value)}`")
                return
            slot = self.expr(target)
            if not T.vague(slot) and not T.vague(value) and slot != value:
                self.type_error(node, f"field `{ast.unparse(target)}` is `{T.show(slot)}` but is given a "
                                      f"`{T.show(value)}`")
        else:
            self.unsupported(target, "unpacking assignment")

    def bind(self, target: ast.Name, value: str, node: ast.AST) -> None:
        known = self.env.get(target.id)
        if known is None:
            self.env[target.id] = value
        elif not T.vague(known) and not T.vague(value) and known != value:
            self.type_error(node, f"local `{target.id}` is `{T.show(known)}` but is bound to a "
                                  f"`{T.show(value)}` here")

    # -- expressions -------------------------------------------------------------------------
    def expr(self, e: ast.expr, statement: bool = False) -> str:
        if isinstance(e, ast.Call):
            return self.call(e, statement)
        method = getattr(self, "e_" + type(e).__name__, None)
        if method is None:
            return self.unsupported(e, _EXPR_NAMES.get(type(e).__name__, f"`{type(e).__name__}` expression"))
        result: str = method(e)
        return result

    def e_Constant(self, e: ast.Constant) -> str:
        kind = literal_type(e)
        if kind is not None:
            return kind
        if type(e.value) is int:
            return self.unsupported(e, "an integer literal wider than 64 bits")
        if e.value is None:
            return self.unsupported(e, "`None` as a value")
        return self.unsupported(e, f"a `{type(e.value).__name__}` literal")

    def e_Name(self, e: ast.Name) -> str:
        if e.id in self.env:
            return self.env[e.id]
        if e.id in self.locals:
            return self.type_error(e, f"local `{e.id}` is used before its first assignment")
        facts = self.model.facts
        if e.id in facts.constants:
            return facts.constants[e.id]
        if facts.math_names.get(e.id) in MATH_CONSTANTS:
            return T.FLOAT
        if e.id in facts.top_functions or e.id in facts.top_classes:
            return self.unsupported(e, f"`{e.id}` used as a value")
        return self.unsupported(e, f"a reference to `{e.id}` (only locals, parameters and module constants "
                                   f"bound once to a literal)")

    def e_Attribute(self, e: ast.Attribute) -> str:
        if isinstance(e.value, ast.Name) and self.model.facts.math_names.get(e.value.id) == "" \
                and e.value.id not in self.env:
            if e.attr in MATH_CONSTANTS:
                return T.FLOAT
            return self.unsupported(e, f"`math.{e.attr}` as a value")
        owner = self.expr(e.value)
        cls = T.struct_name(owner)
        if cls is not None:
            fields = self.model.fields.get(cls, {})
            if e.attr in fields:
                return fields[e.attr]
            if self.init_fields is not None and cls == self.self_struct and e.attr in self.init_fields:
                return self.init_fields[e.attr]
            return self.type_error(e, f"`{cls}` has no field `{e.attr}`")
        if owner == T.BAD or (owner == T.UNKNOWN and e.attr in self.model.field_names()):
            return owner  # may be a struct's field once the type is known
        if owner == T.UNKNOWN:
            return self.unsupported(e, f"attribute `.{e.attr}` (no struct of this module has that field)")
        return self.unsupported(e, f"attribute `.{e.attr}` of a `{T.show(owner)}`")

    def e_Subscript(self, e: ast.Subscript) -> str:
        if isinstance(e.slice, ast.Slice):
            return self.unsupported(e, "slicing")
        container = self.expr(e.value)
        index = self.expr(e.slice)
        if not T.vague(index) and index != T.INT:
            self.type_error(e.slice, f"index is `{T.show(index)}`, not `int`")
        if T.is_list(container):
            return T.element(container)
        if container == T.STR:
            return T.STR
        if T.vague(container):
            return container
        return self.unsupported(e, f"indexing a `{T.show(container)}`")

    def e_List(self, e: ast.List) -> str:
        if not e.elts:
            return self.type_error(e, "the element type of `[]` is unknown here (bind it to an annotated local)")
        kinds = [self.expr(elt) for elt in e.elts]
        if any(isinstance(elt, ast.Starred) for elt in e.elts):
            return self.unsupported(e, "`*` unpacking in a list")
        settled = {k for k in kinds if not T.vague(k)}
        if len(settled) > 1:
            return self.type_error(e, "list elements of different types: " + ", ".join(sorted(map(T.show, settled))))
        if len(settled) == 1 and len(settled) == len(set(kinds)):
            return T.list_of(settled.pop())
        return T.UNKNOWN if T.UNKNOWN in kinds else T.BAD

    def e_UnaryOp(self, e: ast.UnaryOp) -> str:
        operand = self.expr(e.operand)
        if isinstance(e.op, ast.Not):
            if not T.vague(operand) and operand != T.BOOL:
                return self.unsupported(e, f"`not` of a `{T.show(operand)}` value")
            return T.BOOL
        if isinstance(e.op, (ast.USub, ast.UAdd)):
            if T.vague(operand) or operand in T.NUMERIC:
                return operand
            return self.unsupported(e, f"unary `{'-' if isinstance(e.op, ast.USub) else '+'}` on a "
                                       f"`{T.show(operand)}`")
        return self.unsupported(e, "operator `~`")

    def e_BinOp(self, e: ast.BinOp) -> str:
        left = self.expr(e.left)
        right = self.expr(e.right)
        return self.binop(e, e.op, left, right, e.right)

    def binop(self, e: ast.AST, op: ast.operator, left: str, right: str, right_node: ast.expr) -> str:
        symbol = ARITH_OPS.get(type(op))
        if symbol is None:
            return self.unsupported(e, f"operator `{_OP_SYMBOLS.get(type(op).__name__, '?')}`")
        if T.BAD in (left, right):
            return T.BAD
        if isinstance(op, ast.Mult) and T.is_list(left) and right in (T.INT, T.UNKNOWN):
            return left
        if isinstance(op, ast.Add) and left == right == T.STR:
            return T.STR
        if T.UNKNOWN in (left, right):
            return T.UNKNOWN
        if left not in T.NUMERIC or right not in T.NUMERIC:
            return self.unsupported(e, f"`{T.show(left)} {symbol} {T.show(right)}`")
        if isinstance(op, ast.Div):
            return T.FLOAT
        if isinstance(op, ast.Pow):
            if right == T.FLOAT:
                return self.unsupported(e, "`**` with a float exponent (a negative base gives a complex)")
            if left == T.INT:
                if overflow.risky_power(right_node):
                    self.block("PM501", e)
                if not (isinstance(right_node, ast.Constant) and type(right_node.value) is int):
                    return self.unsupported(e, "`int ** int` with a computed exponent (a negative exponent "
                                               "gives a float)")
            return left
        return T.FLOAT if T.FLOAT in (left, right) else T.INT

    def e_BoolOp(self, e: ast.BoolOp) -> str:
        for value in e.values:
            got = self.expr(value)
            if not T.vague(got) and got != T.BOOL:
                return self.unsupported(value, f"`{'and' if isinstance(e.op, ast.And) else 'or'}` on a "
                                               f"`{T.show(got)}` value")
        return T.BOOL

    def e_Compare(self, e: ast.Compare) -> str:
        left = self.expr(e.left)
        for op, right_node in zip(e.ops, e.comparators):
            right = self.expr(right_node)
            if not isinstance(op, COMPARE_OPS):
                return self.unsupported(e, f"the `{_CMP_SYMBOLS.get(type(op).__name__, '?')}` comparison")
            if not (T.vague(left) or T.vague(right)):
                ordered = not isinstance(op, (ast.Eq, ast.NotEq))
                ok = (left in T.NUMERIC and right in T.NUMERIC) or (left == right and left in (T.STR, T.BOOL)
                                                                    and not (ordered and left == T.BOOL))
                if not ok:
                    return self.unsupported(e, f"comparing `{T.show(left)}` with `{T.show(right)}`")
            left = right
        return T.BOOL

    # -- calls -------------------------------------------------------------------------------
    def call(self, e: ast.Call, statement: bool) -> str:
        if any(isinstance(a, ast.Starred) for a in e.args) or any(k.arg is None for k in e.keywords):
            return self.unsupported(e, "argument unpacking (`*`/`**`)")
        func = e.func
        facts = self.model.facts
        if isinstance(func, ast.Name):
            name = func.id
            shadowed = name in self.env or name in self.locals
            if not shadowed and name not in facts.module_names:
                if name in ("eval", "exec"):
                    return self.block("PM301", e, name=name)
                if name in ("globals", "locals", "vars"):
                    return self.block("PM302", e, name=name)
                if name in ("getattr", "setattr", "delattr", "hasattr"):
                    computed = len(e.args) < 2 or not (isinstance(e.args[1], ast.Constant)
                                                      and isinstance(e.args[1].value, str))
                    if computed:
                        return self.block("PM303", e, name=name)
                    return self.block("PM317", e, name=name)
                if name in BUILTIN_CALLS and not facts.star_line:
                    return self.builtin(e, name)
            if not shadowed and name in facts.top_functions:
                fn = facts.top_functions[name]
                self.out.calls.setdefault(fn.qualname, e)
                return self.check_args(e, fn.qualname, name, skip_self=False)
            if not shadowed and name in facts.top_classes and name in self.model.structs:
                self.out.structs.setdefault(name, e)
                cls_facts = facts.top_classes[name]
                init = cls_facts.methods.get("__init__")
                if init is not None:
                    self.out.calls.setdefault(init.qualname, e)
                    self.check_args(e, init.qualname, name, skip_self=True)
                elif cls_facts.qualname + ".__init__" in self.model.signatures:
                    self.check_args(e, cls_facts.qualname + ".__init__", name, skip_self=True)
                return T.struct_of(name)
            if not shadowed and name in facts.math_names and facts.math_names[name]:
                return self.math(e, facts.math_names[name])
            rebound = self.rebound_builtin(name) if name in BUILTIN_CALLS and not shadowed else None
            if rebound is not None:
                return self.block("PM323", func, name=name, reason=rebound)
            return self.block("PM317", e, name=name)
        if isinstance(func, ast.Attribute):
            if isinstance(func.value, ast.Name) and facts.math_names.get(func.value.id) == "" \
                    and func.value.id not in self.env and func.value.id not in self.locals:
                return self.math(e, func.attr)
            owner = self.expr(func.value)
            cls = T.struct_name(owner)
            if cls is not None:
                method = facts.top_classes[cls].methods.get(func.attr) if cls in facts.top_classes else None
                if method is None or func.attr.startswith("__"):
                    return self.block("PM317", e, name=ast.unparse(func))
                self.out.calls.setdefault(method.qualname, e)
                return self.check_args(e, method.qualname, ast.unparse(func), skip_self=True)
            if T.is_list(owner) and func.attr == "append" and len(e.args) == 1 and not e.keywords:
                got = self.expr(e.args[0])
                if not T.vague(got) and got != T.element(owner):
                    self.type_error(e, f"appending a `{T.show(got)}` to a `{T.show(owner)}`")
                return T.NONE
            if T.is_list(owner) and func.attr == "pop" and not e.args and not e.keywords:
                return T.element(owner)
            if owner == T.UNKNOWN and (func.attr in ("append", "pop") or func.attr in self.model.method_names()):
                return T.UNKNOWN  # may be fine once the receiver's type is known
            if owner == T.BAD:
                return T.BAD
            return self.block("PM317", e, name=ast.unparse(func))
        return self.block("PM317", e, name=ast.unparse(func))

    def check_args(self, e: ast.Call, qualname: str, shown: str, skip_self: bool) -> str:
        sig = self.model.signatures.get(qualname)
        if sig is None:
            return T.UNKNOWN
        params = sig.params[1:] if skip_self else sig.params
        if len(e.args) > len(params):
            return self.type_error(e, f"`{shown}` takes {len(params)} arguments, {len(e.args)} given")
        given = {p.name: arg for p, arg in zip(params, e.args)}
        by_name = {p.name: p for p in params}
        for kw in e.keywords:
            if kw.arg not in by_name or kw.arg in given:
                return self.type_error(kw, f"`{shown}` has no parameter `{kw.arg}` to pass by keyword")
            given[kw.arg] = kw.value
        for p in params:
            if p.name not in given:
                if not p.has_default:
                    return self.type_error(e, f"`{shown}` is called without its parameter `{p.name}`")
                continue
            got = self.expr(given[p.name])
            if not T.vague(got) and not T.vague(p.type) and got != p.type:
                self.type_error(given[p.name], f"`{shown}` expects `{T.show(p.type)}` for `{p.name}`, "
                                               f"given a `{T.show(got)}`")
        return sig.returns if sig.annotated_return else T.UNKNOWN

    def builtin(self, e: ast.Call, name: str) -> str:
        if e.keywords:
            return self.unsupported(e, f"keyword arguments to `{name}()`")
        args = [self.expr(a) for a in e.args]
        if name == "range":
            return self.unsupported(e, "`range()` outside a `for` loop header")
        if name in ("min", "max"):
            if len(args) == 1 and T.is_list(args[0]):
                args = [T.element(args[0])]  # of a list's elements (an empty list raises ValueError)
            elif len(args) < 2:
                return self.unsupported(e, f"`{name}()` of an iterable (pass the values as arguments)")
            settled = {a for a in args if not T.vague(a)}
            if T.BAD in args:
                return T.BAD
            if not settled <= {*T.NUMERIC, T.BOOL}:
                return self.unsupported(e, f"`{name}()` of non-numbers")
            if settled == set(T.NUMERIC):
                return self.type_error(e, f"`{name}()` of an int and a float returns either type")
            if len(settled) > 1:
                return self.type_error(e, f"`{name}()` of a bool and a number returns either type")
            return settled.pop() if settled and len(set(args)) == 1 else T.UNKNOWN
        converted = {"float": T.FLOAT, "int": T.INT, "bool": T.BOOL}
        if not args and name in converted:
            return converted[name]  # float() is 0.0, int() is 0, bool() is False
        if len(args) != 1:
            return self.unsupported(e, f"`{name}()` with {len(args)} arguments")
        arg = args[0]
        if T.vague(arg):
            return {"len": T.INT, **converted}.get(name, arg)
        if name == "len":
            if T.is_list(arg) or arg == T.STR:
                return T.INT
        elif name == "abs":
            if arg in T.NUMERIC:
                return arg
            if arg == T.BOOL:
                return T.INT  # abs(True) is 1
        elif name in ("float", "int"):
            if arg in T.NUMERIC or arg == T.BOOL:
                return converted[name]
        elif name == "bool":  # the truth value, as `if x:` tests it
            if arg in T.NUMERIC or arg in (T.BOOL, T.STR) or T.is_list(arg):
                return T.BOOL
        return self.unsupported(e, f"`{name}()` of a `{T.show(arg)}`")

    def math(self, e: ast.Call, attr: str) -> str:
        if e.keywords:
            return self.unsupported(e, f"keyword arguments to `math.{attr}()`")
        args = [self.expr(a) for a in e.args]
        for node, got in zip(e.args, args):
            if not T.vague(got) and got not in T.NUMERIC:
                return self.type_error(node, f"`math.{attr}()` of a `{T.show(got)}`")
        if attr in MATH_RESULTS:
            return MATH_RESULTS[attr]
        return self.block("PM317", e, name=f"math.{attr}")


def _is_self(node: ast.expr, sig: Signature) -> bool:
    return isinstance(node, ast.Name) and bool(sig.params) and node.id == sig.params[0].name


def _assigned_names(fn: ast.FunctionDef | ast.AsyncFunctionDef, index: ModuleIndex) -> set[str]:
    """Names the function binds itself (its locals), not those of nested scopes."""
    names = set(index.scope(fn).stored)
    names.update(a.arg for a in (*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs))
    for extra in (fn.args.vararg, fn.args.kwarg):
        if extra is not None:
            names.add(extra.arg)
    return names




_STMT_NAMES = {
    "With": "a `with` statement", "AsyncWith": "an `async with` statement", "AsyncFor": "an `async for` loop",
    "Delete": "a `del` statement", "Assert": "an `assert` statement", "Import": "an `import` inside a function",
    "ImportFrom": "an `import` inside a function", "Match": "a `match` statement",
}
_EXPR_NAMES = {
    "Lambda": "a `lambda`", "ListComp": "a list comprehension", "SetComp": "a set comprehension",
    "DictComp": "a dict comprehension", "GeneratorExp": "a generator expression", "JoinedStr": "an f-string",
    "Tuple": "a tuple", "Dict": "a dict", "Set": "a set", "IfExp": "a conditional expression",
    "NamedExpr": "an assignment expression (`:=`)", "Starred": "`*` unpacking", "Await": "`await`",
    "Yield": "`yield`", "YieldFrom": "`yield from`", "Slice": "slicing", "FormattedValue": "an f-string",
}
_OP_SYMBOLS = {"BitAnd": "&", "BitOr": "|", "BitXor": "^", "LShift": "<<", "RShift": ">>", "MatMult": "@"}
_CMP_SYMBOLS = {"Is": "is", "IsNot": "is not", "In": "in", "NotIn": "not in"}
