"""Functions that return an instance of the class they are given: ``type[T] -> T``.

A checked getter (``def get(d, kind, key): v = d.get(key); if not isinstance(v, kind): raise ...;
return v``) or a factory (``def make(kind): return kind()``) returns whatever class its caller passes.
Without a type variable its return is the union of every class any caller passes, which matches no call
and makes each caller's use of the result an error. When the package already declares a plain type
variable (``_T = TypeVar("_T")``) in the module, such a parameter is written ``type[_T]`` and the
return ``_T`` (``_T | None`` when it can also return None).
"""

from __future__ import annotations

import ast

from .model import NONE_T, TypeRef, union
from .package import Function, Module, own_nodes

TYPE = "builtins.type"


def class_parameters(func: Function) -> list[str]:
    """The parameters every non-None return value can be an instance of."""
    params = [a.arg for a in func.node.args.posonlyargs + func.node.args.args + func.node.args.kwonlyargs]
    if func.implicit_first is not None:
        params = params[1:]
    returns = [n.value for n in own_nodes(func.node) if isinstance(n, ast.Return)]
    values = [v for v in returns if v is not None and not (isinstance(v, ast.Constant) and v.value is None)]
    if not values:
        return []
    return [p for p in params if all(_instance_of(v, p, _narrowed_names(func.node, p)) for v in values)]


def _instance_of(value: ast.expr, param: str, narrowed: set[str]) -> bool:
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == param:
        return True
    return isinstance(value, ast.Name) and value.id in narrowed


def _narrowed_names(func: ast.AST, param: str) -> set[str]:
    """Names checked with ``isinstance(name, param)`` or bound from a call that is passed ``param``."""
    names: set[str] = set()
    for node in ast.walk(func):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "isinstance"
                and len(node.args) == 2 and isinstance(node.args[0], ast.Name)
                and isinstance(node.args[1], ast.Name) and node.args[1].id == param):
            names.add(node.args[0].id)
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.NamedExpr, ast.AnnAssign)):
            targets = [node.target]
        value = getattr(node, "value", None)
        if targets and isinstance(value, ast.Call) and any(
                isinstance(a, ast.Name) and a.id == param for a in [*value.args, *(k.value for k in value.keywords)]):
            names.update(t.id for t in targets if isinstance(t, ast.Name))
    return names


def plain_type_variable(module: Module) -> str | None:
    """A module-level ``X = TypeVar("X")`` without bound or constraints."""
    for stmt in module.tree.body:
        if (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)
                and isinstance(stmt.value, ast.Call) and not stmt.value.keywords and len(stmt.value.args) == 1):
            f = stmt.value.func
            name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
            if name == "TypeVar":
                return stmt.targets[0].id
    return None


def generic_signature(module: Module, func: Function, param_type: TypeRef | None,
                      returns_none: bool) -> tuple[TypeRef, TypeRef] | None:
    """``(type[T], T [| None])`` when only classes were passed to a class parameter (even one class: the
    signature says what the function does, not which classes the package happens to pass today)."""
    if param_type is None:
        return None
    if any(c.name != TYPE or len(c.args) != 1 for c in param_type.members()):
        return None

    variable = plain_type_variable(module)
    if variable is None:
        return None
    t = TypeRef(f"{module.name}.{variable}")
    ret = union([t, NONE_T]) if returns_none else t
    return TypeRef(TYPE, (t,)), ret if ret is not None else t
