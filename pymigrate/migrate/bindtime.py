"""Which names an annotation uses before they are bound, decided from the module's structure.

An annotation of a ``def`` is evaluated when the ``def`` statement runs (unless annotations are lazy:
``from __future__ import annotations``), and so is a variable annotation in a module or class body.
A module-level ``def`` runs in order with the module's other statements; a method's ``def`` while its
class body runs, before the class name is bound; a nested ``def`` each time its enclosing function runs.
A function runs while the module is still being imported when module-level code (a statement, a class
body, a decorator, a default value, a base class) calls it or hands it on, when a decorator that may
call it decorates it, or when another function that runs then calls it: its nested ``def`` statements
see only the module names bound at that point. Every other function runs after the import, when every
name the module binds at run time exists (names bound only under ``if TYPE_CHECKING:`` never do).

The walk is conservative about running: a function referred to by name from code that runs is taken
to run there and then. An annotation it flags can always be written as a string without changing
what the module does (a string is never evaluated); one it passes is evaluated with its names bound.
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef
Lookup = Callable[[str], bool]

# decorators known not to call the function they decorate
_QUIET_DECORATORS = frozenset({
    "property", "staticmethod", "classmethod", "setter", "getter", "deleter", "abstractmethod",
    "overload", "override", "final", "cache", "lru_cache", "cached_property", "wraps", "contextmanager",
    "asynccontextmanager", "total_ordering", "dataclass", "register", "singledispatch",
    "singledispatchmethod", "no_type_check", "runtime_checkable",
})
_MODULE_NAMES = frozenset({"__name__", "__file__", "__doc__", "__spec__", "__loader__", "__package__",
                           "__builtins__", "__path__", "__annotations__", "__dict__"})
_BUILTINS = frozenset(dir(builtins))


@dataclass(frozen=True)
class Evaluation:
    """One evaluation of an annotation: whose it is, which slot, and what is bound at that moment."""

    owner: str               # qualname of the function, or of the class ("" for the module) of a variable
    slot: str                # a parameter's name, "return", or the annotated variable's source text
    annotation: ast.expr | None   # None for a slot that has no annotation yet
    bound: Lookup


@dataclass(frozen=True)
class Unbound:
    """An annotation evaluated while some of its names are not bound: a NameError when it runs."""

    owner: str
    slot: str
    names: tuple[str, ...]
    line: int
    col: int                 # 1-based

    @property
    def key(self) -> tuple[str, str, tuple[str, ...]]:
        return self.owner, self.slot, self.names


def eager_names(annotation: ast.expr) -> set[str]:
    """The names evaluating ``annotation`` looks up (a string inside it is never evaluated)."""
    return {n.id for n in ast.walk(annotation) if isinstance(n, ast.Name)}


def lazy_annotations(tree: ast.Module) -> bool:
    """``from __future__ import annotations``: no annotation is evaluated."""
    return any(isinstance(s, ast.ImportFrom) and s.module == "__future__" and any(
        a.name == "annotations" for a in s.names) for s in tree.body)


def evaluations(tree: ast.Module) -> list[Evaluation]:
    """Every evaluation of every annotation slot of ``def`` statements (filled or not) and of annotated
    variables in module and class bodies, with what is bound each time (empty when annotations are lazy)."""
    if lazy_annotations(tree):
        return []
    walker = _Walker(tree)
    walker.run_module()
    return walker.evaluations


def unbound_annotations(tree: ast.Module) -> list[Unbound]:
    """The annotations that name something not bound when they are evaluated."""
    found: dict[tuple[str, str, tuple[str, ...]], Unbound] = {}
    for ev in evaluations(tree):
        if ev.annotation is None:
            continue
        missing = tuple(sorted(n for n in eager_names(ev.annotation) if not ev.bound(n)))
        if missing:
            problem = Unbound(ev.owner, ev.slot, missing, ev.annotation.lineno, ev.annotation.col_offset + 1)
            found.setdefault(problem.key, problem)
    return list(found.values())


def _target_names(target: ast.AST) -> Iterator[str]:
    for node in ast.walk(target):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            yield node.id
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            yield node.name
        elif isinstance(node, ast.MatchMapping) and node.rest:
            yield node.rest


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _own_nodes(body: Iterable[ast.AST]) -> Iterator[ast.AST]:
    """The nodes of a scope's body, not descending into nested functions or classes (their headers, which
    run in this scope, included); a lambda's body is taken to run where the lambda is."""
    stack = list(body)
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            stack.extend(node.decorator_list)
            stack.extend(d for d in [*node.args.defaults, *node.args.kw_defaults] if d is not None)
        elif isinstance(node, ast.ClassDef):
            stack.extend([*node.decorator_list, *node.bases, *(k.value for k in node.keywords)])
        else:
            stack.extend(ast.iter_child_nodes(node))


def _all_params(args: ast.arguments) -> list[ast.arg]:
    extra = [a for a in (args.vararg, args.kwarg) if a is not None]
    return [*args.posonlyargs, *args.args, *args.kwonlyargs, *extra]


def _function_locals(func: FunctionNode) -> set[str]:
    """Every name the function binds anywhere in its own body (taken as bound: a nested ``def`` that
    uses one before its assignment fails in the original too)."""
    names = {a.arg for a in _all_params(func.args)}
    declared_global: set[str] = set()
    for node in _own_nodes(func.body):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            declared_global.update(node.names)
        elif isinstance(node, (ast.MatchAs, ast.MatchStar, ast.MatchMapping)):
            names.update(_target_names(node))
    return names - declared_global


@dataclass
class _Function:
    node: FunctionNode
    qualname: str
    enclosing: list[FunctionNode]          # the functions it is nested in, innermost last


@dataclass
class _Frame:
    """Where code runs: what is bound there at this moment, where a binding goes, what a name calls."""

    snapshot: Callable[[], Lookup]         # what is bound now, frozen
    around: Callable[[], Lookup]           # what a class body nested here sees besides its own names
    bind: Callable[[str], None]
    callables: Callable[[str], list[_Function | ast.ClassDef]]
    qualprefix: str
    globals_now: Callable[[], Lookup]      # the module names bound now (for the functions it runs)
    function: bool = False                 # a function body: its variable annotations are never evaluated


class _Walker:
    def __init__(self, tree: ast.Module) -> None:
        self.tree = tree
        self.evaluations: list[Evaluation] = []
        self.first_bound: dict[str, int] = {}
        self.clock = 0
        self.star = False
        self.ran: set[int] = set()
        self.infos: dict[int, _Function] = {}
        self.locals: dict[int, set[str]] = {}
        self.nested: dict[int, dict[str, list[_Function | ast.ClassDef]]] = {}   # per function, its defs
        self.module_defs: dict[str, list[_Function | ast.ClassDef]] = {}
        self.methods: dict[str, list[_Function]] = {}
        self._index(tree.body, "", [], False)

    # -- the module's functions and classes, by name -------------------------------------------------
    def _index(self, body: Sequence[ast.stmt], prefix: str, enclosing: list[FunctionNode], class_body: bool) -> None:
        defs = self.nested.setdefault(id(enclosing[-1]), {}) if enclosing else self.module_defs
        for stmt in body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                info = _Function(stmt, prefix + stmt.name, enclosing)
                self.infos[id(stmt)] = info
                if class_body:
                    self.methods.setdefault(stmt.name, []).append(info)
                else:
                    defs.setdefault(stmt.name, []).append(info)
                self._index(stmt.body, f"{prefix}{stmt.name}.<locals>.", [*enclosing, stmt], False)
            elif isinstance(stmt, ast.ClassDef):
                if not class_body:
                    defs.setdefault(stmt.name, []).append(stmt)
                self._index(stmt.body, f"{prefix}{stmt.name}.", enclosing, True)
            else:
                for child in ast.iter_child_nodes(stmt):   # compound statements: if, for, try, with...
                    if isinstance(child, ast.stmt):
                        self._index([child], prefix, enclosing, class_body)
                    elif isinstance(child, (ast.ExceptHandler, ast.match_case)):
                        self._index(child.body, prefix, enclosing, class_body)

    def _locals(self, func: FunctionNode) -> set[str]:
        names = self.locals.get(id(func))
        if names is None:
            names = self.locals[id(func)] = _function_locals(func)
        return names

    # -- module names, by the moment they are bound ----------------------------------------------------
    def _bind_global(self, name: str) -> None:
        self.clock += 1
        self.first_bound.setdefault(name, self.clock)

    def _globals_now(self) -> Lookup:
        moment, star = self.clock, self.star

        def bound(name: str) -> bool:
            return self.first_bound.get(name, moment + 1) <= moment or name in _MODULE_NAMES \
                or name in _BUILTINS or star
        return bound

    def run_module(self) -> None:
        module = _Frame(snapshot=self._globals_now, around=self._globals_now, bind=self._bind_global,
                        callables=lambda n: list(self.module_defs.get(n, [])), qualprefix="",
                        globals_now=self._globals_now)
        self._block(self.tree.body, module)
        after_import = self._globals_now()
        for info in list(self.infos.values()):     # what never ran during the import runs after it
            self._run(info, after_import)

    # -- statements -----------------------------------------------------------------------------------
    def _block(self, body: Sequence[ast.stmt], frame: _Frame) -> None:
        for stmt in body:
            self._statement(stmt, frame)

    def _statement(self, stmt: ast.stmt, frame: _Frame) -> None:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self._def(stmt, frame)
        elif isinstance(stmt, ast.ClassDef):
            self._class(stmt, frame)
        elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
            for alias in stmt.names:
                if alias.name == "*":
                    self.star = True
                else:
                    frame.bind((alias.asname or alias.name).split(".")[0])
        elif isinstance(stmt, ast.If) and _is_type_checking(stmt.test):
            self._block(stmt.orelse, frame)             # the guarded block never runs
        elif isinstance(stmt, ast.AnnAssign):
            if stmt.value is not None:
                self._evaluate([stmt.value], frame)
            if not frame.function:
                self.evaluations.append(Evaluation(frame.qualprefix[:-1], ast.unparse(stmt.target),
                                                   stmt.annotation, frame.snapshot()))
            self._evaluate([stmt.target], frame)
            if stmt.value is not None:
                for name in _target_names(stmt.target):
                    frame.bind(name)
        else:
            headers = [c for c in ast.iter_child_nodes(stmt) if isinstance(c, ast.expr)]
            self._evaluate(headers, frame)
            for header in headers:
                for name in _target_names(header):
                    frame.bind(name)
            for child in ast.iter_child_nodes(stmt):
                if isinstance(child, ast.stmt):
                    self._statement(child, frame)
                elif isinstance(child, ast.withitem):
                    self._evaluate([child.context_expr], frame)
                    if child.optional_vars is not None:
                        for name in _target_names(child.optional_vars):
                            frame.bind(name)
                elif isinstance(child, ast.ExceptHandler):
                    if child.type is not None:
                        self._evaluate([child.type], frame)
                    if child.name:
                        frame.bind(child.name)
                    self._block(child.body, frame)
                elif isinstance(child, ast.match_case):
                    for name in _target_names(child.pattern):
                        frame.bind(name)
                    self._block(child.body, frame)

    def _def(self, node: FunctionNode, frame: _Frame) -> None:
        info = self.infos[id(node)]
        args = node.args
        self._evaluate([*node.decorator_list, *args.defaults, *(d for d in args.kw_defaults if d)], frame)
        now = frame.snapshot()
        for arg in _all_params(args):
            self.evaluations.append(Evaluation(info.qualname, arg.arg, arg.annotation, now))
        self.evaluations.append(Evaluation(info.qualname, "return", node.returns, now))
        if any(_may_call(d) for d in node.decorator_list):
            self._run(info, frame.globals_now())    # the decorator may call it before its name is bound
        frame.bind(node.name)

    def _class(self, node: ast.ClassDef, frame: _Frame) -> None:
        """The class body runs now, in its own namespace; the class name is bound only after it."""
        self._evaluate([*node.decorator_list, *node.bases, *(k.value for k in node.keywords)], frame)
        names: set[str] = set()
        methods: dict[str, list[_Function | ast.ClassDef]] = {}
        for stmt in node.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                methods.setdefault(stmt.name, []).append(self.infos[id(stmt)])

        def snapshot() -> Lookup:
            own, around = frozenset(names), frame.around()
            return lambda name: name in own or around(name)

        body = _Frame(snapshot=snapshot, around=frame.around, bind=names.add,
                      callables=lambda n: (methods.get(n, []) if n in names else []) or frame.callables(n),
                      qualprefix=f"{frame.qualprefix}{node.name}.", globals_now=frame.globals_now)
        self._block(node.body, body)
        frame.bind(node.name)

    # -- expressions that run now, and the functions they run ------------------------------------------
    def _evaluate(self, exprs: Iterable[ast.AST], frame: _Frame) -> None:
        targets: list[_Function | ast.ClassDef] = []
        for node in _own_nodes(exprs):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                targets += frame.callables(node.id)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):
                targets += self.methods.get(node.attr, [])
        for target in targets:
            if isinstance(target, ast.ClassDef):
                for stmt in target.body:
                    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) \
                            and stmt.name in ("__init__", "__new__", "__post_init__"):
                        self._run(self.infos[id(stmt)], frame.globals_now())
            else:
                self._run(target, frame.globals_now())

    def _run(self, info: _Function, module_names: Lookup) -> None:
        """The function's body runs with the module names ``module_names`` says are bound (the first run
        sees the fewest: later runs only add names)."""
        if id(info.node) in self.ran:
            return
        self.ran.add(id(info.node))
        chain = [*info.enclosing, info.node]
        scopes = [self._locals(f) for f in chain]

        def bound(name: str) -> bool:
            return any(name in s for s in scopes) or module_names(name)

        def callables(name: str) -> list[_Function | ast.ClassDef]:
            for func in reversed(chain):
                found = self.nested.get(id(func), {}).get(name)
                if found:
                    return list(found)
            return list(self.module_defs.get(name, []))

        frame = _Frame(snapshot=lambda: bound, around=lambda: bound, bind=lambda name: None,
                       callables=callables, qualprefix=f"{info.qualname}.<locals>.",
                       globals_now=lambda: module_names, function=True)
        self._block(info.node.body, frame)


def _may_call(decorator: ast.expr) -> bool:
    """A decorator that may call the function it decorates, at definition time."""
    called = decorator.func if isinstance(decorator, ast.Call) else decorator
    name = called.attr if isinstance(called, ast.Attribute) else getattr(called, "id", None)
    return name not in _QUIET_DECORATORS
