"""The checker's object tier: what a fn over `object` values may contain.

A fn whose signature names a type with no native representation (`object`, or any annotation
that is not Int, Float64, Bool, String, List[T] or a struct) runs every operation through the
C API, with CPython's exact semantics (tir/). This part of the checker accepts the constructs the
typed IR builds (tir/build.py) and refuses everything else with a diagnostic saying what to do,
so nothing is miscompiled.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from pymigrate.codegen.diagnostics import DYNAMIC, DYNAMIC_WHY
from pymigrate.codegen.tir.build import fn_local_names
from pymigrate.codegen.tir.closures import analyze
from pymigrate.codegen.tir.scopes import annotation_exprs, own_nodes
from pymigrate.codegen.types import OBJECT

if TYPE_CHECKING:
    from pymigrate.codegen.checker import Checker
    from pymigrate.codegen.ir import FuncIR

KEEP = "; keep this function a def"
STATEMENTS = {
    ast.Global: "global", ast.Nonlocal: "nonlocal",
    ast.ClassDef: "a nested class",
    ast.AsyncFunctionDef: "async def", ast.Match: "match", ast.AsyncFor: "async for", ast.AsyncWith: "async with",
}  # fmt: skip
EXPRESSIONS = {
    ast.Await: "await",
    ast.Yield: "yield", ast.YieldFrom: "yield from", ast.NamedExpr: "an assignment expression (:=)",
}  # fmt: skip
TRY_STAR = getattr(ast, "TryStar", None)
# builtins that read or change the calling Python frame, which a compiled fn does not have
FRAME_NAMES = {"super", "locals", "globals", "vars", "dir", "eval", "exec", "breakpoint", "__class__"}
CELL_NAMES = {"super", "__class__"}  # in a method: the class cell the compiler makes for the def
FRAME_ATTRS = {"_getframe", "currentframe", "_getframemodulename"}


class ObjectBodyChecker:
    def __init__(self, checker: Checker, func: FuncIR, lazy: bool = False) -> None:
        self.c = checker
        self.func = func
        self.lazy = lazy  # the module's `from __future__ import annotations`
        self.local = {p.name for p in func.params} | fn_local_names(func.node)
        self.handlers = 0  # except clauses around the statement (where a bare `raise` re-raises)

    def refuse(self, node: ast.AST, what: str, code: str = "PM316") -> None:
        self.c.error(node, f"{what} is not supported in an object fn yet{KEEP}", code)

    def statement_code(self, s: ast.stmt) -> str:
        """The analyzer's hint code: `try` (PM313), a global/nonlocal the fn assigns (PM309), else PM316."""
        if isinstance(s, ast.Try) or (TRY_STAR is not None and isinstance(s, TRY_STAR)):
            return "PM313"
        if isinstance(s, (ast.Global, ast.Nonlocal)) and self.local.intersection(s.names):
            return "PM309"
        return "PM316"

    def run(self) -> None:
        errors = len(self.c.diags)
        for s in self.func.node.body:
            self.stmt(s)
        self.func.locals = {name: OBJECT for name in sorted(self.local)}
        if len(self.c.diags) == errors:
            self.closures()

    def closures(self) -> None:
        """The cells and nested code objects of a fn that makes nested functions (tir/closures.py)."""
        node = self.func.node
        try:
            closures = analyze(node, self.func.origin or node, self.func.py_class, self.lazy)
        except SyntaxError as exc:  # what CPython's compiler says of the nested scopes (a bad nonlocal)
            self.c.error(node, f"{exc.msg}{KEEP}", "PM316")
            return
        self.func.closures = closures

    def nested_def(self, s: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        """A nested def stays Python: what the fn evaluates for it are its decorators, defaults and annotations."""
        for d in s.decorator_list:
            self.expr(d)
        for default in [*s.args.defaults, *s.args.kw_defaults]:
            self.expr(default)
        for a in annotation_exprs(s):
            if isinstance(a, ast.Starred):
                self.refuse(a, "a starred annotation")
            elif not self.lazy:
                self.expr(a)

    def stmt(self, s: ast.stmt) -> None:  # noqa: C901 - one case per statement
        if type(s) in STATEMENTS or (TRY_STAR is not None and isinstance(s, TRY_STAR)):
            self.refuse(s, STATEMENTS.get(type(s), "try/except*"), self.statement_code(s))
        elif isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self.nested_def(s)
        elif isinstance(s, ast.Expr):
            self.expr(s.value)
        elif isinstance(s, ast.Assign):
            self.expr(s.value)
            for t in s.targets:
                self.target(t)
        elif isinstance(s, ast.AnnAssign):
            if s.value is not None:
                self.expr(s.value)
                self.target(s.target)
            elif not isinstance(s.target, ast.Name):
                self.refuse(s, "an annotation of an attribute or item without a value")
        elif isinstance(s, ast.AugAssign):
            if isinstance(s.target, (ast.Attribute, ast.Subscript)):
                self.expr(s.target.value)
                self.expr(s.target.slice if isinstance(s.target, ast.Subscript) else None)
            self.expr(s.value)
        elif isinstance(s, ast.Return):
            self.expr(s.value)
        elif isinstance(s, (ast.If, ast.While)):
            self.expr(s.test)
            self.body(s.body)
            self.body(s.orelse)
        elif isinstance(s, ast.For):
            self.expr(s.iter)
            self.target(s.target)
            self.body(s.body)
            self.body(s.orelse)
        elif isinstance(s, ast.Try):
            self.body(s.body)
            self.handlers += 1
            for h in s.handlers:
                self.expr(h.type)
                self.body(h.body)
            self.handlers -= 1
            self.body(s.orelse)
            self.body(s.finalbody)  # a bare raise there needs a handler around (the normal path's)
        elif isinstance(s, ast.With):
            for item in s.items:
                self.expr(item.context_expr)
                if item.optional_vars is not None:
                    self.target(item.optional_vars)
            self.body(s.body)
        elif isinstance(s, ast.Raise):
            if s.exc is None and not self.handlers:
                self.c.error(s, f"a bare `raise` is not supported in an object fn yet (it re-raises the exception "
                                f"its caller handles){KEEP}", "PM316")
            self.expr(s.exc)
            self.expr(s.cause)
        elif isinstance(s, ast.Assert):
            self.expr(s.test)
            self.expr(s.msg)
        elif isinstance(s, ast.Delete):
            for t in s.targets:
                self.delete(t)
        elif isinstance(s, ast.ImportFrom) and any(a.name == "*" for a in s.names):
            self.refuse(s, "`import *`")
        elif not isinstance(s, (ast.Break, ast.Continue, ast.Pass, ast.Import, ast.ImportFrom)):
            self.refuse(s, type(s).__name__)

    def body(self, stmts: list[ast.stmt]) -> None:
        for s in stmts:
            self.stmt(s)

    def target(self, t: ast.expr) -> None:
        if isinstance(t, ast.Name):
            return
        if isinstance(t, (ast.Attribute, ast.Subscript)):
            self.expr(t)
        elif isinstance(t, (ast.Tuple, ast.List)):
            for e in t.elts:
                if isinstance(e, ast.Starred):
                    self.refuse(e, "starred assignment")
                else:
                    self.target(e)
        else:
            self.refuse(t, f"assigning to {ast.unparse(t)}")

    def delete(self, t: ast.expr) -> None:
        if isinstance(t, ast.Name):
            self.c.error(t, f"`del {t.id}` (unbinding a local) is not supported in an object fn yet{KEEP}", "PM316")
        elif isinstance(t, (ast.Tuple, ast.List)):
            for e in t.elts:
                self.delete(e)
        else:
            self.expr(t)

    def expr(self, e: ast.expr | None) -> None:
        if e is None:
            return
        # super(C, obj) names its class and object: a plain call; without arguments it reads the frame
        explicit = {id(n.func) for n in own_nodes(e, scope=False) if isinstance(n, ast.Call) and n.args}
        for node in own_nodes(e, scope=False):  # a lambda's body and a generator expression's are Python's
            if type(node) in EXPRESSIONS:
                self.refuse(node, EXPRESSIONS[type(node)])
                return
            if isinstance(node, ast.Constant) and isinstance(node.value, complex):
                self.refuse(node, "a complex literal")
            elif isinstance(node, ast.Name) and node.id == "super" and id(node) in explicit:
                continue
            elif isinstance(node, ast.Name) and node.id in CELL_NAMES and self.func.py_class is not None \
                    and node.id not in self.local:
                self.c.error(node, f"zero-argument super() and __class__ need the class cell, which a compiled "
                                   f"method does not have; write super({self.func.py_class}, self) or keep this "
                                   "method a def", "PM317")
            elif isinstance(node, ast.Name) and node.id in FRAME_NAMES and node.id not in self.local:
                code = DYNAMIC.get(node.id)
                if code in DYNAMIC_WHY:  # eval/exec, globals/locals/vars: the rule pages' codes and wording
                    self.c.error(node, f"`{node.id}()` {DYNAMIC_WHY[code]}", code)
                else:
                    self.c.error(node, f"'{node.id}' reads the calling frame, which a compiled fn does not have{KEEP}",
                                 "PM317")
            elif isinstance(node, ast.Attribute) and node.attr in FRAME_ATTRS:
                self.c.error(node, f"'{node.attr}' reads Python frames, which a compiled fn does not have{KEEP}", "PM317")
            elif isinstance(node, ast.comprehension) and node.is_async:
                self.refuse(node.target, "an async comprehension")


def check_object_body(checker: Checker, func: FuncIR, lazy: bool = False) -> None:
    ObjectBodyChecker(checker, func, lazy).run()
