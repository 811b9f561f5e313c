"""Facts about a module computed once from its AST: its functions, classes, constants, imports.

Every rule asks these questions; answering them here keeps each rule small and the walk single.
"""

from __future__ import annotations

import ast
from collections import Counter
from dataclasses import dataclass, field

from pymigrate.analyze.index import ModuleIndex
from pymigrate.codegen.checker import scan_module

FuncNode = ast.FunctionDef | ast.AsyncFunctionDef

SCALAR_TYPES = {"int": "int", "float": "float", "bool": "bool", "str": "str",
                "Int": "int", "Float64": "float", "Bool": "bool", "String": "str"}


@dataclass
class FunctionFacts:
    qualname: str
    node: FuncNode
    owner: ast.ClassDef | None  # the class whose body defines it, if any
    nested: bool  # defined inside another function (or a class inside one)
    class_qualname: str | None = None
    conditional: bool = False  # defined inside an if/try/with/loop rather than directly in its scope body


@dataclass
class ClassFacts:
    qualname: str
    node: ast.ClassDef
    nested: bool  # not at module level
    methods: dict[str, FunctionFacts] = field(default_factory=dict)
    conditional: bool = False  # defined inside an if/try/with/loop rather than directly in its scope body


@dataclass
class ModuleFacts:
    functions: list[FunctionFacts] = field(default_factory=list)
    classes: list[ClassFacts] = field(default_factory=list)
    top_functions: dict[str, FunctionFacts] = field(default_factory=dict)
    top_classes: dict[str, ClassFacts] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)  # module-level NAME = literal, bound once
    # local name -> math attribute ("" = the module) that is still math whenever a function runs: the
    # compiler's checker.module_math_names, so analyzer and compiler read rebinding alike
    math_names: dict[str, str] = field(default_factory=dict)
    star_line: int = 0  # line of the last star import of a module other than math (0: none); it may bind any name
    module_names: set[str] = field(default_factory=set)  # every name bound at module level
    globals_written: set[str] = field(default_factory=set)  # names a `global` statement rebinds
    bindings: Counter[str] = field(default_factory=Counter)  # module-level bindings per name


def literal_type(node: ast.expr) -> str | None:
    """The superset type of a literal (negative numbers included), else None."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        inner = literal_type(node.operand)
        return inner if inner in ("int", "float") else None
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, bool):
            return "bool"
        if isinstance(value, int):
            return "int" if -(2**63) <= value < 2**63 else None
        if isinstance(value, float):
            return "float"
        if isinstance(value, str):
            return "str"
    return None


def collect(tree: ast.Module, index: ModuleIndex) -> ModuleFacts:
    facts = ModuleFacts()
    _collect_scope(tree.body, facts, prefix="", owner=None, nested=False, class_qualname=None)
    scan = scan_module(tree, index.nodes)  # the checker's scan, so both see the same rebindings
    counts = scan.counts
    facts.bindings = counts
    facts.module_names = set(counts)
    facts.math_names = scan.math_names
    facts.star_line = scan.star_line
    candidates: dict[str, str] = {}
    for stmt in tree.body:
        if stmt.lineno < facts.star_line:  # a later star import may bind the name again
            continue
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            kind = literal_type(stmt.value)
            if kind is not None:
                candidates[stmt.targets[0].id] = kind
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value is not None:
            kind = literal_type(stmt.value)
            if kind is not None and isinstance(stmt.annotation, ast.Name) and SCALAR_TYPES.get(stmt.annotation.id) == kind:
                candidates[stmt.target.id] = kind
    for node in index.globals:
        facts.globals_written.update(node.names)
    for name, kind in candidates.items():
        if counts.get(name) == 1 and name not in facts.globals_written:
            facts.constants[name] = kind
    return facts


def binding_problem(node: FuncNode | ast.ClassDef, facts: ModuleFacts) -> str | None:
    """Why CPython callers may not find this module-level def or class under its name when they run,
    as the compiler's checker sees it (it refuses such a fn or struct); None when the name is bound once."""
    if facts.bindings[node.name] > 1 or node.name in facts.globals_written:
        return "bound more than once at module level"
    if node.lineno < facts.star_line:
        return "bound again by a later star import"
    return None


def _collect_scope(
    body: list[ast.stmt],
    facts: ModuleFacts,
    prefix: str,
    owner: ast.ClassDef | None,
    nested: bool,
    class_qualname: str | None,
) -> None:
    for stmt in body:
        for node in _direct_defs(stmt):
            qualname = prefix + node.name
            if isinstance(node, ast.ClassDef):
                cls = ClassFacts(qualname, node, nested=nested or bool(prefix),
                                 conditional=node is not stmt)
                facts.classes.append(cls)
                if not prefix and node is stmt:
                    facts.top_classes[node.name] = cls
                before = len(facts.functions)
                _collect_scope(node.body, facts, qualname + ".", owner=node, nested=cls.nested,
                               class_qualname=qualname)
                for fn in facts.functions[before:]:
                    if fn.owner is node and not fn.conditional:
                        cls.methods.setdefault(fn.node.name, fn)
            else:
                fn = FunctionFacts(qualname, node, owner, nested, class_qualname, conditional=node is not stmt)
                facts.functions.append(fn)
                if not prefix and node is stmt:
                    facts.top_functions[node.name] = fn
                _collect_scope(node.body, facts, qualname + ".<locals>.", owner=None, nested=True,
                               class_qualname=None)


def _direct_defs(stmt: ast.stmt) -> list[FuncNode | ast.ClassDef]:
    """Definitions in this statement that belong to the current scope (also inside if/try/with/for)."""
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [stmt]
    found: list[FuncNode | ast.ClassDef] = []
    for child in ast.iter_child_nodes(stmt):
        if isinstance(child, ast.stmt):
            found.extend(_direct_defs(child))
        elif isinstance(child, (ast.ExceptHandler, ast.match_case)):
            for sub in child.body:
                found.extend(_direct_defs(sub))
    return found
