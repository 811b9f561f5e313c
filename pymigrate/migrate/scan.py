"""Facts about one function body that the fn/struct upgrade needs.

Each question is a small LibCST visitor: which names a body binds first (they get `var`),
which parameters it mutates in place (`mut`) or rebinds (`var`), whether it can raise
(`raises`), whether it returns a value. All of them err on the side that keeps CPython's
behaviour: a parameter is `mut` when in doubt, a body `raises` when in doubt.
"""

from __future__ import annotations

from typing import Sequence

import libcst as cst

from pymigrate.mutation import MUTATING_METHODS as MUTATING_METHODS  # re-exported for upgrade.py

# Annotations whose `+=` (and friends) mutate the object in place instead of rebinding.
IN_PLACE_TYPES = frozenset(
    {
        "list",
        "List",
        "dict",
        "Dict",
        "set",
        "Set",
        "bytearray",
        "deque",
        "Deque",
        "defaultdict",
        "DefaultDict",
        "OrderedDict",
        "Counter",
        "MutableSequence",
        "MutableMapping",
        "MutableSet",
    }
)


def root_name(expr: cst.BaseExpression) -> str | None:
    """The variable an attribute/subscript/call chain starts from: `p` in `p.a[0].b()`."""
    while True:
        if isinstance(expr, cst.Name):
            return expr.value
        if isinstance(expr, (cst.Attribute, cst.Subscript)):
            expr = expr.value
        elif isinstance(expr, cst.Call):
            expr = expr.func
        else:
            return None


def annotation_head(annotation: cst.Annotation | None) -> str | None:
    """`list` for `list[int]`, `Dict` for `typing.Dict[str, int]`; None when not a plain name."""
    if annotation is None:
        return None
    expr = annotation.annotation
    if isinstance(expr, cst.Subscript):
        expr = expr.value
    if isinstance(expr, cst.Attribute):
        return expr.attr.value
    if isinstance(expr, cst.Name):
        return expr.value
    return None


def all_params(params: cst.Parameters) -> list[cst.Param]:
    out = [*params.posonly_params, *params.params]
    if isinstance(params.star_arg, cst.Param):
        out.append(params.star_arg)
    out.extend(params.kwonly_params)
    if params.star_kwarg is not None:
        out.append(params.star_kwarg)
    return out


def positional_names(params: cst.Parameters) -> list[str]:
    return [p.name.value for p in (*params.posonly_params, *params.params)]


class MutationScan(cst.CSTVisitor):
    """Which of `names` a body mutates in place, which it rebinds, and which calls pass them on.

    Nested functions and lambdas are scanned too: a closure that mutates a parameter mutates
    it when called. A nested scope that shadows the name makes the answer more `mut`, never less.
    """

    def __init__(self, names: set[str], in_place: set[str], mutating_methods: frozenset[str]) -> None:
        super().__init__()
        self.names = names
        self.in_place = in_place
        self.mutating_methods = mutating_methods
        self.mutated: set[str] = set()
        self.rebound: set[str] = set()
        # (callee name, positional index or keyword name, our parameter passed there)
        self.passes: list[tuple[str, int | str, str]] = []
        # method names called on each of our names, e.g. p.move()
        self.method_calls: list[tuple[str, str]] = []

    def _target(self, target: cst.BaseExpression, augmented: bool = False) -> None:
        if isinstance(target, cst.Name):
            if target.value in self.names:
                if augmented and target.value in self.in_place:
                    self.mutated.add(target.value)
                else:
                    self.rebound.add(target.value)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._target(element.value)
        elif isinstance(target, cst.StarredElement):
            self._target(target.value)
        elif isinstance(target, (cst.Attribute, cst.Subscript)):
            root = root_name(target)
            if root in self.names:
                self.mutated.add(root)

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._target(target.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._target(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._target(node.target, augmented=True)

    def visit_Del(self, node: cst.Del) -> None:
        self._target(node.target)

    def visit_For(self, node: cst.For) -> None:
        self._target(node.target)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self._target(node.asname.name)

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.name is not None:
            self._target(node.name.name)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._target(node.target)

    def visit_ImportAlias(self, node: cst.ImportAlias) -> None:
        if node.asname is not None:
            self._target(node.asname.name)
        elif isinstance(node.name, cst.Name):
            self._target(node.name)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._target(node.name)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._target(node.name)

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Attribute):
            root = root_name(func.value)
            if root in self.names:
                self.method_calls.append((root, func.attr.value))
                if func.attr.value in self.mutating_methods:
                    self.mutated.add(root)
        elif isinstance(func, cst.Name):
            index = 0
            for arg in node.args:
                if arg.star:
                    break
                where: int | str
                if arg.keyword is not None:
                    where = arg.keyword.value
                else:
                    where = index
                    index += 1
                if isinstance(arg.value, cst.Name) and arg.value.value in self.names:
                    self.passes.append((func.value, where, arg.value.value))


class LocalDecls(cst.CSTVisitor):
    """The first binding of each local name, in source order; simple ones get `var`.

    "Simple" means `x = e` (one target) or `x: T [= e]`, the forms `var` can prefix. Other
    first bindings (for targets, tuple unpacking, with/except targets...) declare the name
    without a keyword. Nested functions, classes and lambdas are their own scopes.
    """

    def __init__(self, params: set[str], outer: set[str]) -> None:
        super().__init__()
        self.seen = set(params) | outer
        self.decls: list[cst.Name] = []

    def _bind(self, target: cst.BaseExpression, simple: bool) -> None:
        if isinstance(target, cst.Name):
            if target.value not in self.seen:
                self.seen.add(target.value)
                if simple:
                    self.decls.append(target)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._bind(element.value, False)
        elif isinstance(target, cst.StarredElement):
            self._bind(target.value, False)

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._bind(target.target, len(node.targets) == 1)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._bind(node.target, True)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._bind(node.target, False)

    def visit_For(self, node: cst.For) -> None:
        self._bind(node.target, False)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self._bind(node.asname.name, False)

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.name is not None:
            self._bind(node.name.name, False)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._bind(node.target, False)

    def visit_ImportAlias(self, node: cst.ImportAlias) -> None:
        if node.asname is not None:
            self._bind(node.asname.name, False)
        elif isinstance(node.name, cst.Name):
            self._bind(node.name, False)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self._bind(node.name, False)
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        self._bind(node.name, False)
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False


class _ScopeNames(cst.CSTVisitor):
    """Names a body declares `global` or `nonlocal` (not locals, so never `var`)."""

    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def visit_Global(self, node: cst.Global) -> None:
        self.names.update(item.name.value for item in node.names)

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        self.names.update(item.name.value for item in node.names)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False


def local_declarations(func: cst.FunctionDef) -> list[cst.Name]:
    """The target names in `func`'s body that become `var NAME` (first simple bindings)."""
    outer = _ScopeNames()
    func.body.visit(outer)
    params = {p.name.value for p in all_params(func.params)}
    scan = LocalDecls(params, outer.names)
    func.body.visit(scan)
    return scan.decls


_RISKY = (
    cst.Raise,
    cst.Assert,
    cst.Call,
    cst.Subscript,
    cst.BinaryOperation,
    cst.AugAssign,
    cst.Del,
    cst.For,
    cst.With,
    cst.Await,
    cst.Yield,
    cst.Import,
    cst.ImportFrom,
    cst.Try,
    cst.TryStar,
    cst.Match,
    cst.FormattedString,
    cst.ListComp,
    cst.SetComp,
    cst.DictComp,
    cst.GeneratorExp,
)


class _RaiseScan(cst.CSTVisitor):
    """Could executing this body raise? Anything that calls, indexes, does arithmetic (Int
    overflow raises OverflowError), iterates or raises says yes; annotations are not executed."""

    def __init__(self) -> None:
        super().__init__()
        self.can_raise = False

    def on_visit(self, node: cst.CSTNode) -> bool:
        if self.can_raise or isinstance(node, cst.Annotation):
            return False
        if isinstance(node, _RISKY):
            self.can_raise = True
        elif isinstance(node, cst.UnaryOperation) and isinstance(node.operator, (cst.Minus, cst.BitInvert)):
            self.can_raise = True
        elif isinstance(node, cst.Comparison) and any(
            isinstance(c.operator, (cst.In, cst.NotIn)) for c in node.comparisons
        ):
            self.can_raise = True
        return not self.can_raise


def can_raise(func: cst.FunctionDef) -> bool:
    scan = _RaiseScan()
    func.body.visit(scan)
    return scan.can_raise


class _ReturnScan(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.returns_value = False
        self.is_generator = False

    def visit_Return(self, node: cst.Return) -> None:
        if node.value is not None and not (isinstance(node.value, cst.Name) and node.value.value == "None"):
            self.returns_value = True

    def visit_Yield(self, node: cst.Yield) -> None:
        self.is_generator = True

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False


def returns_nothing(func: cst.FunctionDef) -> bool:
    """True when no path returns a value (so `-> None` is the function's type)."""
    scan = _ReturnScan()
    func.body.visit(scan)
    return not scan.returns_value and not scan.is_generator


def decorator_names(func: cst.FunctionDef) -> Sequence[str]:
    out = []
    for decorator in func.decorators:
        expr = decorator.decorator
        if isinstance(expr, cst.Name):
            out.append(expr.value)
        elif isinstance(expr, cst.Attribute):
            out.append(expr.attr.value)
    return out
