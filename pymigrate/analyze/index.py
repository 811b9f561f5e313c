"""One walk over a module's AST that every rule reads from, instead of a walk per rule.

Each scope (the module, a function, a class, a lambda, a comprehension) gets the facts rules ask
for: the names it binds, the attributes it assigns, its calls, its nested scopes, whether it
yields. Walking once is what keeps the analyzer near the parser's speed on large trees.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda, ast.ListComp, ast.SetComp,
           ast.DictComp, ast.GeneratorExp)
_STORE_CTX = (ast.Store, ast.Del)


@dataclass
class Scope:
    node: ast.AST
    stored: list[str] = field(default_factory=list)  # every binding, repeated per binding
    attr_targets: list[ast.Attribute] = field(default_factory=list)  # `x.a = / += / del`, root of each target
    calls: list[ast.Call] = field(default_factory=list)
    children: list[ast.AST] = field(default_factory=list)  # nested scopes
    has_yield: bool = False


@dataclass
class ModuleIndex:
    module: Scope
    scopes: dict[int, Scope]  # id(scope node) -> Scope
    nodes: list[ast.AST]  # every node, preorder
    globals: list[ast.Global]

    def scope(self, node: ast.AST) -> Scope:
        return self.scopes[id(node)]

    def all_attr_targets(self) -> list[ast.Attribute]:
        return [t for s in self.scopes.values() for t in s.attr_targets]


def build(tree: ast.Module) -> ModuleIndex:
    top = Scope(tree)
    scopes: dict[int, Scope] = {id(tree): top}
    nodes: list[ast.AST] = []
    globals_: list[ast.Global] = []
    stack: list[tuple[ast.AST, Scope]] = [(stmt, top) for stmt in reversed(tree.body)]
    append = nodes.append
    while stack:
        node, scope = stack.pop()
        append(node)
        kind = type(node)
        if kind is ast.Name:
            if isinstance(node.ctx, _STORE_CTX):  # type: ignore[attr-defined]
                scope.stored.append(node.id)  # type: ignore[attr-defined]
            continue
        if kind is ast.Call:
            scope.calls.append(node)  # type: ignore[arg-type]
        elif kind in (ast.Assign, ast.Delete):
            for target in node.targets:  # type: ignore[attr-defined]
                _attr_target(target, scope)
        elif kind in (ast.AugAssign, ast.AnnAssign):
            _attr_target(node.target, scope)  # type: ignore[attr-defined]
        elif kind in (ast.Yield, ast.YieldFrom):
            scope.has_yield = True
        elif kind is ast.Global:
            globals_.append(node)  # type: ignore[arg-type]
        elif kind in (ast.Import, ast.ImportFrom):
            for alias in node.names:  # type: ignore[attr-defined]
                if alias.name != "*":
                    scope.stored.append((alias.asname or alias.name).split(".")[0])
        elif kind is ast.ExceptHandler:
            if node.name:  # type: ignore[attr-defined]
                scope.stored.append(node.name)  # type: ignore[attr-defined]
        if kind in _SCOPES:
            inner = Scope(node)
            scopes[id(node)] = inner
            scope.children.append(node)
            outer_parts, inner_parts = _split(node)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                scope.stored.append(node.name)
            for child in reversed(inner_parts):
                stack.append((child, inner))
            for child in reversed(outer_parts):
                stack.append((child, scope))
            continue
        for child in reversed(_children(node)):
            stack.append((child, scope))
    return ModuleIndex(top, scopes, nodes, globals_)


def _attr_target(target: ast.expr, scope: Scope) -> None:
    if isinstance(target, ast.Attribute):
        scope.attr_targets.append(target)
    elif isinstance(target, (ast.Tuple, ast.List)):
        for elt in target.elts:
            _attr_target(elt, scope)
    elif isinstance(target, ast.Starred):
        _attr_target(target.value, scope)


def _split(node: ast.AST) -> tuple[list[ast.AST], list[ast.AST]]:
    """(parts evaluated in the enclosing scope, parts in the new scope)."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        args = node.args
        outer: list[ast.AST] = [*node.decorator_list, *args.defaults, *(d for d in args.kw_defaults if d)]
        arg_nodes = [*args.posonlyargs, *args.args, *args.kwonlyargs,
                     *(a for a in (args.vararg, args.kwarg) if a is not None)]
        outer.extend(arg_nodes)
        outer.extend(a.annotation for a in arg_nodes if a.annotation is not None)
        if node.returns is not None:
            outer.append(node.returns)
        return outer, list(node.body)
    if isinstance(node, ast.ClassDef):
        return [*node.decorator_list, *node.bases, *node.keywords], list(node.body)
    if isinstance(node, ast.Lambda):
        args = node.args
        return [*args.defaults, *(d for d in args.kw_defaults if d),
                *args.posonlyargs, *args.args, *args.kwonlyargs,
                *(a for a in (args.vararg, args.kwarg) if a is not None)], [node.body]
    return [], _children(node)


def _children(node: ast.AST) -> list[ast.AST]:
    """Direct child nodes, in field order (ast.iter_child_nodes without the generators)."""
    children: list[ast.AST] = []
    for name in node._fields:
        value = getattr(node, name, None)
        if isinstance(value, list):
            children.extend(v for v in value if isinstance(v, ast.AST))
        elif isinstance(value, ast.AST):
            children.append(value)
    return children
