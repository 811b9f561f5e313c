"""PM406: code that relies on reference semantics for a class's instances.

With `struct`, `b = a` copies. Code that aliases an instance (another name, a container, an
attribute) and then mutates it through one of the references would see a different result.
The check follows each scope in source order; it does not follow instances across calls.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from pymigrate.analyze.context import ModuleContext
from pymigrate.analyze.facts import ClassFacts, ModuleFacts
from pymigrate.analyze.index import ModuleIndex
from pymigrate.analyze.model import Finding
from pymigrate.mutation import LIST_MUTATORS

STORE_METHODS = {"append", "insert", "add", "extend", "setdefault", "appendleft"}


@dataclass
class _Group:
    cls: str
    aliased: bool = False
    names: set[str] = field(default_factory=set)


class _Scope:
    def __init__(self, ctx: ModuleContext, classes: set[str], mutating: dict[str, set[str]],
                 out: dict[str, list[Finding]]) -> None:
        self.ctx = ctx
        self.classes = classes
        self.mutating = mutating
        self.out = out
        self.groups: dict[str, _Group] = {}
        self.reported: set[int] = set()

    def instance_of(self, value: ast.expr) -> str | None:
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id in self.classes:
            return value.func.id
        return None

    def rebind(self, name: str, group: _Group | None) -> None:
        old = self.groups.pop(name, None)
        if old is not None:
            old.names.discard(name)
        if group is not None:
            group.names.add(name)
            self.groups[name] = group

    def escape(self, value: ast.expr) -> None:
        """The instance named by `value` (if any) is now also reachable from somewhere else."""
        for node in ast.walk(value):
            if isinstance(node, ast.Name) and node.id in self.groups:
                self.groups[node.id].aliased = True

    def mutate(self, name: str, at: ast.AST) -> None:
        group = self.groups.get(name)
        if group is None or not group.aliased or id(group) in self.reported:
            return
        self.reported.add(id(group))
        self.out.setdefault(group.cls, []).append(self.ctx.at("PM406", at, alias=name, cls=group.cls))

    def stmts(self, body: list[ast.stmt]) -> None:
        for stmt in body:
            self.stmt(stmt)

    def stmt(self, s: ast.stmt) -> None:
        if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            return  # their own scopes are checked separately
        if isinstance(s, ast.Assign):
            for target in s.targets:
                self.assign(target, s.value, s)
        elif isinstance(s, ast.AnnAssign) and s.value is not None:
            self.assign(s.target, s.value, s)
        elif isinstance(s, ast.AugAssign):
            self.mutation_target(s.target, s)
        for node in ast.walk(s) if not isinstance(s, (ast.If, ast.For, ast.While, ast.With, ast.Try)) else ():
            if isinstance(node, ast.Call):
                self.call(node)
        for child in ast.iter_child_nodes(s):
            if isinstance(child, ast.stmt):
                self.stmt(child)
            elif isinstance(child, ast.ExceptHandler):
                self.stmts(child.body)
            elif isinstance(child, ast.expr) and isinstance(s, (ast.If, ast.For, ast.While, ast.With, ast.Try)):
                for node in ast.walk(child):
                    if isinstance(node, ast.Call):
                        self.call(node)

    def assign(self, target: ast.expr, value: ast.expr, at: ast.stmt) -> None:
        if isinstance(target, ast.Name):
            cls = self.instance_of(value)
            if cls is not None:
                self.rebind(target.id, _Group(cls))
            elif isinstance(value, ast.Name) and value.id in self.groups:
                group = self.groups[value.id]
                group.aliased = True
                self.rebind(target.id, group)
            else:
                self.rebind(target.id, None)
                self.escape(value)
            return
        self.mutation_target(target, at)
        self.escape(value)

    def mutation_target(self, target: ast.expr, at: ast.AST) -> None:
        root = target
        while isinstance(root, (ast.Attribute, ast.Subscript)):
            root = root.value
        if isinstance(root, ast.Name) and root is not target:
            self.mutate(root.id, at)

    def call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Name) and func.id in self.classes:
            for arg in (*node.args, *(k.value for k in node.keywords)):
                self.escape(arg)  # stored in the new instance's field: a struct would store a copy
        if isinstance(func, ast.Attribute):
            receiver = func.value
            if func.attr in STORE_METHODS:
                for arg in node.args:
                    self.escape(arg)
            if isinstance(receiver, ast.Name) and receiver.id in self.groups:
                group = self.groups[receiver.id]
                if func.attr in self.mutating.get(group.cls, set()):
                    self.mutate(receiver.id, node)
            elif isinstance(receiver, (ast.Attribute, ast.Subscript)) and func.attr in LIST_MUTATORS:
                self.mutation_target(receiver, node)


def reference_semantics(ctx: ModuleContext, facts: ModuleFacts, index: ModuleIndex) -> dict[str, list[Finding]]:
    """class name -> PM406 findings, over the module body and every function body that builds one."""
    classes = set(facts.top_classes)
    if not classes:
        return {}
    mutating = {name: _mutating_methods(cls, index) for name, cls in facts.top_classes.items()}
    out: dict[str, list[Finding]] = {}
    scopes: list[tuple[ast.AST, list[ast.stmt]]] = [(ctx.tree, ctx.tree.body)]
    scopes.extend((fn.node, fn.node.body) for fn in facts.functions)
    for node, body in scopes:
        if any(isinstance(c.func, ast.Name) and c.func.id in classes for c in index.scope(node).calls):
            _Scope(ctx, classes, mutating, out).stmts(body)
    return out


def _mutating_methods(cls: ClassFacts, index: ModuleIndex) -> set[str]:
    """Methods (other than __init__) that assign to an attribute of `self`."""
    names: set[str] = set()
    for name, method in cls.methods.items():
        if name == "__init__" or not method.node.args.args:
            continue
        self_name = method.node.args.args[0].arg
        for target in index.scope(method.node).attr_targets:
            root: ast.expr = target
            while isinstance(root, (ast.Attribute, ast.Subscript)):
                root = root.value
            if isinstance(root, ast.Name) and root.id == self_name:
                names.add(name)
    return names
