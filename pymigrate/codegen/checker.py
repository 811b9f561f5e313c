"""The type checker: the one authority on what compiles.

It walks every `fn` and `struct` of a superset module, gives every expression a
type, resolves every call and reports each problem as a diagnostic that says
what to write instead. Its output is the typed program of `ir.py`.
"""

from __future__ import annotations

import ast
import copy
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from pymigrate.codegen.checker_object import check_object_body
from pymigrate.codegen.definite import unbound_reads
from pymigrate.codegen.diagnostics import DYNAMIC, DYNAMIC_WHY, TYPE_ERROR, CompileError, Diagnostic
from pymigrate.codegen.fill import returns_value
from pymigrate.codegen.ir import CallInfo, FuncIR, ModuleIR, Param, StructIR
from pymigrate.codegen.marks import MarkedModule
from pymigrate.codegen.tir.build import ClassCell, fn_local_names
from pymigrate.codegen.tir.closures import nested_scopes
from pymigrate.codegen.tir.scopes import own_nodes
from pymigrate.codegen.types import (
    BOOL,
    FLOAT,
    INT,
    NONE,
    OBJECT,
    STRING,
    AnnotationError,
    Ty,
    list_of,
    parse_annotation,
    parse_signature_annotation,
    struct_ty,
)
from pymigrate.mutation import root_name
from pymigrate.registry import BUILTIN_CALLS, MATH_FUNCTIONS
from pymigrate.registry import EXCEPTIONS as EXCEPTIONS  # re-exported: the compiler's names for them
from pymigrate.registry import MATH_CONSTANTS as MATH_CONSTANTS

INT_MIN = -(2**63)
INT_MAX = 2**63 - 1

# math functions: name -> (argument count, result type), from the registry the analyzer reads too
MATH_FUNCS: dict[str, tuple[int, Ty]] = {
    name: (arity, {"Float64": FLOAT, "Int": INT, "Bool": BOOL}[result])
    for name, (arity, result) in MATH_FUNCTIONS.items()
}

UNSUPPORTED_STMT = {
    ast.Try: "try/except",
    ast.With: "with",
    ast.Global: "global",
    ast.Nonlocal: "nonlocal",
    ast.Delete: "del",
    ast.Import: "import",
    ast.ImportFrom: "import",
    ast.FunctionDef: "a nested def",
    ast.ClassDef: "a nested class",
    ast.AsyncFunctionDef: "async def",
    ast.Match: "match",
}


def math_bindings(stmt: ast.stmt) -> dict[str, str]:
    """The names a module-level statement binds to the `math` module ("") or to one of its attributes.

    Every `from math import name` is recorded; a use only compiles when the attribute is in
    MATH_FUNCS or MATH_CONSTANTS. The analyzer reads the same table (pymigrate.analyze.facts).
    """
    if isinstance(stmt, ast.Import):
        return {alias.asname or "math": "" for alias in stmt.names if alias.name == "math"}
    if isinstance(stmt, ast.ImportFrom) and stmt.module == "math" and stmt.level == 0:
        return {alias.asname or alias.name: alias.name for alias in stmt.names if alias.name != "*"}
    return {}


MATH_PUBLIC = frozenset(name for name in dir(math) if not name.startswith("_"))  # what `from math import *` binds


def module_binding_counts(tree: ast.Module) -> Counter[str]:
    """How many times each name is bound in the module's own scope (see ModuleScan.counts)."""
    return scan_module(tree).counts


@dataclass(frozen=True)
class ModuleScan:
    """The module-level rebinding facts the checker and the analyzer share, from one pass over the nodes.

    `counts`: how many times each name is bound in the module's own scope, wherever the binding sits at
    module level (inside if/try/for/with/match too, walrus in comprehensions, except ... as, match
    captures, del). A name some function declares `global` counts twice: any call may rebind it.
    `from math import *` binds each public name of math; star imports from other modules bind names
    unknown here (see `star_line`). Function, class and lambda bodies and comprehension variables are
    scopes of their own and are not looked into.
    `star_line`: the line of the module's last `from ... import *` of a module other than math (0: none).
    It may bind any name, so a name bound before it may not be what CPython finds afterwards.
    `patched`: names whose attributes the module sets or deletes anywhere (`x.a = ...`, `del x.a`,
    setattr(x, ...)).
    `math_names`: the module's names that are `math` ("") or one of its attributes whenever a fn runs:
    math_bindings over the top-level statements, less every name bound more than once at module level
    (after `math = 3`, a `def sqrt` or another import of the name, CPython finds whatever was bound last,
    not the math object), less the names imported before a star import from another module, less `math`
    itself when the module sets its attributes (`math.sqrt = f` changes what `math.sqrt` means).
    """

    counts: Counter[str]
    star_line: int
    patched: frozenset[str]
    math_names: dict[str, str]


def scan_module(tree: ast.Module, nodes: Iterable[ast.AST] | None = None) -> ModuleScan:
    """The module's ModuleScan. `nodes` is every node of the tree in any order, when the caller already
    has them (the analyzer's index): each whole-tree fact then costs no walk of its own."""
    counts = _module_scope_bindings(tree)
    star = 0
    patched: set[str] = set()
    for node in ast.walk(tree) if nodes is None else nodes:
        kind = type(node)
        if kind is ast.Attribute:
            if isinstance(node.ctx, (ast.Store, ast.Del)) and isinstance(node.value, ast.Name):  # type: ignore[attr-defined]
                patched.add(node.value.id)  # type: ignore[attr-defined]
        elif kind is ast.Call:
            func, args = node.func, node.args  # type: ignore[attr-defined]
            if isinstance(func, ast.Name) and args and func.id in ("setattr", "delattr") \
                    and isinstance(args[0], ast.Name):
                patched.add(args[0].id)
        elif kind is ast.Global:
            counts.update({name: 2 for name in node.names})  # type: ignore[attr-defined]
        elif kind is ast.ImportFrom:
            if any(a.name == "*" for a in node.names) and not (node.module == "math" and node.level == 0):  # type: ignore[attr-defined]
                star = max(star, node.lineno)  # type: ignore[attr-defined]
    found: dict[str, str] = {}
    for stmt in tree.body:
        if stmt.lineno > star:
            found.update(math_bindings(stmt))
    math_names = {name: attr for name, attr in found.items()
                  if counts[name] == 1 and not (attr == "" and name in patched)}
    return ModuleScan(counts, star, frozenset(patched), math_names)


def _module_scope_bindings(tree: ast.Module) -> Counter[str]:
    """The bindings of the module's own scope, `global` declarations aside (see ModuleScan.counts)."""
    counts: Counter[str] = Counter()
    stack: list[ast.AST] = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Name):
            if isinstance(node.ctx, (ast.Store, ast.Del)):
                counts[node.id] += 1
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if alias.name != "*":
                    counts[(alias.asname or alias.name).split(".")[0]] += 1
                elif isinstance(node, ast.ImportFrom) and node.module == "math" and node.level == 0:
                    counts.update(MATH_PUBLIC)
            continue
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            if not isinstance(node, ast.Lambda):
                counts[node.name] += 1
            stack.extend(_evaluated_outside(node))
            continue
        if isinstance(node, ast.comprehension):
            stack.extend([node.iter, *node.ifs])  # the target is the comprehension's own
            continue
        if isinstance(node, ast.ExceptHandler) and node.name:
            counts[node.name] += 1
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            counts[node.name] += 1
        elif isinstance(node, ast.MatchMapping) and node.rest:
            counts[node.rest] += 1
        stack.extend(ast.iter_child_nodes(node))
    return counts


def module_math_names(tree: ast.Module) -> dict[str, str]:
    """The module's names that are `math` ("") or one of its attributes whenever a fn runs (ModuleScan)."""
    return scan_module(tree).math_names


def last_star_import(tree: ast.Module) -> int:
    """The line of the module's last star import of a module other than math (ModuleScan.star_line)."""
    return scan_module(tree).star_line


def _evaluated_outside(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda) -> list[ast.AST]:
    """The parts of a def, class or lambda evaluated in the enclosing scope."""
    if isinstance(node, ast.ClassDef):
        return [*node.decorator_list, *node.bases, *node.keywords]
    args = node.args
    parts: list[ast.AST] = [*args.defaults, *(d for d in args.kw_defaults if d is not None)]
    if isinstance(node, ast.Lambda):
        return parts
    every = [*args.posonlyargs, *args.args, *args.kwonlyargs, *(a for a in (args.vararg, args.kwarg) if a)]
    parts += [a.annotation for a in every if a.annotation is not None]
    return [*node.decorator_list, *parts, *([node.returns] if node.returns else [])]


# Refusals for a construct the native tier does not compile, which the object tier may: a `global` the fn
# assigns (PM309), a call to a def left Python (PM310), `try` (PM313), a statement or expression the native
# tier lacks (PM316), a call it cannot make natively (PM317: a Python callable, a method of a str, ...).
FALLBACK_CODES = frozenset({"PM309", "PM310", "PM313", "PM316", "PM317"})


class _Abort(Exception):
    """Stops checking the current statement after a diagnostic."""


@dataclass
class _FnScope:
    func: FuncIR
    declared: dict[str, Ty] = field(default_factory=dict)
    loop_depth: int = 0
    local: set[str] = field(default_factory=set)  # parameters and every name the body binds
    refused: set[str] = field(default_factory=set)  # names a refused statement would have declared

    def echo(self, name: str) -> bool:
        """A name only undeclared because the statement declaring it was refused (and reported) already."""
        return name in self.refused and name not in self.declared

    def shadows(self, name: str) -> bool:
        """Is `name` one of the fn's locals (so never a module-level fn, struct, constant or math name)?"""
        return name in self.declared or name in self.local


_EXPR_CODES: dict[type[ast.expr], str] = {ast.Yield: "PM305", ast.YieldFrom: "PM305", ast.Await: "PM306"}


def _declared_by(stmt: ast.stmt) -> set[str]:
    """The local names a statement of a fn body may declare (assignment targets, a for loop's variable)."""
    targets: list[ast.expr] = []
    if isinstance(stmt, ast.Assign):
        targets = stmt.targets
    elif isinstance(stmt, (ast.AnnAssign, ast.AugAssign, ast.For)):
        targets = [stmt.target]
    return {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}


def _dynamic_code(e: ast.Call, name: str) -> str:
    """PM301/PM302/PM303 for the builtins that work on code or names at run time (getattr and its kin only
    with a computed name); PM317 for any other call a fn cannot make."""
    code = DYNAMIC.get(name, "PM317")
    if code == "PM303" and len(e.args) >= 2 and isinstance(e.args[1], ast.Constant) and isinstance(e.args[1].value, str):
        return "PM317"
    return code


def _lazy_annotations(tree: ast.Module) -> bool:
    """The module says `from __future__ import annotations`."""
    return any(isinstance(s, ast.ImportFrom) and s.module == "__future__" and any(a.name == "annotations" for a in s.names)
               for s in tree.body)


def _own_yield(func: ast.FunctionDef) -> ast.expr | None:
    """A `yield` of the function itself (not of a nested def, class or lambda): it is a generator."""
    todo: list[ast.AST] = list(func.body)
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.Yield, ast.YieldFrom)):
            return node
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            todo.extend(ast.iter_child_nodes(node))
    return None


def _stmt_code(s: ast.stmt, scope: _FnScope) -> str:
    """The hint code of a statement a fn does not take: `try` (PM313), a `global`/`nonlocal` whose names the
    function assigns (PM309), anything else (PM316)."""
    if isinstance(s, ast.Try) or type(s).__name__ == "TryStar":
        return "PM313"
    if isinstance(s, (ast.Global, ast.Nonlocal)) and scope.local.intersection(s.names):
        return "PM309"
    return "PM316"


def _numeric_result(a: Ty, b: Ty) -> Ty:
    return FLOAT if FLOAT in (a, b) else INT


class Checker:
    def __init__(self, marked: MarkedModule, *, implicit_decls: bool = False, objects: Iterable[str] = (),
                 tier_rule: bool = False) -> None:
        self.m = marked
        self.path = marked.filename
        self.implicit_decls = implicit_decls
        self.tier_rule = tier_rule  # opt-in until the analyzer's fixtures follow it (docs/compiler.md)
        # module-level fns the object tier compiles although their signatures are native (the tier rule, run)
        self.objects: set[str] = set(objects)
        self._reset()

    def _reset(self) -> None:
        """The state of one pass over the module (run makes a pass per round of the tier rule)."""
        self.refused: dict[str, list[Diagnostic]] = {}  # native module-level fn -> its body's diagnostics
        self.diags: list[Diagnostic] = []
        self.types: dict[int, Ty] = {}
        self.calls: dict[int, CallInfo] = {}
        self.structs: dict[str, StructIR] = {}
        self.functions: dict[str, FuncIR] = {}
        self.class_methods: dict[str, FuncIR] = {}  # fn methods of ordinary classes, by key
        self.constants: dict[str, tuple[Ty, object]] = {}
        self.math_names: dict[str, str] = {}  # local name -> math attribute ("math" -> "")
        self.module_bound: Counter[str] = Counter()  # module-level bindings per name (module_binding_counts)
        self.rebound_math: dict[str, str] = {}  # imported from math but not math when a fn runs -> why
        self.star_line = 0  # last_star_import
        self.python_body: list[ast.stmt] = []
        self.python_defs: dict[str, str] = {}  # module-level def/class left Python -> the code a call to it gets
        self.consts: dict[int, tuple[Ty, object]] = {}
        self.unbound: set[int] = set()

    # ----------------------------------------------------------------- diagnostics
    def error(self, node: ast.AST, message: str, code: str = TYPE_ERROR) -> None:
        """Report `message` at `node` under the analyzer's hint `code` (docs/rules/<code>.md)."""
        line = getattr(node, "lineno", 1)
        col = getattr(node, "col_offset", 0) + 1
        self.diags.append(Diagnostic(self.path, line, col, message, code))

    def fail(self, node: ast.AST, message: str, code: str = TYPE_ERROR) -> _Abort:
        self.error(node, message, code)
        return _Abort()

    def _annotation_code(self, exc: AnnotationError) -> str:
        """`Any` is PM311; a module-level class left Python is PM319 (it waits for that class); else PM312."""
        node = exc.node
        name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else None
        if name == "Any":
            return "PM311"
        if name is not None and self.python_defs.get(name) == "PM319":
            return "PM319"
        return "PM312"

    # ----------------------------------------------------------------- module
    def run(self) -> ModuleIR:
        """Check the module. Under the tier rule (`tier_rule`, opt-in until the analyzer's rule fixtures and
        the migrate tests follow it) a module-level fn is native when the native checker accepts
        it; one whose body it refuses is compiled by the object tier (every value an object, the def's exact
        semantics) when it may be (fallback_allowed); a native fn calling it then falls back too, so the
        rounds repeat until no fn moves. Only what neither tier accepts is an error, with the object tier's
        reasons (what still blocks it) or the native ones when it may not fall back."""
        while True:
            self._pass()
            if not self.tier_rule:
                break
            moved = {name for name, diags in self.refused.items()
                     if self._falls_back(diags) and name not in self.objects
                     and self.fallback_allowed(self.functions[name])}
            if not moved:
                break
            self.objects |= moved
            self._reset()
        if self.diags:
            raise CompileError(self.diags)
        return ModuleIR(
            path=self.path,
            functions=self.functions,
            structs=self.structs,
            constants=self.constants,
            types=self.types,
            calls=self.calls,
            python_body=self.python_body,
            consts=self.consts,
            unbound=self.unbound,
            class_methods=self.class_methods,
        )

    def _falls_back(self, diags: list[Diagnostic]) -> bool:
        """Refused by the native tier for a construct it does not compile (FALLBACK_CODES; other refusals
        may follow from that one, as an undeclared name after a refused `global`). A fn refused only for
        types (PM318, ...) stays the author's to fix: the native tier could take it. In the probe's upgrade
        (implicit declarations) a refusal for a call to a def left Python (PM310) alone waits for that def's
        own verdict (inference may make it native) instead."""
        constructs = {d.code for d in diags} & FALLBACK_CODES
        return bool(constructs) and (not self.implicit_decls or constructs != {"PM310"})

    def fallback_allowed(self, func: FuncIR) -> bool:
        """May this native fn be compiled by the object tier instead? Its reading there is the def's (no
        value-semantics copies), so a fn that asks for the superset's value semantics explicitly, a `mut` or
        `out` parameter or a `var` list or struct parameter, stays native. The probe's upgrade (implicit
        declarations) proposes conventions only for the native tier: its object form takes none."""
        if func.owner is not None or func.py_class is not None or func.is_object:
            return False
        return self.implicit_decls or all(
            p.convention == "read" or (p.convention == "var" and p.ty.kind not in ("List", "Struct"))
            for p in func.params)

    def _pass(self) -> None:
        tree = self.m.tree
        self._collect_module(tree)
        for name, func in self.functions.items():
            before = len(self.diags)
            self._check_body(func)
            if not func.is_object:
                self.refused[name] = self.diags[before:]
        for st in self.structs.values():
            for meth in st.methods.values():
                self._check_body(meth)
        for func in self.class_methods.values():
            self._check_body(func)

    def _collect_module(self, tree: ast.Module) -> None:
        fn_nodes: list[ast.FunctionDef] = []
        struct_nodes: list[ast.ClassDef] = []
        for stmt in tree.body:
            if isinstance(stmt, ast.FunctionDef) and self.m.is_fn(stmt):
                fn_nodes.append(stmt)
            elif isinstance(stmt, ast.ClassDef) and self.m.is_struct(stmt):
                struct_nodes.append(stmt)
            else:
                self.python_body.append(stmt)
                if isinstance(stmt, (ast.FunctionDef, ast.ClassDef)):  # a call to it waits for its upgrade
                    self.python_defs[stmt.name] = "PM310" if isinstance(stmt, ast.FunctionDef) else "PM319"
        scan = scan_module(tree)
        self.module_bound = scan.counts
        self.star_line = scan.star_line
        self.math_names = scan.math_names
        patched = scan.patched
        for stmt in tree.body:  # imported from math, yet not math when a fn runs: why
            for name in set(math_bindings(stmt)) - set(self.math_names):
                self.rebound_math[name] = (
                    "it is bound again in the module" if self.module_bound[name] > 1 else
                    "a later star import may bind it again" if stmt.lineno < self.star_line else
                    "the module sets its attributes" if name in patched else "it is bound again in the module")
        self._find_misplaced_marks(tree)
        self._collect_constants(tree)
        names = {n.name for n in struct_nodes}
        for cls in struct_nodes:
            self._collect_struct(cls, names)
            self._bound_once(cls, "struct")
        for stmt in tree.body:
            if isinstance(stmt, ast.ClassDef) and not self.m.is_struct(stmt):
                for meth in stmt.body:
                    if isinstance(meth, ast.FunctionDef) and self.m.is_fn(meth):
                        self._class_method(stmt, meth)
        for fnode in fn_nodes:
            if fnode.name in self.structs:
                self.error(fnode, f"fn '{fnode.name}' has the name of a struct", code="PM315")
                continue
            self._bound_once(fnode, "fn")
            func = self._signature(fnode, fnode.name, None, names)
            if func is not None:
                self.functions[fnode.name] = func
            else:  # a call to it waits for its signature to be fixed
                self.python_defs[fnode.name] = "PM310"

    def _bound_once(self, node: ast.FunctionDef | ast.ClassDef, what: str) -> None:
        """A fn or struct is called directly by the others, so its name must mean it whenever they run."""
        if self.module_bound[node.name] > 1 or node.lineno < self.star_line:
            how = "a later star import may bind it again" if node.lineno < self.star_line else \
                "it is bound again in the module"
            self.error(node, f"{what} '{node.name}': {how}, so CPython callers may find another object under "
                             f"that name; rename it or remove the other binding", code="PM315")

    def _find_misplaced_marks(self, tree: ast.Module) -> None:
        top = set(map(id, tree.body))
        for node in ast.walk(tree):
            if isinstance(node, ast.AsyncFunctionDef) and self.m.is_fn(node):
                self.error(node, f"`async fn {node.name}` is not supported: a fn cannot be a coroutine; "
                                 "keep it an `async def`", code="PM306")
            if isinstance(node, ast.FunctionDef) and self.m.is_fn(node) and id(node) not in top:
                if not any(isinstance(p, ast.ClassDef) and node in p.body for p in tree.body):
                    self.error(node, f"fn '{node.name}' must be at module level or a method of a module-level class",
                               code="PM315")
            if isinstance(node, ast.ClassDef) and self.m.is_struct(node) and id(node) not in top:
                self.error(node, f"struct '{node.name}' must be at module level", code="PM315")

    def _collect_constants(self, tree: ast.Module) -> None:
        """Module-level names bound once to a constant expression (a star import may rebind any name)."""
        counts = self.module_bound
        for stmt in tree.body:
            if stmt.lineno < self.star_line:
                continue
            target: ast.expr | None = None
            value: ast.expr | None = None
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
                target, value = stmt.targets[0], stmt.value
            elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
                target, value = stmt.target, stmt.value
            if not isinstance(target, ast.Name) or value is None or counts.get(target.id) != 1:
                continue
            found = self._const_value(value)
            if found is not None:
                self.constants[target.id] = found

    def _const_value(self, node: ast.expr) -> tuple[Ty, object] | None:
        """Evaluate a module-level constant expression (literals and arithmetic on them)."""
        if isinstance(node, ast.Constant):
            v = node.value
            if isinstance(v, bool):
                return BOOL, v
            if isinstance(v, int):
                return (INT, v) if INT_MIN <= v <= INT_MAX else None
            if isinstance(v, float):
                return FLOAT, v
            if isinstance(v, str):
                return STRING, v
            return None
        if isinstance(node, ast.Name) and node.id in self.constants:
            return self.constants[node.id]
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            inner = self._const_value(node.operand)
            if inner is None or inner[0] not in (INT, FLOAT):
                return None
            return self._fold(lambda: -inner[1] if isinstance(node.op, ast.USub) else +inner[1])  # type: ignore[operator]
        if isinstance(node, ast.BinOp) and isinstance(
            node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow)
        ):
            left, right = self._const_value(node.left), self._const_value(node.right)
            if left is None or right is None or left[0] not in (INT, FLOAT) or right[0] not in (INT, FLOAT):
                return None
            expr = ast.Expression(
                ast.BinOp(ast.Constant(left[1]), node.op, ast.Constant(right[1]), lineno=1, col_offset=0)  # type: ignore[arg-type]
            )
            ast.fix_missing_locations(expr)
            code = compile(expr, "<const>", "eval")
            return self._fold(lambda: eval(code, {"__builtins__": {}}))
        return None

    @staticmethod
    def _fold(compute: object) -> tuple[Ty, object] | None:
        try:
            v = compute()  # type: ignore[operator]
        except (ArithmeticError, ValueError):
            return None
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            return None
        if isinstance(v, int):
            return (INT, v) if INT_MIN <= v <= INT_MAX else None
        return FLOAT, v

    def _collect_struct(self, cls: ast.ClassDef, names: set[str]) -> None:
        if cls.bases or cls.keywords or cls.decorator_list:
            self.error(cls, f"struct '{cls.name}' cannot have bases, keywords or decorators", code="PM320")
        st = StructIR(cls.name, cls, [])
        self.structs[cls.name] = st
        methods: list[ast.FunctionDef] = []
        for stmt in cls.body:
            if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                if not self.m.is_var_decl(stmt):
                    self.error(stmt, f"declare the field with var: `var {ast.unparse(stmt)}`", code="PM320")
                    continue
                if stmt.value is not None:
                    self.error(stmt, "a struct field takes no default value; set it in __init__", code="PM320")
                try:
                    ty = parse_annotation(stmt.annotation, names)
                except AnnotationError as exc:
                    self.error(exc.node, str(exc), code=self._annotation_code(exc))
                    continue
                if ty == struct_ty(cls.name) or (ty.kind == "None"):
                    self.error(stmt, f"field '{stmt.target.id}' cannot have type {ty}", code="PM312")
                    continue
                st.fields.append((stmt.target.id, ty))
            elif isinstance(stmt, ast.FunctionDef):
                if not self.m.is_fn(stmt):
                    self.error(stmt, f"a struct method must be a fn: write `fn {stmt.name}(...)`", code="PM320")
                    continue
                methods.append(stmt)
            elif isinstance(stmt, ast.Pass) or (
                isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)
            ):
                continue
            else:
                self.error(stmt, "a struct body holds only `var field: T` declarations and fn methods", code="PM320")
        for meth in methods:
            func = self._signature(meth, f"{cls.name}.{meth.name}", cls.name, names)
            if func is not None:
                st.methods[meth.name] = func

    def _class_method(self, cls: ast.ClassDef, node: ast.FunctionDef) -> None:
        """A fn method of an ordinary class: an object-tier fn the class statement binds as it binds the def
        (glue.py), every parameter an object whatever its annotation, as the def does not enforce them."""
        if any(k.arg == "metaclass" for k in cls.keywords):
            self.error(node, f"method '{node.name}' of a class with a metaclass: the metaclass may inspect the "
                             "class's function objects, which a compiled method is not; keep it a def", code="PM315")
            return
        a = node.args
        params: list[Param] = []
        defaults: list[ast.expr | None] = [None] * (len(a.posonlyargs) + len(a.args) - len(a.defaults))
        allargs = [(x, "posonly") for x in a.posonlyargs] + [(x, "positional") for x in a.args]
        allargs += [(x, "kwonly") for x in a.kwonlyargs]
        allargs += [(x, k) for x, k in ((a.vararg, "vararg"), (a.kwarg, "kwarg")) if x is not None]
        all_defaults = [*defaults, *a.defaults, *a.kw_defaults] + [None] * 2
        ok = True
        for (arg, kind), default in zip(allargs, all_defaults):
            conv = self.m.convention(node, arg)
            if conv != "read":
                self.error(arg, f"parameter '{arg.arg}' of a fn over objects takes no `{conv}`: the object itself "
                                "is passed, as in Python")
                ok = False
            params.append(Param(arg.arg, OBJECT, "read", default, arg, kind))
        if not ok:
            return
        key = f"{cls.name}.{node.name}"
        n = 1
        while key in self.class_methods:  # a property's setter, or the class bound twice: one object each
            n += 1
            key = f"{cls.name}.{node.name}.{n}"
        mangled = mangle_method(node, cls.name)
        cell = f"__pm_class_cell_{len(self.class_methods)}__"
        if uses_class_cell(mangled) and not self.module_bound.get("super"):  # else CPython calls another super
            mangled = read_class_cell(mangled if mangled is not node else copy.deepcopy(node), cell)
        func = FuncIR(key, node.name, mangled, params, OBJECT, {p.name: OBJECT for p in params}, False, None,
                      tier="object", py_class=cls.name, origin=node)
        if mangled is not node and any(isinstance(n, ClassCell) for n in ast.walk(mangled)):
            func.class_cell = cell
        if any(_zero_super(n) or (isinstance(n, ast.Name) and n.id == "__class__")
               for s in nested_scopes(node) for n in ast.walk(s)):  # a nested function's closure takes the class cell
            func.class_cell = cell
        if mangled is not node:
            func.params = [
                Param(x.arg, OBJECT, "read", p.default, x, p.kind) for p, x in zip(params, _all_args(mangled.args))
            ]
            func.locals = {p.name: OBJECT for p in func.params}
        self.class_methods[key] = func

    def _signature(self, node: ast.FunctionDef, key: str, owner: str | None, structs: set[str]) -> FuncIR | None:
        ok = True
        if node.decorator_list:
            self.error(node.decorator_list[0], f"fn '{node.name}' cannot have decorators; keep it a def", code="PM307")
            ok = False
        a = node.args
        star = [(x, k) for x, k in ((a.vararg, "vararg"), (a.kwarg, "kwarg")) if x is not None]
        if star and not self._names_objects(node, owner, structs):  # a native fn's arguments are fixed
            self.error(star[0][0], f"fn '{node.name}' cannot take *args or **kwargs; keep it a def", code="PM304")
            ok = False
            star = []
        params: list[Param] = []
        defaults: list[ast.expr | None] = [None] * (len(a.posonlyargs) + len(a.args) - len(a.defaults))
        defaults += list(a.defaults)
        allargs = [(x, "posonly") for x in a.posonlyargs] + [(x, "positional") for x in a.args]
        kw = [(x, "kwonly") for x in a.kwonlyargs]
        all_defaults = defaults + list(a.kw_defaults)
        for i, ((arg, kind), default) in enumerate(zip(allargs + kw, all_defaults)):
            conv = self.m.convention(node, arg)
            if owner is not None and i == 0:
                expected = "out" if node.name == "__init__" else None
                if arg.annotation is not None:
                    self.error(arg, "`self` takes no annotation", code="PM314")
                if expected == "out" and conv != "out":
                    self.error(arg, "__init__ takes `out self`: write `fn __init__(out self, ...)`", code="PM314")
                    ok = False
                elif expected is None and conv not in ("read", "mut"):
                    self.error(arg, "a method takes `self` or `mut self`", code="PM314")
                    ok = False
                params.append(Param(arg.arg, struct_ty(owner), conv, None, arg, kind))
                continue
            if conv == "out":
                self.error(arg, "only `self` in __init__ can be `out`", code="PM314")
                ok = False
            if arg.annotation is None and owner is None:  # a fn's missing parameter type is `object` (fill.py)
                params.append(Param(arg.arg, OBJECT, conv, default, arg, kind))
                continue
            if arg.annotation is None:
                self.error(arg, f"parameter '{arg.arg}' needs a type: write `{arg.arg}: Int` (or its type)", code="PM202")
                ok = False
                continue
            try:
                ty = (parse_signature_annotation if owner is None else parse_annotation)(arg.annotation, structs)
            except AnnotationError as exc:
                self.error(exc.node, str(exc), code=self._annotation_code(exc))
                ok = False
                continue
            if ty == OBJECT:
                params.append(Param(arg.arg, ty, conv, default, arg, kind))
                continue  # any default: the binder evaluates it where the def stood
            if ty.kind == "None":
                self.error(arg, f"parameter '{arg.arg}' cannot have type None", code="PM312")
                ok = False
                continue
            if default is not None:
                if conv == "mut":
                    self.error(default, f"`mut` parameter '{arg.arg}' cannot have a default", code="PM314")
                    ok = False
                elif not self._check_default(default, ty):
                    ok = False
            params.append(Param(arg.arg, ty, conv, default, arg, kind))
        if owner is not None and not params:
            self.error(node, f"method '{node.name}' needs `self` as its first parameter", code="PM314")
            return None
        if node.returns is None:  # missing: `None` when no path returns a value, else `object` (fill.py)
            if not returns_value(node):
                ret = NONE
            elif owner is None:
                ret = OBJECT
            else:
                self.error(node, f"fn '{node.name}' returns a value: write its return type", code="PM204")
                return None
        else:
            try:
                ret = (parse_signature_annotation if owner is None else parse_annotation)(node.returns, structs)
            except AnnotationError as exc:
                self.error(exc.node, str(exc), code=self._annotation_code(exc))
                return None
        if owner is not None and node.name == "__init__" and ret != NONE:
            self.error(node, "__init__ returns None", code="PM318")
            ok = False
        if not ok:
            return None
        params += [Param(x.arg, OBJECT, self.m.convention(node, x), None, x, kind) for x, kind in star]
        local_types = {p.name: p.ty for p in params}
        func = FuncIR(key, node.name, node, params, ret, local_types, self.m.raises(node), owner)
        if owner is None and key in self.objects:  # the tier rule's fallback (run): values are objects
            func.tier, func.ret = "object", OBJECT
            func.params = [Param(p.name, OBJECT, "read", p.default, p.node, p.kind) for p in params]
            func.locals = {p.name: OBJECT for p in func.params}
            return func
        if any(p.ty == OBJECT for p in params) or ret == OBJECT:
            func.tier = "object"
            for p in params:
                if p.convention != "read":
                    self.error(p.node, f"parameter '{p.name}' of a fn over objects takes no `{p.convention}`: "
                                       "the object itself is passed, as in Python")
                    return None
        return func

    @staticmethod
    def _names_objects(node: ast.FunctionDef, owner: str | None, structs: set[str]) -> bool:
        """Does the signature name a type with no native representation (an object fn, whose *args and
        **kwargs are objects too)?"""
        if owner is not None:
            return False
        a = node.args
        if any(x.annotation is None for x in (*a.posonlyargs, *a.args, *a.kwonlyargs)) or (
            node.returns is None and returns_value(node)
        ):
            return True  # a missing type is `object` (fill.py)
        annotations = [x.annotation for x in (*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg)
                       if x is not None] + [node.returns]
        for ann in annotations:
            try:
                if ann is not None and parse_signature_annotation(ann, structs) == OBJECT:
                    return True
            except AnnotationError:
                continue
        return False

    def _check_default(self, node: ast.expr, ty: Ty) -> bool:
        found = self._const_value(node)
        if found is None:
            self.error(node, "a fn parameter default must be a literal or a module constant", code="PM314")
            return False
        if not _assignable(found[0], ty):
            hint = _convert(found[0], ty, node)
            self.error(node, f"default of type {found[0]} does not match the parameter type {ty}{hint}", code="PM314")
            return False
        self.types[id(node)] = found[0]
        self.consts[id(node)] = found
        return True

    # ----------------------------------------------------------------- bodies
    def _check_body(self, func: FuncIR) -> None:
        if func.is_object and _own_yield(func.node) is None:
            check_object_body(self, func, _lazy_annotations(self.m.tree))
            return
        if _own_yield(func.node) is not None:
            self.error(func.node, f"fn '{func.name}' is a generator (`yield`); a fn returns one value: keep it a def",
                       code="PM305")
            return
        bound = {n.id for n in ast.walk(func.node) if isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Store, ast.Del))}
        scope = _FnScope(func, dict(func.locals), local=bound | {p.name for p in func.params})
        reported = len(self.diags)
        self._block(func.node.body, scope)
        func.locals = scope.declared
        self.unbound |= unbound_reads(func.node, {p.name for p in func.params}, set(scope.declared))
        # after a statement it refused, whether the end is reachable is not known: only the refusal is reported
        if func.ret != NONE and len(self.diags) == reported and not _always_exits(func.node.body):
            self.error(
                func.node,
                f"fn '{func.name}' can reach its end without returning {func.ret}: add a return (or raise)",
            )

    def _block(self, body: list[ast.stmt], scope: _FnScope) -> None:
        for stmt in body:
            try:
                self._stmt(stmt, scope)
            except _Abort:
                scope.refused.update(_declared_by(stmt))

    def _stmt(self, s: ast.stmt, scope: _FnScope) -> None:
        if isinstance(s, (ast.Assign, ast.AnnAssign)) and self.m.is_var_decl(s):
            self._var_decl(s, scope)
        elif isinstance(s, ast.AnnAssign):
            if isinstance(s.target, ast.Name) and s.target.id not in scope.declared and not self.implicit_decls:
                raise self.fail(s, f"declare the local with var: `var {ast.unparse(s)}`")
            self._var_decl(s, scope)
        elif isinstance(s, ast.Assign):
            if len(s.targets) != 1:
                raise self.fail(s, "chained assignment a = b = c is not supported in a fn; assign one at a time", code="PM316")
            self._assign(s.targets[0], s.value, scope, s)
        elif isinstance(s, ast.AugAssign):
            target_ty = self._lvalue(s.target, scope, for_aug=True)
            value_ty = self.expr(s.value, scope)
            result = self._binop_type(s, target_ty, s.op, value_ty)
            if not _assignable(result, target_ty):
                raise self.fail(
                    s, f"`{ast.unparse(s)}` makes a {result} but the target is {target_ty}: convert explicitly"
                )
        elif isinstance(s, ast.Return):
            ret = scope.func.ret
            if s.value is None:
                if ret != NONE:
                    raise self.fail(s, f"fn '{scope.func.name}' must return a {ret}")
            else:
                if ret == NONE:
                    self.expr(s.value, scope, expected=None)
                    if self.types[id(s.value)] != NONE:
                        raise self.fail(s.value, f"fn '{scope.func.name}' returns None: change its return type")
                else:
                    got = self.expr(s.value, scope, expected=ret)
                    if got == BOOL and ret in (INT, FLOAT):  # CPython returns the bool itself: True, not 1
                        raise self.fail(
                            s.value,
                            f"returns a Bool but fn '{scope.func.name}' is declared -> {ret}: CPython would "
                            f"return True/False, not a number; declare -> Bool or convert: "
                            f"`return {'int' if ret == INT else 'float'}({ast.unparse(s.value)})`",
                        )
                    if not _assignable(got, ret):
                        raise self.fail(s.value, f"returns {got} but fn '{scope.func.name}' is declared -> {ret}"
                                                 f"{_convert(got, ret, s.value)}")
        elif isinstance(s, ast.If):
            self.cond(s.test, scope)
            self._block(s.body, scope)
            self._block(s.orelse, scope)
        elif isinstance(s, ast.While):
            if s.orelse:
                raise self.fail(s, "while/else is not supported in a fn", code="PM316")
            self.cond(s.test, scope)
            scope.loop_depth += 1
            self._block(s.body, scope)
            scope.loop_depth -= 1
        elif isinstance(s, ast.For):
            self._for(s, scope)
        elif isinstance(s, (ast.Break, ast.Continue)):
            if scope.loop_depth == 0:
                raise self.fail(s, "break/continue outside a loop")
        elif isinstance(s, ast.Pass):
            pass
        elif isinstance(s, ast.Expr):
            if isinstance(s.value, ast.Constant) and isinstance(s.value.value, str):
                return  # docstring
            if not isinstance(s.value, ast.Call):
                raise self.fail(s, "an expression statement in a fn must be a call", code="PM316")
            self.expr(s.value, scope)
        elif isinstance(s, ast.Raise):
            self._raise(s, scope)
        elif isinstance(s, ast.Assert):
            self.cond(s.test, scope)
            if s.msg is not None and self.expr(s.msg, scope) != STRING:
                raise self.fail(s.msg, "the assert message must be a String")
        else:
            what = UNSUPPORTED_STMT.get(type(s), type(s).__name__)
            raise self.fail(s, f"{what} is not supported in a fn; keep this function a def", code=_stmt_code(s, scope))

    def _var_decl(self, s: ast.Assign | ast.AnnAssign, scope: _FnScope) -> None:
        annotation: ast.expr | None
        value: ast.expr | None
        if isinstance(s, ast.Assign):
            if len(s.targets) != 1 or not isinstance(s.targets[0], ast.Name):
                raise self.fail(s, "`var` declares one name: `var x = value`")
            target, annotation, value = s.targets[0], None, s.value
        else:
            if not isinstance(s.target, ast.Name):
                raise self.fail(s, "`var` declares one name: `var x: T = value`")
            target, annotation, value = s.target, s.annotation, s.value
        name = target.id
        declared: Ty | None = None
        if annotation is not None:
            try:
                declared = parse_annotation(annotation, set(self.structs))
            except AnnotationError as exc:
                raise self.fail(exc.node, str(exc), code=self._annotation_code(exc)) from None
            if declared == NONE:
                raise self.fail(annotation, "a local cannot have type None", code="PM312")
        if value is not None:
            try:
                got = self.expr(value, scope, expected=declared)
            except _Abort:
                if declared is not None and name not in self._param_names(scope):
                    scope.declared.setdefault(name, declared)  # later uses are not reported again
                raise
            if got == NONE:
                raise self.fail(value, "this call returns nothing; it has no value to store")
            if declared is not None and not _assignable(got, declared):
                hint = _convert(got, declared, value)
                if name not in self._param_names(scope):  # declared all the same: later uses are not reported
                    scope.declared.setdefault(name, declared)
                raise self.fail(value, f"cannot assign {_a(got)} to '{name}' declared {declared}{hint}")
            if declared is None:
                declared = got
        if declared is None:
            raise self.fail(s, f"give '{name}' a type or a value: `var {name}: Int` or `var {name} = 0`")
        old = scope.declared.get(name)
        if name in self._param_names(scope):
            raise self.fail(target, f"'{name}' is a parameter; assign it without `var`")
        if old is not None and old != declared:
            raise self.fail(target, f"'{name}' is already declared as {old}; use another name for a {declared}")
        scope.declared[name] = declared
        self.types[id(target)] = declared

    @staticmethod
    def _param_names(scope: _FnScope) -> set[str]:
        return {p.name for p in scope.func.params}

    def _assign(self, target: ast.expr, value: ast.expr, scope: _FnScope, stmt: ast.stmt) -> None:
        if isinstance(target, ast.Tuple):
            if not isinstance(value, ast.Tuple) or len(value.elts) != len(target.elts):
                raise self.fail(stmt, "tuple assignment in a fn needs a tuple of the same length on the right")
            for t in target.elts:
                if isinstance(t, ast.Starred):
                    raise self.fail(t, "starred assignment is not supported in a fn", code="PM316")
            tys = [self._lvalue(t, scope, for_aug=False, value=v) for t, v in zip(target.elts, value.elts)]
            for t, v, ty in zip(target.elts, value.elts, tys):
                got = self.expr(v, scope, expected=ty)
                if not _assignable(got, ty):
                    raise self.fail(v, f"cannot assign {_a(got)} to '{ast.unparse(t)}' of type {ty}{_convert(got, ty, v)}")
            return
        ty = self._lvalue(target, scope, for_aug=False, value=value)
        got = self.expr(value, scope, expected=ty)
        if not _assignable(got, ty):
            raise self.fail(value, f"cannot assign {_a(got)} to '{ast.unparse(target)}' of type {ty}"
                                   f"{_convert(got, ty, value)}")

    def _lvalue(self, target: ast.expr, scope: _FnScope, *, for_aug: bool, value: ast.expr | None = None) -> Ty:
        """Type an assignment target and check that it may be written."""
        if isinstance(target, ast.Name):
            name = target.id
            param = next((p for p in scope.func.params if p.name == name), None)
            if param is not None:
                if param.convention == "read":
                    raise self.fail(
                        target,
                        f"parameter '{name}' is read-only in a fn: declare it `var {name}` "
                        f"(an owned copy) or `mut {name}` (the caller sees the change)",
                    )
                ty = param.ty
            elif name in scope.declared:
                ty = scope.declared[name]
            elif self.implicit_decls and not for_aug and value is not None:
                got = self.expr(value, scope)
                if got == NONE:
                    raise self.fail(value, "this call returns nothing; it has no value to store")
                scope.declared[name] = got
                ty = got
            else:
                self.error(target, f"undeclared local '{name}': declare it with `var {name} = ...`")
                if value is not None:  # declare it anyway so later uses are not reported again
                    got = self.expr(value, scope)
                    if got != NONE:
                        scope.declared[name] = got
                raise _Abort()
            self.types[id(target)] = ty
            return ty
        if isinstance(target, (ast.Attribute, ast.Subscript)):
            self._require_mutable(target, scope)
            return self.expr(target, scope)
        raise self.fail(target, f"cannot assign to {ast.unparse(target)} in a fn")

    def _require_mutable(self, node: ast.expr, scope: _FnScope) -> None:
        root = node
        while isinstance(root, (ast.Attribute, ast.Subscript)):
            root = root.value
        if not isinstance(root, ast.Name):
            raise self.fail(node, f"cannot modify a temporary value: `{ast.unparse(node)}`")
        param = next((p for p in scope.func.params if p.name == root.id), None)
        if param is not None and param.convention == "read":
            if param.name == "self" and scope.func.owner is not None:
                raise self.fail(node, f"method '{scope.func.name}' changes self: declare it `mut self`")
            raise self.fail(
                node,
                f"parameter '{root.id}' is read-only in a fn: declare it `mut {root.id}` "
                f"so the caller sees the change (or `var {root.id}` for an owned copy)",
            )
        if param is None and root.id not in scope.declared:
            if scope.echo(root.id):
                raise _Abort()
            raise self.fail(root, f"'{root.id}' is not a local of this fn; it cannot be modified")

    def _for(self, s: ast.For, scope: _FnScope) -> None:
        if s.orelse:
            raise self.fail(s, "for/else is not supported in a fn", code="PM316")
        if not isinstance(s.target, ast.Name):
            raise self.fail(s.target, "a for loop in a fn binds one name", code="PM316")
        it = s.iter
        if isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.func.id == "range" and (
            self._builtin_name("range", scope)
        ):
            if it.keywords or not 1 <= len(it.args) <= 3:
                raise self.fail(it, "range() takes 1 to 3 positional arguments")
            for a in it.args:
                t = self.expr(a, scope)
                if t not in (INT, BOOL):
                    raise self.fail(a, f"range() arguments must be Int, not {t}")
            elem = INT
            self.calls[id(it)] = CallInfo("range", "range", list(it.args))
        else:
            t = self.expr(it, scope)
            if t == STRING:
                elem = STRING
            elif t.kind != "List":
                raise self.fail(it, f"a for loop in a fn iterates over range(...), a List or a String, not {t}", code="PM316")
            else:
                assert t.elem is not None
                elem = t.elem
        name = s.target.id
        if any(p.name == name for p in scope.func.params):
            raise self.fail(s.target, f"the loop variable '{name}' shadows a parameter; use another name")
        old = scope.declared.get(name)
        if old is not None and old != elem:
            raise self.fail(s.target, f"loop variable '{name}' is {elem} but was declared {old}")
        scope.declared[name] = elem
        self.types[id(s.target)] = elem
        scope.loop_depth += 1
        self._block(s.body, scope)
        scope.loop_depth -= 1

    def _math_module(self, e: ast.expr, scope: _FnScope) -> bool:
        """Is `e` a name for the math module (not a local of the fn)?"""
        return isinstance(e, ast.Name) and self.math_names.get(e.id) == "" and not scope.shadows(e.id)

    def _explain_rebound(self, e: ast.expr, name: str) -> None:
        """Explain a math or builtin name the module binds again (CPython finds that binding instead)."""
        if name in self.rebound_math:
            raise self.fail(
                e,
                f"'{name}' is imported from math but {self.rebound_math[name]}, so CPython may find another "
                "object there: import it once and bind nothing else to that name",
                code="PM323",
            )
        if (name in _BUILTINS or name in EXCEPTIONS) and (self.module_bound[name] or self.star_line):
            how = "is bound in this module" if self.module_bound[name] else "may be bound by a star import"
            raise self.fail(
                e,
                f"'{name}' {how}, so CPython would find that instead of the builtin: rename the module's "
                f"'{name}' (or import names explicitly) to use the builtin in a fn",
                code="PM323",
            )

    def _builtin_name(self, name: str, scope: _FnScope) -> bool:
        """Does `name` reach the builtin in CPython: not a local, not bound anywhere in the module?"""
        return not scope.shadows(name) and not self.module_bound[name] and not self.star_line

    def _raise(self, s: ast.Raise, scope: _FnScope) -> None:
        if s.cause is not None:
            raise self.fail(s, "`raise ... from ...` is not supported in a fn", code="PM316")
        exc = s.exc
        if exc is None:
            raise self.fail(s, "a bare `raise` is not supported in a fn", code="PM316")
        name_node = exc.func if isinstance(exc, ast.Call) else exc
        if isinstance(name_node, ast.Name) and name_node.id in EXCEPTIONS and not scope.shadows(name_node.id):
            self._explain_rebound(name_node, name_node.id)
        if not isinstance(name_node, ast.Name) or name_node.id not in EXCEPTIONS or (
            not self._builtin_name(name_node.id, scope)
        ):
            raise self.fail(exc, f"a fn can raise the builtin exceptions {', '.join(EXCEPTIONS)}", code="PM316")
        if isinstance(exc, ast.Call):
            if exc.keywords or len(exc.args) > 1:
                raise self.fail(exc, "raise an exception with at most one message argument", code="PM316")
            if exc.args and self.expr(exc.args[0], scope) != STRING:
                raise self.fail(exc.args[0], "the exception message must be a String")

    # ----------------------------------------------------------------- expressions
    def cond(self, node: ast.expr, scope: _FnScope) -> None:
        t = self.expr(node, scope)
        if t.kind in ("Struct", "None"):
            raise self.fail(node, f"a {t} cannot be used as a condition")

    def expr(self, node: ast.expr, scope: _FnScope, expected: Ty | None = None) -> Ty:
        ty = self._expr(node, scope, expected)
        self.types[id(node)] = ty
        return ty

    def _expr(self, e: ast.expr, scope: _FnScope, expected: Ty | None) -> Ty:
        if isinstance(e, ast.Constant):
            v = e.value
            if isinstance(v, bool):
                return BOOL
            if isinstance(v, int):
                if not INT_MIN <= v <= INT_MAX:
                    raise self.fail(e, "integer literal does not fit in Int (64-bit)", code="PM316")
                return INT
            if isinstance(v, float):
                return FLOAT
            if isinstance(v, str):
                return STRING
            raise self.fail(e, f"literal {v!r} is not supported in a fn", code="PM316")
        if isinstance(e, ast.Name):
            if e.id in scope.declared:
                return scope.declared[e.id]
            module_level = e.id in self.constants or e.id in self.functions or e.id in self.structs or (
                self.math_names.get(e.id) in MATH_CONSTANTS)
            if scope.shadows(e.id) and module_level:  # CPython: UnboundLocalError, not the module's value
                raise self.fail(e, f"local '{e.id}' is used before it is assigned: assign (or declare) it first")
            if e.id in self.constants:
                return self.constants[e.id][0]
            if self.math_names.get(e.id) in MATH_CONSTANTS:
                return FLOAT
            if e.id in self.functions or e.id in self.structs:
                raise self.fail(e, f"'{e.id}' can only be called in a fn, not used as a value", code="PM316")
            self._explain_rebound(e, e.id)
            if scope.echo(e.id):
                raise _Abort()
            raise self.fail(
                e,
                f"undeclared name '{e.id}': declare a local with `var {e.id} = ...`, "
                "or make it a module-level constant assigned once",
            )
        if isinstance(e, ast.Attribute):
            if self._math_module(e.value, scope):
                if e.attr in MATH_CONSTANTS:
                    return FLOAT
                raise self.fail(e, f"math.{e.attr} is not supported in a fn", code="PM317")
            base = self.expr(e.value, scope)
            if base.kind == "Struct":
                st = self.structs[base.name]
                for fname, fty in st.fields:
                    if fname == e.attr:
                        return fty
                raise self.fail(e, f"struct {base.name} has no field '{e.attr}'")
            raise self.fail(e, f"{base} has no attribute '{e.attr}' in a fn")
        if isinstance(e, ast.UnaryOp):
            t = self.expr(e.operand, scope)
            if isinstance(e.op, ast.Not):
                if t.kind in ("Struct", "None"):
                    raise self.fail(e, f"`not` needs a value with a truth value, not {t}")
                return BOOL
            if t not in (INT, FLOAT, BOOL):
                raise self.fail(e, f"unary {type(e.op).__name__} needs a number, not {t}")
            if isinstance(e.op, ast.Invert):
                if t == FLOAT:
                    raise self.fail(e, "~ needs an Int, not Float64")
                return INT
            return FLOAT if t == FLOAT else INT
        if isinstance(e, ast.BinOp):
            lt = self.expr(e.left, scope, expected if isinstance(e.op, ast.Add) else None)
            rt = self.expr(e.right, scope, expected if isinstance(e.op, ast.Add) else None)
            return self._binop_type(e, lt, e.op, rt, e.right)
        if isinstance(e, ast.BoolOp):
            tys = [self.expr(v, scope) for v in e.values]
            if all(t == tys[0] for t in tys) and tys[0].kind not in ("Struct", "None"):
                return tys[0]
            raise self.fail(e, f"and/or operands must have one type in a fn, got {', '.join(map(str, tys))}")
        if isinstance(e, ast.Compare):
            operands = [e.left, *e.comparators]
            tys = [self.expr(v, scope) for v in operands]
            for op, (a, b), node in zip(e.ops, zip(tys, tys[1:]), e.comparators):
                self._compare_ok(node, op, a, b)
            return BOOL
        if isinstance(e, ast.IfExp):
            self.cond(e.test, scope)
            a = self.expr(e.body, scope, expected)
            b = self.expr(e.orelse, scope, expected)
            if a != b:
                raise self.fail(e, f"both branches of `x if c else y` must have one type, got {a} and {b}")
            return a
        if isinstance(e, ast.Call):
            return self._call(e, scope, expected)
        if isinstance(e, ast.Subscript):
            base = self.expr(e.value, scope)
            if isinstance(e.slice, ast.Slice):
                raise self.fail(e, "slicing is not supported in a fn", code="PM316")
            if base.kind == "List":
                idx = self.expr(e.slice, scope)
                if idx not in (INT, BOOL):
                    raise self.fail(e.slice, f"list indices must be Int, not {idx}")
                assert base.elem is not None
                return base.elem
            if base == STRING:
                idx = self.expr(e.slice, scope)
                if idx not in (INT, BOOL):
                    raise self.fail(e.slice, f"string indices must be Int, not {idx}")
                if isinstance(e.ctx, ast.Store):
                    raise self.fail(e, "a String is immutable: build a new one instead")
                return STRING
            raise self.fail(e, f"{base} cannot be indexed in a fn")
        if isinstance(e, ast.List):
            if not e.elts:
                if expected is not None and expected.kind == "List":
                    return expected
                raise self.fail(e, "an empty list needs a type: declare `var x: List[Int] = []`")
            want = expected.elem if expected is not None and expected.kind == "List" else None
            tys = [self.expr(v, scope, want) for v in e.elts]
            if any(isinstance(v, ast.Starred) for v in e.elts):
                raise self.fail(e, "starred items are not supported in a fn", code="PM316")
            first = tys[0]
            if want is not None and all(_assignable(t, want) for t in tys):
                return list_of(want)
            for item, ity in zip(e.elts, tys):
                if want is not None and _convert(ity, want):
                    raise self.fail(item, f"cannot put {_a(ity)} in a {list_of(want)}{_convert(ity, want, item)}")
            if all(t == first for t in tys) and first != NONE:
                return list_of(first)
            raise self.fail(e, f"list items must have one type in a fn, got {', '.join(map(str, tys))}")
        if isinstance(e, ast.ListComp):
            raise self.fail(e, "list comprehensions are not supported in a fn; build the list with append", code="PM316")
        if isinstance(e, ast.Tuple):
            raise self.fail(e, "tuples are not supported in a fn", code="PM316")
        if isinstance(e, ast.JoinedStr):
            raise self.fail(e, "f-strings are not supported in a fn", code="PM316")
        raise self.fail(e, f"{type(e).__name__} expressions are not supported in a fn", code=_EXPR_CODES.get(type(e), "PM316"))

    def _binop_type(self, node: ast.AST, lt: Ty, op: ast.operator, rt: Ty, right: ast.expr | None = None) -> Ty:
        sym = _OP_SYMBOLS.get(type(op), "?")
        if lt.is_numeric and rt.is_numeric:
            if isinstance(op, (ast.Add, ast.Sub, ast.Mult, ast.FloorDiv, ast.Mod)):
                return _numeric_result(lt, rt)
            if isinstance(op, ast.Div):
                return FLOAT
            if isinstance(op, ast.Pow):
                if FLOAT in (lt, rt):
                    return FLOAT
                if isinstance(right, ast.Constant) and isinstance(right.value, int) and right.value >= 0:
                    return INT
                raise self.fail(
                    node,
                    "Int ** Int needs a non-negative integer literal exponent (a negative exponent makes a float "
                    "in Python): write float(a) ** b",
                )
            if isinstance(op, (ast.BitAnd, ast.BitOr, ast.BitXor)):
                if lt == BOOL and rt == BOOL:
                    return BOOL
                if FLOAT in (lt, rt):
                    raise self.fail(node, f"`{sym}` needs Int operands, not Float64")
                return INT
            if isinstance(op, (ast.LShift, ast.RShift)):
                if FLOAT in (lt, rt):
                    raise self.fail(node, f"`{sym}` needs Int operands, not Float64")
                return INT
        if isinstance(op, ast.Add) and lt == rt and lt.kind in ("String", "List"):
            return lt
        if isinstance(op, ast.Mult) and lt.kind == "List" and rt in (INT, BOOL):
            return lt
        if isinstance(op, ast.Mult) and rt.kind == "List" and lt in (INT, BOOL):
            return rt
        raise self.fail(node, f"unsupported operand types for {sym}: {lt} and {rt}")

    def _compare_ok(self, node: ast.AST, op: ast.cmpop, a: Ty, b: Ty) -> None:
        if isinstance(op, (ast.In, ast.NotIn)):
            if b.kind == "List" and b.elem is not None and (b.elem == a or (a.is_numeric and b.elem.is_numeric)):
                if b.elem.kind in ("List", "Struct"):
                    raise self.fail(node, "`in` on a list of lists or structs is not supported in a fn", code="PM316")
                return
            raise self.fail(node, f"`in` needs a List of {a} on the right, not {b}")
        if isinstance(op, (ast.Is, ast.IsNot)):
            raise self.fail(node, "`is` is not supported in a fn; compare with ==", code="PM316")
        if a.is_numeric and b.is_numeric:
            return
        if a == STRING and b == STRING:
            return
        raise self.fail(node, f"cannot compare {a} with {b} in a fn")

    # ----------------------------------------------------------------- calls
    def _call(self, e: ast.Call, scope: _FnScope, expected: Ty | None) -> Ty:
        f = e.func
        if any(isinstance(a, ast.Starred) for a in e.args) or any(k.arg is None for k in e.keywords):
            raise self.fail(e, "*args/**kwargs in a call are not supported in a fn", code="PM316")
        if isinstance(f, ast.Name):
            name = f.id
            if scope.shadows(name):  # CPython calls the local's value, not the module's fn or math function
                raise self.fail(e, f"'{name}' is a local of this fn, not a fn, struct or builtin it could call", code="PM317")
            if name in self.functions:
                func = self.functions[name]
                if func.is_object:
                    raise self.fail(e, f"fn '{name}' takes or returns objects: a native fn cannot call it yet; "
                                       f"annotate the values it takes with native types or keep this function a def",
                                    code="PM317")
                args = self._bind(e, func.params, func.name)
                self._check_args(args, func.params, scope, func.name)
                self.calls[id(e)] = CallInfo("fn", func.key, args)
                return func.ret
            if name in self.structs:
                return self._ctor(e, self.structs[name], scope)
            if name in self.math_names and self.math_names[name] in MATH_FUNCS:
                return self._math(e, self.math_names[name], scope)
            if name in _BUILTINS and self._builtin_name(name, scope):
                return self._builtin(e, name, scope, expected)
            if name in EXCEPTIONS:
                raise self.fail(e, f"{name}(...) can only be raised in a fn: `raise {name}(...)`", code="PM317")
            self._explain_rebound(e, name)
            code = self.python_defs.get(name) or _dynamic_code(e, name)
            if code in DYNAMIC_WHY:
                raise self.fail(e, f"`{name}()` {DYNAMIC_WHY[code]}", code=code)
            raise self.fail(e, f"'{name}' is not a fn, struct or supported builtin; a fn can only call those",
                            code=code)
        if isinstance(f, ast.Attribute):
            if self._math_module(f.value, scope):
                if f.attr in MATH_FUNCS:
                    return self._math(e, f.attr, scope)
                raise self.fail(e, f"math.{f.attr} is not supported in a fn", code="PM317")
            recv = self.expr(f.value, scope)
            if recv.kind == "List":
                return self._list_method(e, f, recv, scope)
            if recv.kind == "Struct":
                st = self.structs[recv.name]
                meth = st.methods.get(f.attr)
                if meth is None or f.attr == "__init__":
                    raise self.fail(e, f"struct {recv.name} has no method '{f.attr}'", code="PM317")
                if meth.params[0].convention == "mut":
                    self._require_mutable(f.value, scope)
                args = self._bind(e, meth.params[1:], f"{recv.name}.{f.attr}")
                mut_self = f.value if meth.params[0].convention == "mut" else None
                self._check_args(args, meth.params[1:], scope, f.attr, mut_self)
                self.calls[id(e)] = CallInfo("method", meth.key, args, f.value)
                return meth.ret
            raise self.fail(e, f"{recv} has no method '{f.attr}' in a fn", code="PM317")
        raise self.fail(e, "only fns, structs, math functions and builtins can be called in a fn", code="PM317")

    def _bind(self, e: ast.Call, params: list[Param], name: str) -> list[ast.expr]:
        """Match call arguments to parameters as CPython would, at compile time."""
        slots: list[ast.expr | None] = [None] * len(params)
        positional = [p for p in params if p.kind != "kwonly"]
        if len(e.args) > len(positional):
            raise self.fail(
                e, f"{name}() takes {len(positional)} positional arguments but {len(e.args)} were given"
            )
        for i, a in enumerate(e.args):
            slots[i] = a
        for kw in e.keywords:
            idx = next((i for i, p in enumerate(params) if p.name == kw.arg and p.kind != "posonly"), None)
            if idx is None:
                raise self.fail(kw, f"{name}() got an unexpected keyword argument '{kw.arg}'")
            if slots[idx] is not None:
                raise self.fail(kw, f"{name}() got multiple values for argument '{kw.arg}'")
            slots[idx] = kw.value
        out: list[ast.expr] = []
        for p, slot in zip(params, slots):
            if slot is None:
                if p.default is None:
                    raise self.fail(e, f"{name}() missing required argument '{p.name}'")
                slot = p.default
            out.append(slot)
        return out

    def _check_args(
        self, args: list[ast.expr], params: list[Param], scope: _FnScope, name: str, recv: ast.expr | None = None
    ) -> None:
        for a, p in zip(args, params):
            if a is p.default:
                continue
            got = self.expr(a, scope, expected=p.ty)
            if p.convention == "mut":
                if got != p.ty:
                    raise self.fail(a, f"`mut` parameter '{p.name}' of {name}() needs a {p.ty}, not {got}")
                if not isinstance(a, (ast.Name, ast.Attribute, ast.Subscript)):
                    raise self.fail(a, f"`mut` parameter '{p.name}' of {name}() needs a variable, not a value")
                self._require_mutable(a, scope)
            elif not _assignable(got, p.ty):
                raise self.fail(a, f"{name}() parameter '{p.name}' is {p.ty}, not {got}{_convert(got, p.ty, a)}")
        self._exclusive(args, params, name, recv)

    def _exclusive(self, args: list[ast.expr], params: list[Param], name: str, recv: ast.expr | None) -> None:
        """A value passed as `mut` may not reach the callee a second time (it would alias itself)."""
        pairs = [(a, p.convention == "mut") for a, p in zip(args, params) if a is not p.default]
        if recv is not None:
            pairs.append((recv, True))
        for i, (a, is_mut) in enumerate(pairs):
            if not is_mut or not self._owns_heap(self.types.get(id(a))):
                continue  # sharing plain numbers in place is harmless (and is what Python does)
            root = root_name(a)
            for j, (other, _) in enumerate(pairs):
                if j != i and root is not None and root in _names_in(other):
                    raise self.fail(
                        other,
                        f"'{root}' is passed to {name}() as `mut` and also in another argument; "
                        "copy it first (`var c = ...`)",
                    )

    def _owns_heap(self, ty: Ty | None) -> bool:
        if ty is None or ty.kind in ("List", "String"):
            return True
        if ty.kind == "Struct":
            return any(self._owns_heap(f) for _, f in self.structs[ty.name].fields)
        return False

    def _ctor(self, e: ast.Call, st: StructIR, scope: _FnScope) -> Ty:
        init = st.methods.get("__init__")
        params = init.params[1:] if init is not None else [
            Param(n, t, "read", None, ast.arg(arg=n)) for n, t in st.fields
        ]
        args = self._bind(e, params, st.name)
        self._check_args(args, params, scope, st.name)
        self.calls[id(e)] = CallInfo("ctor", st.name, args)
        return struct_ty(st.name)

    def _math(self, e: ast.Call, name: str, scope: _FnScope) -> Ty:
        nargs, ret = MATH_FUNCS[name]
        if name == "log" and len(e.args) == 2:
            nargs = 2
        if e.keywords or len(e.args) != nargs:
            raise self.fail(e, f"math.{name}() takes {nargs} positional argument(s) in a fn")
        for a in e.args:
            t = self.expr(a, scope)
            if not t.is_numeric:
                raise self.fail(a, f"math.{name}() needs a number, not {t}")
        self.calls[id(e)] = CallInfo("math", name, list(e.args))
        return ret

    def _builtin(self, e: ast.Call, name: str, scope: _FnScope, expected: Ty | None) -> Ty:
        if e.keywords:
            raise self.fail(e, f"{name}() takes no keyword arguments in a fn")
        tys = [self.expr(a, scope) for a in e.args]
        self.calls[id(e)] = CallInfo("builtin", name, list(e.args))
        n = len(tys)
        if name == "len":
            if n == 1 and tys[0].kind in ("List", "String"):
                return INT
            raise self.fail(e, "len() takes one List or String in a fn")
        if name == "abs":
            if n == 1 and tys[0].is_numeric:
                return FLOAT if tys[0] == FLOAT else INT
            raise self.fail(e, "abs() takes one number")
        if name in ("min", "max"):
            if n == 1 and tys[0].kind == "List" and tys[0].elem is not None and tys[0].elem.is_numeric:
                return tys[0].elem
            if n >= 2 and all(t == tys[0] for t in tys) and tys[0].is_numeric:
                return tys[0]
            raise self.fail(
                e, f"{name}() takes one List of numbers or several numbers of one type (convert with float())"
            )
        if name in ("float", "int", "bool"):
            if n == 0:
                return {"float": FLOAT, "int": INT, "bool": BOOL}[name]
            if n == 1 and (tys[0].is_numeric or (name == "bool" and tys[0].kind in ("List", "String"))):
                return {"float": FLOAT, "int": INT, "bool": BOOL}[name]
            raise self.fail(e, f"{name}() takes one number in a fn")
        if name == "range":
            raise self.fail(e, "range() can only be used as the iterable of a for loop in a fn", code="PM316")
        raise self.fail(e, f"{name}() is not supported in a fn", code="PM317")

    def _list_method(self, e: ast.Call, f: ast.Attribute, recv: Ty, scope: _FnScope) -> Ty:
        assert recv.elem is not None
        if e.keywords:
            raise self.fail(e, f"list.{f.attr}() takes no keyword arguments")
        if f.attr == "append":
            self._require_mutable(f.value, scope)
            if len(e.args) != 1:
                raise self.fail(e, "append() takes exactly one argument")
            got = self.expr(e.args[0], scope, recv.elem)
            if not _assignable(got, recv.elem):
                raise self.fail(e.args[0], f"cannot append {_a(got)} to a {recv}{_convert(got, recv.elem, e.args[0])}")
            self.calls[id(e)] = CallInfo("list_method", "append", list(e.args), f.value)
            return NONE
        if f.attr == "pop":
            self._require_mutable(f.value, scope)
            if len(e.args) > 1:
                raise self.fail(e, "pop() takes at most one argument")
            for a in e.args:
                if self.expr(a, scope) not in (INT, BOOL):
                    raise self.fail(a, "pop() index must be an Int")
            self.calls[id(e)] = CallInfo("list_method", "pop", list(e.args), f.value)
            return recv.elem
        if f.attr == "clear":
            self._require_mutable(f.value, scope)
            if e.args:
                raise self.fail(e, "clear() takes no arguments")
            self.calls[id(e)] = CallInfo("list_method", "clear", [], f.value)
            return NONE
        if f.attr == "copy":
            if e.args:
                raise self.fail(e, "copy() takes no arguments")
            self.calls[id(e)] = CallInfo("list_method", "copy", [], f.value)
            return recv
        raise self.fail(e, f"list.{f.attr}() is not supported in a fn", code="PM317")


_BUILTINS = BUILTIN_CALLS

_OP_SYMBOLS: dict[type, str] = {
    ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//", ast.Mod: "%",
    ast.Pow: "**", ast.BitAnd: "&", ast.BitOr: "|", ast.BitXor: "^", ast.LShift: "<<", ast.RShift: ">>",
    ast.MatMult: "@",
}  # fmt: skip


def _names_in(e: ast.expr) -> set[str]:
    return {n.id for n in ast.walk(e) if isinstance(n, ast.Name)}


def _assignable(src: Ty, dst: Ty) -> bool:
    """A value goes only where its own type is declared. An Int is not widened to a Float64 nor a Bool
    taken for a number: the Python reading keeps the int (`x // 2` is then 3, not 3.0) or the bool itself
    (`True`, not `1`) wherever the value goes, so the conversion must be written."""
    return src == dst


def _convert(got: Ty, want: Ty, node: ast.expr | None = None) -> str:
    """The hint that ends a type mismatch message: how to convert a Bool or an Int explicitly."""
    if got == BOOL and want in (INT, FLOAT):
        return f": CPython would keep the bool; convert it with {'int' if want == INT else 'float'}(...)"
    if got == INT and want == FLOAT:
        literal = _int_literal_value(node)
        if literal is not None:
            return f": CPython would keep the int {literal}; write {float(literal)!r}"
        return ": CPython would keep the int; write float(...)"
    if got.kind == want.kind == "List" and got.elem is not None and want.elem is not None:
        if _convert(got.elem, want.elem):
            return f": CPython would keep the {got.elem.python_name()} items; convert them"
    return ""


def _a(ty: Ty) -> str:
    """The type with its article: "an Int", "a Float64"."""
    return f"{'an' if str(ty)[0] in 'AEIOU' else 'a'} {ty}"


def _int_literal_value(node: ast.expr | None) -> int | None:
    """The value of an int literal (`3`, `-3`), else None."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        inner = _int_literal_value(node.operand)
        return None if inner is None else (-inner if isinstance(node.op, ast.USub) else inner)
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    return None


def _always_exits(body: list[ast.stmt]) -> bool:
    """Conservative: does every path through body end in return or raise?"""
    for s in body:
        if isinstance(s, (ast.Return, ast.Raise)):
            return True
        if isinstance(s, ast.If) and s.orelse and _always_exits(s.body) and _always_exits(s.orelse):
            return True
        if (
            isinstance(s, ast.While)
            and isinstance(s.test, ast.Constant)
            and s.test.value is True
            and not any(isinstance(n, ast.Break) for n in _loop_own_nodes(s.body))
        ):
            return True
    return False


def _loop_own_nodes(body: list[ast.stmt]) -> list[ast.AST]:
    """Nodes of a loop body, not descending into nested loops (whose breaks are their own)."""
    out: list[ast.AST] = []
    stack: list[ast.AST] = list(body)
    while stack:
        n = stack.pop()
        out.append(n)
        if isinstance(n, (ast.For, ast.While)):
            continue
        stack.extend(ast.iter_child_nodes(n))
    return out


def check_module(marked: MarkedModule, *, implicit_decls: bool = False, tier_rule: bool = False) -> ModuleIR:
    return Checker(marked, implicit_decls=implicit_decls, tier_rule=tier_rule).run()


def _all_args(a: ast.arguments) -> list[ast.arg]:
    """The parameters in the order the binder returns them."""
    return [*a.posonlyargs, *a.args, *a.kwonlyargs, *(x for x in (a.vararg, a.kwarg) if x is not None)]


def mangle(name: str, cls: str) -> str:
    """CPython's private name mangling (`_Py_Mangle`): `__x` in class `Cls` is `_Cls__x`."""
    if not name.startswith("__") or name.endswith("__") or "." in name:
        return name
    stripped = cls.lstrip("_")
    return f"_{stripped}{name}" if stripped else name


def mangle_method(node: ast.FunctionDef, cls: str) -> ast.FunctionDef:
    """The method with its private names mangled as CPython's compiler mangles them in a class body
    (names, attributes and parameters; keyword argument names are not), or the method itself when it
    has none."""
    def private(n: ast.AST) -> str | None:
        name = n.id if isinstance(n, ast.Name) else n.attr if isinstance(n, ast.Attribute) else \
            n.arg if isinstance(n, ast.arg) else None
        return name if name is not None and mangle(name, cls) != name else None

    def nested_def(n: ast.AST) -> bool:  # a nested def binds its name mangled
        return isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n is not node and mangle(n.name, cls) != n.name

    if not any(private(n) or nested_def(n) for n in ast.walk(node)):
        return node
    copied = copy.deepcopy(node)
    for n in ast.walk(copied):
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n is not copied:
            n.name = mangle(n.name, cls)
        if private(n) is None:
            continue
        if isinstance(n, ast.Name):
            n.id = mangle(n.id, cls)
        elif isinstance(n, ast.Attribute):
            n.attr = mangle(n.attr, cls)
        elif isinstance(n, ast.arg):
            n.arg = mangle(n.arg, cls)
    return copied


def _zero_super(n: ast.AST) -> bool:
    return isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "super" and not n.args \
        and not n.keywords


def uses_class_cell(node: ast.FunctionDef) -> bool:
    """Does the method read its class's `__class__` cell (a zero-argument `super()` or `__class__`)?"""
    return any(_zero_super(n) or (isinstance(n, ast.Name) and n.id == "__class__") for n in ast.walk(node))


def read_class_cell(node: ast.FunctionDef, cell: str) -> ast.FunctionDef:
    """In place: `super()` as `super(<the class in the cell>, <first parameter>)`, which is what CPython's
    zero-argument form finds in the frame (the first local's current value), and `__class__` as the
    class in the cell; a method without a positional parameter, a `super` or `__class__` of its own, or
    a `super` not called without arguments keep their names (the checker refuses them)."""
    a = node.args
    first = (a.posonlyargs + a.args)[0].arg if a.posonlyargs + a.args else None
    local = fn_local_names(node) | {x.arg for x in (*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg)
                                    if x is not None}
    if local & {"super", "__class__"}:
        return node
    # in a comprehension (a function of its own in 3.11) super() takes the comprehension's iterator; a
    # nested def, lambda or generator expression is Python, compiled in the class body (tir/closures.py)
    inner = {id(c) for comp in ast.walk(node) if isinstance(comp, (ast.ListComp, ast.SetComp, ast.DictComp,
             ast.GeneratorExp)) for c in ast.walk(comp)}
    inner |= {id(n) for n in ast.walk(node)} - {id(n) for n in own_nodes(node)}
    for n in ast.walk(node):
        if _zero_super(n) and first is not None and id(n) not in inner:
            assert isinstance(n, ast.Call)
            n.args = [ClassCell(cell, True, n), ast.copy_location(ast.Name(id=first, ctx=ast.Load()), n)]
        for name, value in ast.iter_fields(n):
            if isinstance(value, ast.Name) and value.id == "__class__" and isinstance(value.ctx, ast.Load):
                setattr(n, name, ClassCell(cell, False, value))
            elif isinstance(value, list):
                value[:] = [ClassCell(cell, False, v) if isinstance(v, ast.Name) and v.id == "__class__"
                            and isinstance(v.ctx, ast.Load) else v for v in value]
    return node
