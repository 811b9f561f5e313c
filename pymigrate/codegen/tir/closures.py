"""Nested scopes of an object-tier fn: nested defs, lambdas and generator expressions stay Python.

The inner function's code is CPython's own: the module's Python side defines a *template*, the fn's
def as written but with its own decorators, defaults and annotations left out (nothing of it runs),
where the def stood (in the class body for a method, so private names are mangled and `super()` finds
the class cell as in the def), and registers the code objects of the nested scopes, renamed to the
def's qualified names (`f.<locals>.inner`). The compiled fn makes each function as MAKE_FUNCTION does:
the code, the module's globals, the defaults, keyword defaults and annotations it evaluated, and a
closure of cells; a generator expression's function is called with the iterator of its first iterable.

The fn's variables that a nested scope captures live in cells (PyCell) in the compiled code, made at
entry (a parameter's cell holds its argument), so an inner function sees every later rebinding and a
`nonlocal` write in it is seen by the fn. The compiler finds the cells, each nested code object and its
free variables by compiling the same template itself (with each nested scope's first line made unique
to recognise its code object), as the module's compile will.
"""

from __future__ import annotations
import __future__

import ast
import copy
import types
from dataclasses import dataclass, field

from pymigrate.codegen.tir.scopes import own_nodes

TEMPLATE = "__pm_template__"  # a dunder name: never mangled in a class body, never an Enum member
CODES = "__pm_codes__"
MARK = 10_000_000  # first lines of the nested scopes in the compiler's own compile of the template
SCOPE_TYPES = (ast.FunctionDef, ast.Lambda, ast.GeneratorExp)
INLINED = (ast.ListComp, ast.SetComp, ast.DictComp)
INLINED_NAMES = ("<listcomp>", "<setcomp>", "<dictcomp>")

# Defined once in a module whose fns have nested scopes, before the first template.
CODES_HELPER = f'''
def {CODES}(code, old, new, paths, /):
    """The code objects at `paths` among `code`'s constants, renamed as the def names them."""
    kind = type(code)

    def named(c):
        q = c.co_qualname
        if q.startswith(old):
            q = new + q[len(old):]
        return c.replace(co_qualname=q, co_consts=tuple(named(x) if type(x) is kind else x for x in c.co_consts))

    found = []
    for path in paths:
        c = code
        for i in path:
            c = c.co_consts[i]
        found.append(named(c))
    return tuple(found)
'''


@dataclass
class NestedScope:
    index: int  # its code object's place in the registered tuple
    path: tuple[int, ...]  # where the code object is among the template's constants
    freevars: tuple[str, ...]  # the closure the function takes, in this order


@dataclass
class Closures:
    """What the builder needs to make a fn's nested functions: its cell variables, each nested scope's
    code and free variables, and the cells of its inlined comprehensions (a comprehension variable an
    inner lambda captures)."""

    cellvars: tuple[str, ...]
    scopes: dict[int, NestedScope] = field(default_factory=dict)  # id of the node in func.node ->
    comprehension_cells: dict[int, tuple[str, ...]] = field(default_factory=dict)
    old_prefix: str = ""
    lazy: bool = False  # the module's `from __future__ import annotations`: nested annotations are text

    @property
    def paths(self) -> tuple[tuple[int, ...], ...]:
        return tuple(s.path for s in sorted(self.scopes.values(), key=lambda s: s.index))


def nested_scopes(node: ast.FunctionDef) -> list[ast.AST]:
    """The nested defs, lambdas and generator expressions the fn's own frame makes, in source order."""
    return [n for n in own_nodes(node) if n is not node and isinstance(n, SCOPE_TYPES)]


def template_def(node: ast.FunctionDef) -> ast.FunctionDef:
    """The fn's def as written, renamed TEMPLATE, without its decorators, defaults and annotations."""
    tpl = copy.deepcopy(node)
    tpl.name = TEMPLATE
    tpl.decorator_list = []
    tpl.returns = None
    a = tpl.args
    for x in (*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg):
        if x is not None:
            x.annotation = None
    a.defaults = []
    a.kw_defaults = [None] * len(a.kwonlyargs)
    return tpl


def _where(n: ast.AST) -> tuple[str, int, int, int | None, int | None]:
    return (type(n).__name__, n.lineno, n.col_offset, n.end_lineno, n.end_col_offset)  # type: ignore[attr-defined]


def _mark(n: ast.AST, line: int) -> None:
    n.lineno = n.end_lineno = line  # type: ignore[attr-defined]
    n.col_offset, n.end_col_offset = 0, 1  # type: ignore[attr-defined]


def analyze(node: ast.FunctionDef, written: ast.FunctionDef, py_class: str | None, lazy: bool) -> Closures | None:
    """The closures of the fn whose checked def is `node` (as written: `written`; a method of class
    `py_class`), or None when it makes no nested function."""
    scopes = nested_scopes(node)
    if not scopes:
        return None
    comps = [n for n in own_nodes(node) if isinstance(n, INLINED)]
    tpl = template_def(written)
    by_place = {_where(n): n for n in ast.walk(tpl) if isinstance(n, (*SCOPE_TYPES, *INLINED))}
    marked: dict[tuple[str, int], ast.AST] = {}  # (code name, first line) -> node of func.node
    for k, n in enumerate([*scopes, *comps]):
        t = by_place[_where(n)]
        _mark(t, MARK + k)
    for n in [*scopes, *comps]:
        t = by_place[_where(n)]
        if isinstance(t, ast.FunctionDef):
            marked[(t.name, (t.decorator_list[0] if t.decorator_list else t).lineno)] = n
        else:
            names = {ast.Lambda: "<lambda>", ast.GeneratorExp: "<genexpr>", ast.ListComp: "<listcomp>",
                     ast.SetComp: "<setcomp>", ast.DictComp: "<dictcomp>"}
            marked[(names[type(t)], t.lineno)] = n
    body: list[ast.stmt] = [tpl]
    if py_class is not None:
        body = [ast.ClassDef(name=py_class, bases=[], keywords=[], body=body, decorator_list=[])]
    module = ast.fix_missing_locations(ast.Module(body=body, type_ignores=[]))
    flags = __future__.annotations.compiler_flag if lazy else 0
    code = compile(module, "<pymigrate>", "exec", flags=flags, dont_inherit=True)
    if py_class is not None:
        code = next(c for c in code.co_consts if isinstance(c, types.CodeType))
    tcode = next(c for c in code.co_consts if isinstance(c, types.CodeType) and c.co_name == TEMPLATE)
    out = Closures(tcode.co_cellvars, old_prefix=tcode.co_qualname + ".", lazy=lazy)

    def walk(c: types.CodeType, path: tuple[int, ...]) -> None:
        for i, x in enumerate(c.co_consts):
            if not isinstance(x, types.CodeType):
                continue
            n = marked.get((x.co_name, x.co_firstlineno))
            if n is None:
                continue
            if isinstance(n, INLINED):
                out.comprehension_cells[id(n)] = x.co_cellvars
                walk(x, (*path, i))
            else:
                out.scopes[id(n)] = NestedScope(len(out.scopes), (*path, i), x.co_freevars)

    walk(tcode, ())  # a scope CPython's compiler found unreachable has no code object (and never runs)
    return out


def has_nested_scopes(node: ast.FunctionDef) -> bool:
    return bool(nested_scopes(node))


def template_glue(written: ast.FunctionDef, closures: Closures, qualname: str, slot: int,
                  register: str) -> list[ast.stmt]:
    """The template and the registration of its nested code objects, renamed under `qualname`."""
    call = (f"{register}({slot}, {CODES}({TEMPLATE}.__code__, {closures.old_prefix!r}, {qualname + '.'!r}, "
            f"{closures.paths!r}))\ndel {TEMPLATE}\n")
    return [template_def(written), *ast.parse(call).body]
