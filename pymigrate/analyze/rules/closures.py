"""PM308: nested functions that capture a variable which is rebound.

Uses CPython's `symtable`, which knows exactly which names a nested scope takes from its
enclosing one; only run for functions that contain nested definitions.
"""

from __future__ import annotations

import ast
import symtable
from collections import Counter

from pymigrate.analyze.context import ModuleContext
from pymigrate.analyze.facts import FunctionFacts
from pymigrate.analyze.index import ModuleIndex
from pymigrate.analyze.model import Finding


class Closures:
    def __init__(self, ctx: ModuleContext, source: str, index: ModuleIndex) -> None:
        self.ctx = ctx
        self.index = index
        self.source = source
        self._tables: dict[tuple[str, int], symtable.SymbolTable] | None = None

    def _index(self) -> dict[tuple[str, int], symtable.SymbolTable]:
        if self._tables is None:
            self._tables = {}
            try:
                top = symtable.symtable(self.source, self.ctx.path, "exec")
            except (SyntaxError, ValueError):
                return self._tables
            stack = [top]
            while stack:
                table = stack.pop()
                if table.get_type() == "function":
                    self._tables[(table.get_name(), table.get_lineno())] = table
                stack.extend(table.get_children())
        return self._tables

    def findings(self, fn: FunctionFacts) -> list[Finding]:
        scope = self.index.scope(fn.node)
        if not any(isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)) for n in scope.children):
            return []
        outer = self._index().get((fn.node.name, fn.node.lineno))
        if outer is None:
            return []
        writes = Counter(scope.stored)
        writes.update(a.arg for a in (*fn.node.args.posonlyargs, *fn.node.args.args, *fn.node.args.kwonlyargs))
        out: list[Finding] = []
        for child in outer.get_children():
            if child.get_type() != "function":
                continue
            assert isinstance(child, symtable.Function)
            declared_nonlocal = {s.get_name() for s in child.get_symbols() if s.is_nonlocal()}
            for name in child.get_frees():
                if writes.get(name, 0) > 1 or name in declared_nonlocal:
                    node = _def_node(fn.node, child.get_name(), child.get_lineno())
                    out.append(self.ctx.at("PM308", node or fn.node, inner=child.get_name(), name=name))
        return out


def _def_node(fn: ast.AST, name: str, line: int) -> ast.AST | None:
    for node in ast.walk(fn):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)) and node.lineno == line:
            if isinstance(node, ast.Lambda) or node.name == name:
                return node
    return None
