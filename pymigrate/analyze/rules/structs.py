"""PM4xx: what keeps a class from becoming a `struct` (fixed fields, value semantics, no dynamics)."""

from __future__ import annotations

import ast
from collections.abc import KeysView

from pymigrate.analyze.context import ModuleContext
from pymigrate.analyze.facts import ClassFacts, ModuleFacts, binding_problem
from pymigrate.analyze.index import ModuleIndex
from pymigrate.analyze.model import Finding

ATTRIBUTE_HOOKS = (
    "__getattr__", "__getattribute__", "__setattr__", "__delattr__", "__get__", "__set__", "__delete__",
    "__set_name__", "__init_subclass__", "__class_getitem__", "__dir__",
)


def class_blockers(ctx: ModuleContext, cls: ClassFacts) -> list[Finding]:
    """Blockers found in the class statement itself and its body (not in its methods' bodies)."""
    node = cls.node
    out: list[Finding] = []
    dataclass = dataclass_decorator(node)
    for base in node.bases:
        if not (isinstance(base, ast.Name) and base.id == "object"):
            out.append(ctx.at("PM401", base, name=node.name, base=ast.unparse(base)))
    for kw in node.keywords:
        out.append(ctx.at("PM402", kw, name=node.name, keyword=kw.arg or "**"))
    for deco in node.decorator_list:
        if deco is not dataclass:
            out.append(ctx.at("PM407", deco, name=node.name, decorator="@" + ast.unparse(deco)))
    for index, stmt in enumerate(node.body):
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if stmt.name in ATTRIBUTE_HOOKS:
                out.append(ctx.at("PM404", stmt, name=node.name, hook=stmt.name))
            elif stmt.name.startswith("__") and stmt.name.endswith("__") and stmt.name != "__init__":
                out.append(ctx.at("PM412", stmt, name=node.name, method=stmt.name))
            continue
        if index == 0 and isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) \
                and isinstance(stmt.value.value, str):
            continue
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value is None:
            continue  # a field declaration
        if isinstance(stmt, ast.Pass):
            continue
        out.append(ctx.at("PM408", stmt, name=node.name, construct=_describe(stmt)))
    if "__init__" not in cls.methods and dataclass is None:
        out.append(ctx.finding("PM410", node.lineno, ctx.name_column(node), name=node.name))
    if dataclass is None:
        out.append(ctx.finding("PM411", node.lineno, ctx.name_column(node), name=node.name))
    return out


def class_binding(ctx: ModuleContext, cls: ClassFacts, facts: ModuleFacts) -> list[Finding]:
    """PM413: fns build a struct and CPython code calls it by its module-level name, so that name must
    mean the struct whenever they run, as the compiler's checker requires: a class defined once,
    unconditionally, and not before a star import. Classes inside other scopes are PM408's."""
    node = cls.node
    if cls.nested or "." in cls.qualname:
        return []
    if cls.conditional:
        reason: str | None = "defined conditionally"
    elif facts.top_classes.get(node.name) is not cls:
        reason = "bound more than once at module level"
    else:
        reason = binding_problem(node, facts)
    if reason is None:
        return []
    return [ctx.finding("PM413", node.lineno, ctx.name_column(node), name=node.name, reason=reason)]


def dataclass_decorator(node: ast.ClassDef) -> ast.expr | None:
    """The `@dataclass` (bare or called without arguments) decorating `node`: its generated `__init__`,
    `__repr__` and `__eq__` are what a struct provides. Options such as `frozen=True` are not."""
    for deco in node.decorator_list:
        target = deco.func if isinstance(deco, ast.Call) and not deco.args and not deco.keywords else deco
        if (isinstance(target, ast.Name) and target.id == "dataclass") or (
                isinstance(target, ast.Attribute) and target.attr == "dataclass"
                and isinstance(target.value, ast.Name) and target.value.id == "dataclasses"):
            return deco
    return None


def _describe(stmt: ast.stmt) -> str:
    if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
        return f"a default value for field `{stmt.target.id}` (set it in `__init__`)"
    if isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        names = ", ".join(ast.unparse(t) for t in targets)
        if "__slots__" in names:
            return "`__slots__`"
        return f"class attribute `{names}`"
    if isinstance(stmt, ast.ClassDef):
        return f"nested class `{stmt.name}`"
    return f"a `{type(stmt).__name__}` statement"


def outside_init(ctx: ModuleContext, cls: ClassFacts, fields: set[str], index: ModuleIndex) -> list[Finding]:
    """PM403: `self.x = ...` in a method other than `__init__` for an `x` that `__init__` does not set.

    Also PM405 for `type(self).x = ...` and `self.__class__.x = ...` in any method but `__init__`.
    """
    out: list[Finding] = []
    seen: set[str] = set()
    for name, method in cls.methods.items():
        if name == "__init__" or not method.node.args.args:
            continue
        self_name = method.node.args.args[0].arg
        for target in index.scope(method.node).attr_targets:
            if _is_own_class(target.value, self_name):
                out.append(ctx.at("PM405", target, cls=cls.node.name, attr=target.attr))
            elif isinstance(target.value, ast.Name) and target.value.id == self_name \
                    and target.attr not in fields and target.attr not in seen:
                seen.add(target.attr)
                out.append(ctx.at("PM403", target, attr=target.attr, method=name))
    return out


def class_attribute_writes(ctx: ModuleContext, facts: ModuleFacts, index: ModuleIndex) -> dict[str, list[Finding]]:
    """PM405: `C.attr = ...` (or `+=`, `del`) anywhere in the module, for a module-level class C."""
    out: dict[str, list[Finding]] = {}
    for target in index.all_attr_targets():
        owner = _class_expr(target.value, facts.top_classes.keys())
        if owner is not None:
            out.setdefault(owner, []).append(ctx.at("PM405", target, cls=owner, attr=target.attr))
    return out


def _class_expr(node: ast.expr, owners: KeysView[str]) -> str | None:
    if isinstance(node, ast.Name) and node.id in owners:
        return node.id
    return None


def _is_own_class(node: ast.expr, self_name: str) -> bool:
    """`type(self)` or `self.__class__`."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "type" \
            and len(node.args) == 1 and isinstance(node.args[0], ast.Name) and node.args[0].id == self_name:
        return True
    return isinstance(node, ast.Attribute) and node.attr == "__class__" and isinstance(node.value, ast.Name) \
        and node.value.id == self_name
